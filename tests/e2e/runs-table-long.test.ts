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
      const run = registry.createRun({ config, name: `long-${i}`, experiment: 'long', totalSteps: 10 })
      registry.setStatus(run.id, 'completed')
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
      // The rows after the first table's sit in tables of their own, given its column widths:
      // every row's cells line up with the header's.
      const lefts = (sel: string) => page.locator(sel).evaluateAll((cells) => cells.map((c) => Math.round(c.getBoundingClientRect().left)))
      const header = await lefts('[data-testid=runs-table] thead th')
      expect(await page.locator('[data-testid=runs-table] table').count()).toBeGreaterThan(1)
      for (const id of ['1', '50', String(RUNS)]) {
        await page.locator(`[data-run-id="${id}"]`).scrollIntoViewIfNeeded()
        expect(await lefts(`[data-run-id="${id}"] td`)).toEqual(header)
      }

      // long-1, long-10 … long-19, long-100 … long-130: 42 rows, then all again.
      await page.getByTestId('run-search').fill('long-1')
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(42)
      await page.getByTestId('run-search').fill('')
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(RUNS)

      await page.getByTestId('pick-all').check()
      await expect.poll(() => page.getByTestId('compare-runs').textContent()).toMatch(new RegExp(`Compare ${RUNS}`))
    })
  })
})
