/**
 * The Reproductions page in Chromium against server mode: it lists the catalog, runs a quick
 * reproduction of the ring with its progress (its rows reading running while seeds are still to
 * come), shows the table (paper vs ours per seed, mean ± sd, pass/fail) and the protocol's scatter
 * with its 3σ circles; an image reproduction run from the CLI shows its table and sample grid, its
 * reference figures' commits as code; a 2D run's Evaluate lists every mode definition, labelled.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli } from '../helpers/cli'
import { withUi } from '../helpers/ui'
import { screenshotPath } from '../helpers/browser'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
let home: string
beforeAll(() => {
  t = tmpDir('gwb-repro-ui-')
  home = path.join(t.dir, 'home')
  // An image reproduction the page will find stored (quick: three steps).
  const r = cli(home, ['reproduce', 'infogan-mnist', '--quick', '--seeds', '1'])
  expect(r.code, r.stderr).toBe(0)
  // …and one whose reference figures name commits in `code` spans.
  const acgan = cli(home, ['reproduce', 'acgan-fashion-mnist', '--quick', '--seeds', '1'])
  expect(acgan.code, acgan.stderr).toBe(0)
  // …and a comparison with the plain GAN twice: at the same settings (judged) and at its preset's (shown).
  const unrolled = cli(home, ['reproduce', 'unrolled-ring8', '--quick', '--seeds', '1'])
  expect(unrolled.code, unrolled.stderr).toBe(0)
})
afterAll(() => t.cleanup())

describe('Reproductions page', () => {
  it('runs a quick reproduction of the ring from the page and shows the table and the protocol scatter', async () => {
    await withUi(home, '/reproductions', async (page) => {
      await page.getByRole('link', { name: 'Reproductions' }).waitFor()
      const list = page.getByTestId('repro-list')
      await list.waitFor()
      expect(await list.locator('button').count()).toBe(13)
      await page.getByTestId('repro-entry-pacgan-ring8').click()
      await page.getByText('PacGAN: The power of two samples').waitFor()
      // The note's `code` spans (written for the Markdown docs) show as code, not as backticks.
      const note = page.getByTestId('repro-note')
      expect(await note.textContent()).not.toContain('`')
      expect(await note.locator('code').allTextContents()).toContain('sample')
      await page.getByTestId('repro-none').waitFor()
      await page.getByTestId('repro-seeds').fill('2')
      await page.getByTestId('repro-quick').check()
      await page.getByTestId('repro-start').click()
      await page.getByTestId('repro-progress').waitFor({ timeout: 60_000 })
      // While it runs, the row reads running (not fail) and no seed still to come is marked failed,
      // in one snapshot of the row (the table is refreshed as seeds start and end).
      const midRun = await page.waitForFunction(
        () => {
          const row = document.querySelector('[data-testid="repro-table"] [data-metric="pacganModes"]')
          const verdict = row?.querySelector('[data-verdict]')
          if (verdict?.getAttribute('data-verdict') !== 'running') return null
          return { text: verdict.textContent ?? '', failed: row!.querySelectorAll('td.failed').length }
        },
        undefined,
        { timeout: 60_000, polling: 50 },
      )
      const seen = (await midRun.jsonValue())!
      expect(seen.text.replace(/\s+/g, ' ')).toMatch(/^ ?running \(waiting for seeds? [\d, ]+\) ?$/)
      expect(seen.failed).toBe(0)
      await expect
        .poll(() => page.getByTestId('repro-status').textContent(), { timeout: 150_000, interval: 500 })
        .toMatch(/completed · quick/)
      const table = page.getByTestId('repro-table')
      expect(await table.locator('thead th').allTextContents()).toEqual([
        'Goal row',
        'Paper',
        'seed 1',
        'seed 2',
        'mean ± sd (min–max)',
        'Goal',
        'Result',
      ])
      const modes = table.locator('[data-metric="pacganModes"] td')
      // The paper's three figures, then the recipe before this one (its commit as code).
      expect(await modes.nth(1).textContent()).toMatch(/^GAN 6\.3 · PacGAN3 7\.8 · PacGAN4 7\.8 · no code: .*d57f22d\) 8\.0$/)
      expect(await modes.nth(1).locator('code').allTextContents()).toEqual(['d57f22d'])
      // …drawn one figure a line, not run together in a narrow column.
      const tops = await modes
        .nth(1)
        .locator('.figure')
        .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)))
      expect(tops).toHaveLength(4)
      expect(new Set(tops).size).toBe(4)
      for (const i of [2, 3]) expect(await modes.nth(i).textContent()).toMatch(/^\s*\d+\s*$/)
      expect(await modes.nth(4).textContent()).toMatch(/± .*\(\d+–\d+\)/)
      expect(['pass', 'fail']).toContain(await table.locator('[data-metric="pacganModes"] [data-verdict]').getAttribute('data-verdict'))
      // Seed 1's samples as the protocol scored them, over the data, with the 3σ circles.
      const scatter = page.getByTestId('protocol-scatter')
      await scatter.waitFor({ timeout: 30_000 })
      const painted = await scatter.evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
        let grey = 0,
          orange = 0,
          blue = 0
        for (let i = 0; i < d.length; i += 4) {
          const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!]
          if (Math.abs(r - g) < 12 && Math.abs(g - b) < 12 && r > 60) grey++
          if (r > 180 && g > 100 && g < 190 && b < 90) orange++
          if (b > 180 && r < 130) blue++
        }
        return { grey, orange, blue }
      })
      expect(painted.grey).toBeGreaterThan(100)
      expect(painted.orange).toBeGreaterThan(100)
      expect(painted.blue).toBeGreaterThan(50)
      await page.locator('.repro-main').screenshot({ path: screenshotPath('ui-reproductions.png') })
      expect(await page.getByTestId('repro-entry-pacgan-ring8').textContent()).toMatch(/(passed|not reached) \(quick\)/)
    })
  })

  it("a comparison's seed shows its three runs' scatters side by side, on the same axes, each captioned with its run", async () => {
    await withUi(home, '/reproductions', async (page) => {
      await page.getByTestId('repro-entry-unrolled-ring8').click()
      await page.getByTestId('repro-scatter-reference').waitFor({ timeout: 30_000 })
      const panels = page.locator('[data-testid^="repro-scatter-"]')
      expect(await panels.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual([
        'repro-scatter-recipe',
        'repro-scatter-baseline',
        'repro-scatter-reference',
      ])
      // Each caption links the run the seed line names for that role.
      const seedLine = (await page.locator('ul.seeds li').first().textContent())!
      const ids = /run (\d+) completed, baseline run (\d+) completed, reference run (\d+) completed/.exec(seedLine.replace(/\s+/g, ' '))
      expect(ids, seedLine).not.toBeNull()
      for (const [i, role] of ['recipe', 'baseline', 'reference'].entries())
        expect(await page.getByTestId(`repro-scatter-${role}`).locator('figcaption a').getAttribute('href')).toBe(`#/runs/${ids![i + 1]}`)
      // Side by side: one row, and the legend once under it.
      const tops = await panels.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)))
      expect(new Set(tops).size).toBe(1)
      expect(await page.getByText('Grey: the data;').count()).toBe(1)
      // Three generators over the same data: the orange samples differ, the 3σ circles (drawn last)
      // sit in the same place on every canvas, so the axes are the same.
      const pixels = await panels.locator('canvas').evaluateAll((cs) =>
        (cs as HTMLCanvasElement[]).map((c) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
          let orange = ''
          let blue = 0
          const box = [Infinity, Infinity, -Infinity, -Infinity] // the circles' extent: x, y min; x, y max
          for (let i = 0; i < d.length; i += 4) {
            const [r, g, b] = [d[i]!, d[i + 1]!, d[i + 2]!]
            if (r > 180 && g > 100 && g < 190 && b < 90) orange += `${i},`
            if (b > 180 && r < 130) {
              blue++
              const [x, y] = [(i / 4) % c.width, Math.floor(i / 4 / c.width)]
              box.splice(0, 4, Math.min(box[0]!, x), Math.min(box[1]!, y), Math.max(box[2]!, x), Math.max(box[3]!, y))
            }
          }
          return { orange, blue, box }
        }),
      )
      expect(pixels.every((p) => p.orange.length > 0 && p.blue > 50)).toBe(true)
      expect(new Set(pixels.map((p) => p.orange)).size).toBe(3)
      // (antialiased circle edges over orange or background may cross the threshold a pixel apart)
      for (const p of pixels.slice(1)) for (const [i, v] of p.box.entries()) expect(Math.abs(v - pixels[0]!.box[i]!)).toBeLessThanOrEqual(2)
      await page.locator('.repro-main').screenshot({ path: screenshotPath('ui-reproductions-side-by-side.png') })
    })
  })

  it("shows an image reproduction's stored table and its seed's sample grid", async () => {
    await withUi(home, '/reproductions', async (page) => {
      await page.getByTestId('repro-entry-infogan-mnist').click()
      await expect.poll(() => page.getByTestId('repro-status').textContent(), { timeout: 20_000 }).toMatch(/completed · quick/)
      expect(await page.locator('[data-metric="codeError"] td').nth(1).textContent()).toBe('InfoGAN 5.0 %')
      const grid = page.getByTestId('repro-grid')
      await grid.waitFor({ timeout: 30_000 })
      expect(await grid.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100)
      await page.locator('.repro-main').screenshot({ path: screenshotPath('ui-reproductions-image.png') })
      // Reference figures written for the Markdown docs show their commits as code, not as backticks.
      await page.getByTestId('repro-entry-acgan-fashion-mnist').click()
      await expect.poll(() => page.getByTestId('repro-status').textContent(), { timeout: 20_000 }).toMatch(/completed · quick/)
      const figures = page.locator('[data-metric="relativeAccuracy"] td').nth(1)
      expect(await figures.textContent()).not.toContain('`')
      expect(await figures.locator('code').allTextContents()).toEqual(['8eecd0e', '1ff6ed4', '5c0ba31'])
    })
  })

  it("a 2D run's Evaluate: the papers' protocol, the box and the workbench's 1 % rule, each with its definition", async () => {
    const runs = JSON.parse(cli(home, ['--json', 'runs', 'list', '--tag', 'reproduction:pacgan-ring8']).stdout) as { id: number }[]
    await withUi(home, `/runs/${runs[0]!.id}`, async (page) => {
      await page.getByTestId('paper-modes').waitFor()
      const panel = page.getByTestId('eval-panel')
      await page.getByTestId('evaluate').click()
      const modes = page.getByTestId('eval-modes')
      await modes.waitFor({ timeout: 120_000 })
      expect(await modes.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-protocol')))).toEqual([
        'pacgan',
        'box',
        'app',
      ])
      expect(await modes.locator('[data-protocol="app"] td').first().textContent()).toMatch(/at least 1 % of all samples/)
      expect(await page.locator('[data-metric="swd"]').count()).toBe(1)
      await panel.screenshot({ path: screenshotPath('ui-eval-2d.png') })
    })
  })
})
