/**
 * A runs table longer than one screenful in Debian Chromium: its rows are rendered a chunk per
 * frame (one task for 200 rows was 90–100 ms, npm run bench:ui), so this checks that every row
 * still arrives, in columns that line up with the header's (the rows come in a table of 20, then
 * tables of 10 given the first's column widths), that a search which shrinks the list and its
 * clearing bring them all back, and that "pick every listed run" picks the rows not yet rendered
 * too.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Registry } from '../../src-main/registry/registry'
import { thisProcess } from '../../src-main/util/process-identity'
import { requirePreset } from '../../src-shared/config/presets'
import { validateExperiment } from '../../src-shared/config/validate'
import { withUi } from '../helpers/ui'
import { tmpDir } from '../helpers/tmp'

/** More than the first chunk (40) and not a multiple of it. */
const RUNS = 130

let t: ReturnType<typeof tmpDir>
let home: string

beforeAll(async () => {
  t = tmpDir('gwb-runs-long-')
  home = path.join(t.dir, 'home')
  const registry = await Registry.open(path.join(home, 'registry.sqlite'), { owner: thisProcess() })
  try {
    const config = validateExperiment(requirePreset('mlp-2d-ring8').config).config
    for (let i = 1; i <= RUNS; i++) {
      // Rows below the first screenful show more than those in it: a name longer than theirs, two
      // buttons (a stopped run: Resume and Delete), tags. They must stay in their columns.
      const name = i === 1 ? `long-1_${'abcdefghij'.repeat(9)}` : `long-${i}`
      const run = registry.createRun({ config, name, experiment: 'long', totalSteps: 10 })
      registry.setStatus(run.id, i <= 40 ? 'stopped' : 'completed')
      if (i % 7 === 0) registry.tag(run.id, ['seven', 'a-longer-tag'])
    }
  } finally {
    registry.close()
  }
})
afterAll(() => t?.cleanup())

describe('a long runs table', () => {
  it('renders every row, after a search and its clearing too, and picks all of them (no console errors)', async () => {
    await withUi(home, '/runs', async (page) => {
      await page.setViewportSize({ width: 1440, height: 900 })
      const rows = page.locator('[data-testid=runs-table] tbody tr')
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(RUNS)
      // Newest first: the last row is the first run.
      expect(await rows.last().getAttribute('data-run-id')).toBe('1')
      // The rows after the first screenful sit in tables of their own, given the first's column
      // widths: every row's cells line up with the header's, left and right (within a pixel), and
      // the whole reads as one table to assistive technology.
      const edges = (sel: string) =>
        page.locator(sel).evaluateAll((cells) => cells.map((c) => [c.getBoundingClientRect().left, c.getBoundingClientRect().right]))
      const header = await edges('[data-testid=runs-table] thead th')
      expect(await page.locator('[data-testid=runs-table] table').count()).toBeGreaterThan(1)
      for (const id of [1, 7, 50, 100]) {
        await page.locator(`[data-run-id="${id}"]`).scrollIntoViewIfNeeded()
        const cells = await edges(`[data-run-id="${id}"] td`)
        expect(cells.length).toBe(header.length)
        // Nothing spills out of its cell (a long name wraps within its column).
        const spill = await page
          .locator(`[data-run-id="${id}"] td`)
          .evaluateAll((tds) => tds.map((c) => c.scrollWidth - c.clientWidth).filter((d) => d > 1))
        expect(spill, `run ${id}: cells whose content is wider than they are`).toEqual([])
        cells.forEach(([l, r], i) => {
          expect(Math.abs(l! - header[i]![0]!), `run ${id}, column ${i}: left edge`).toBeLessThanOrEqual(1)
          expect(Math.abs(r! - header[i]![1]!), `run ${id}, column ${i}: right edge`).toBeLessThanOrEqual(1)
        })
      }
      expect(await page.getByRole('table', { name: 'Runs' }).getAttribute('aria-rowcount')).toBe(String(RUNS + 1))
      expect(await page.locator('[data-run-id="1"]').getAttribute('aria-rowindex')).toBe(String(RUNS + 1))
      expect(await page.getByRole('columnheader').count()).toBe(header.length)
      // Rows far down follow their state: ticking two counts them for comparison, and they show it.
      for (const id of [50, 100]) await page.getByRole('checkbox', { name: `compare run ${id}`, exact: true }).check()
      await expect.poll(() => page.getByTestId('compare-runs').textContent()).toMatch(/Compare 2\b/)
      expect(await page.getByRole('checkbox', { name: 'compare run 50', exact: true }).isChecked()).toBe(true)
      for (const id of [50, 100]) await page.getByRole('checkbox', { name: `compare run ${id}`, exact: true }).uncheck()
      expect(await page.getByRole('button', { name: 'resume run 12' }).count()).toBe(1)

      // long-1, long-10 … long-19, long-100 … long-130: 42 rows, then all again.
      await page.getByTestId('run-search').fill('long-1')
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(42)
      await page.getByTestId('run-search').fill('')
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(RUNS)

      await page.getByTestId('pick-all').check()
      await expect.poll(() => page.getByTestId('compare-runs').textContent()).toMatch(new RegExp(`Compare ${RUNS}`))
      // Each row re-renders when its pick changes elsewhere (the header's box), far down too.
      for (const id of [RUNS, 50, 1])
        await expect.poll(() => page.getByRole('checkbox', { name: `compare run ${id}`, exact: true }).isChecked()).toBe(true)
    })
  })
})
