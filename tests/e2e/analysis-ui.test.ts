/**
 * Issue #24 in Debian Chromium against `serve` at 1440 × 900, one item per test: a comparison
 * that follows a live twin, 2D runs side by side on one epoch slider over D's decision surface,
 * a chart for any metric (a one-point chart visible), the runs table (sort, columns, config
 * search, saved views), mode coverage with its definitions and 3σ circles, the export dialog
 * offering only what works, the launcher, and the polish (Escape, header, builder, Fork).
 * Three tiny runs are trained once; the live ones are 40,000 steps long and stopped, never waited for.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { cli, lastJson, serve, sets } from '../helpers/cli'
import { launchBrowser, screenshotPath, watchConsole } from '../helpers/browser'
import { pageRequest } from '../helpers/page-request'
import { tmpDir } from '../helpers/tmp'
import type { RunRecord } from '../../src-shared/domain/run'

let t: ReturnType<typeof tmpDir>
let home: string
let context: BrowserContext
let closeBrowser: () => Promise<void>
let page: Page
let consoleErrors: string[]
let server: Awaited<ReturnType<typeof serve>>
let ringNs: RunRecord
let ringMm: RunRecord
let oneStep: RunRecord

const RING = ['--preset', 'mlp-2d-ring8', ...sets('training.epochs=3', 'training.stepsPerEpoch=40', 'training.checkpointEvery=1')]

function train(args: string[]): RunRecord {
  const r = cli(home, ['--json', 'train', ...args])
  expect(r.code, r.stderr).toBe(0)
  return lastJson<RunRecord>(r)
}

/** A contract request through the page's own origin (as the UI makes them). */
const request = <T>(name: string, payload: unknown): Promise<T> => pageRequest<T>(page, name, payload)

/**
 * Opens a route in a fresh load of the app (no dialog or state left by the test before: a hash
 * change alone keeps the view, and whatever a failed test left open on it); a run page is awaited
 * until it shows that run.
 */
const go = async (route: string) => {
  await page.goto('about:blank')
  await page.goto(`${server.origin}/#${route}`)
  const runId = /^\/runs\/(\d+)$/.exec(route)?.[1]
  if (runId)
    await page
      .locator('.run-head p.muted')
      .filter({ hasText: new RegExp(`^\\s*run ${runId} ·`) })
      .waitFor()
}

/** Pixels of a canvas, counted by a predicate on [r, g, b, a], in an optional region (fractions of the canvas). */
function countPixels(selector: string, kind: 'orange' | 'blue' | 'white' | 'opaque', region = { top: 0, bottom: 1 }) {
  return page
    .locator(selector)
    .first()
    .evaluate(
      (c: HTMLCanvasElement, [k, r]) => {
        const ctx = c.getContext('2d')!
        const y0 = Math.floor(c.height * r.top)
        const h = Math.max(1, Math.floor(c.height * (r.bottom - r.top)))
        const d = ctx.getImageData(0, y0, c.width, h).data
        let n = 0
        for (let i = 0; i < d.length; i += 4) {
          const [R, G, B, A] = [d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!]
          const hit =
            k === 'opaque'
              ? A > 200
              : k === 'white'
                ? R > 235 && G > 235 && B > 235 && A > 200
                : k === 'orange'
                  ? R > 200 && G > 130 && G < 200 && B < 90 && A > 150
                  : R < 120 && G > 120 && B > 200 && A > 150
          if (hit) n++
        }
        return n
      },
      [kind, region] as const,
    )
}

beforeAll(async () => {
  t = tmpDir('gwb-analysis-')
  home = path.join(t.dir, 'home')
  ringNs = train([...RING, '--name', 'ring-ns'])
  ringMm = train([...RING, '--name', 'ring-minimax', ...sets('loss.generator=minimax')])
  // One logged step: every chart of this run has one point.
  oneStep = train([
    '--preset',
    'dcgan-mnist',
    '--name',
    'one-step',
    ...sets('dataset.limit=64', 'training.evalSamples=0', 'training.batchSize=4', 'training.epochs=1', 'training.stepsPerEpoch=1'),
  ])
  // No TensorFlow converter, whatever this machine has: the SavedModel export is off, deterministically.
  process.env.GAN_WORKBENCH_TFJS_CONVERTER = path.join(t.dir, 'no-converter-here')
  server = await serve(home)
  delete process.env.GAN_WORKBENCH_TFJS_CONVERTER
  ;({ context, close: closeBrowser } = await launchBrowser())
  page = await context.newPage()
  await page.setViewportSize({ width: 1440, height: 900 })
  consoleErrors = watchConsole(page)
  await page.goto(server.url)
})
afterAll(async () => {
  await closeBrowser?.()
  await server?.stop()
  t?.cleanup()
})

describe('analysis UI (#24)', () => {
  it('8. the runs table fits 1440 × 900 with the default columns: no horizontal scrolling, names readable', async () => {
    // A run as researchers leave them: tagged, with a note longer than its cell.
    await request('runs.tag', { id: ringNs.id, add: ['baseline', 'lr-sweep-2026', 'paper-repro'] })
    await request('runs.note', {
      id: ringNs.id,
      notes: 'Why this run differs from the preset, and what to look at in its scatter next time',
    })
    try {
      await go('/runs')
      await page.locator(`[data-run-id="${ringNs.id}"] .tag`).first().waitFor()
      const fit = await page.evaluate(() => {
        const wrap = document.querySelector('.table-wrap') as HTMLElement
        const name = document.querySelector('[data-testid=col-name]') as HTMLElement
        return {
          scroll: wrap.scrollWidth,
          client: wrap.clientWidth,
          page: document.documentElement.scrollWidth,
          name: name.getBoundingClientRect().width,
        }
      })
      expect(fit.scroll, `the table is ${fit.scroll} px wide in ${fit.client} px`).toBeLessThanOrEqual(fit.client)
      expect(fit.page).toBeLessThanOrEqual(1440)
      expect(fit.name, 'the name column is squeezed').toBeGreaterThanOrEqual(120)
      await page.screenshot({ path: screenshotPath('analysis-runs-table-1440.png') })
    } finally {
      await request('runs.tag', { id: ringNs.id, remove: ['baseline', 'lr-sweep-2026', 'paper-repro'] })
      await request('runs.note', { id: ringNs.id, notes: '' })
    }
  })

  it('4. runs table: sorts by a column, adds hyperparameter and metric columns, searches config values, saves a view', async () => {
    await go('/runs')
    const order = () =>
      page.locator('[data-testid=runs-table] tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))))
    await expect.poll(order).toEqual([3, 2, 1])
    await page.getByTestId('col-name').click() // names ascending: one-step, ring-minimax, ring-ns
    await expect.poll(order).toEqual([oneStep.id, ringMm.id, ringNs.id])
    await page.getByTestId('col-name').click()
    await expect.poll(order).toEqual([ringNs.id, ringMm.id, oneStep.id])
    expect(await page.getByTestId('col-name').getAttribute('aria-sort')).toBe('descending')

    await page.getByTestId('columns-button').click()
    await page.getByTestId('column-search').fill('loss.gen')
    await page.getByTestId('column-c:loss.generator').check()
    await page.getByTestId('column-search').fill('papers')
    await page.getByTestId('column-m:pacganModes').check()
    await page.getByTestId('column-search').fill('')
    for (const id of ['backend', 'samplesPerSec', 'notes']) await page.getByTestId(`column-${id}`).uncheck()
    await page.getByTestId('columns-done').click()
    expect(await page.getByTestId('col-backend').count()).toBe(0)
    const cell = (id: number, col: string) => page.locator(`[data-run-id="${id}"] [data-col="${col}"]`).textContent()
    expect(await cell(ringMm.id, 'c:loss.generator')).toBe('minimax')
    expect(await cell(ringNs.id, 'c:loss.generator')).toBe('non-saturating')
    expect(await cell(ringNs.id, 'm:pacganModes')).toMatch(/^[0-8]$/)
    expect(await cell(oneStep.id, 'm:pacganModes')).toBe('—')
    // Sorting by the metric column: the image run (no value) goes last either way.
    await page.getByTestId('col-m:pacganModes').click()
    await expect.poll(async () => (await order()).at(-1)).toBe(oneStep.id)

    await page.getByTestId('run-search').fill('minimax')
    await expect.poll(order).toEqual([ringMm.id])
    await page.getByTestId('run-search').fill('loss.generator=non-saturating')
    await expect.poll(async () => (await order()).sort()).toEqual([ringNs.id, oneStep.id].sort())
    await page.getByTestId('run-search').fill('minimax')
    await expect.poll(order).toEqual([ringMm.id])
    await page.getByTestId('new-view').click()
    await page.getByTestId('view-name').fill('minimax runs')
    await page.getByTestId('save-view').click()

    // A reload starts from the remembered columns; the saved view brings back its search.
    await page.reload()
    await page.getByTestId('col-c:loss.generator').waitFor()
    await page.getByTestId('run-search').fill('')
    await expect.poll(async () => (await order()).length).toBe(3)
    await page.getByTestId('saved-views').selectOption('minimax runs')
    await expect.poll(() => page.getByTestId('run-search').inputValue()).toBe('minimax')
    await expect.poll(order).toEqual([ringMm.id])
    await page.getByTestId('run-search').fill('')
    // Multi-select → compare.
    await expect.poll(async () => (await order()).length).toBe(3)
    await page.getByTestId('pick-all').check()
    await expect.poll(() => page.getByTestId('compare-runs').textContent()).toMatch(/Compare 3/)
    await page.screenshot({ path: screenshotPath('analysis-runs-table.png') })
  })

  it("2. two 2D runs on one epoch slider, each over its D's decision surface; overlay and flicker of the two", async () => {
    await go(`/compare?ids=${ringNs.id},${ringMm.id}`)
    const figs = page.getByTestId('compare-scatter')
    await expect.poll(() => figs.count()).toBe(2)
    const captions = page.getByTestId('compare-scatter-caption')
    await expect.poll(() => captions.allTextContents()).toEqual(['epoch 3', 'epoch 3'])
    await page.getByTestId('compare-scatter-epoch').fill('0')
    await expect.poll(() => captions.allTextContents()).toEqual(['epoch 1', 'epoch 1'])
    expect(await page.getByTestId('compare-scatter-at').textContent()).toBe('epoch 1 of 3')
    expect(await page.getByTestId('compare-scatters').locator('h2').textContent()).toMatch(/the same fixed z in every run/)
    // The heat map fills each plot's frame: most of the canvas is opaque (points alone cover little).
    for (const i of [0, 1]) {
      await expect.poll(() => figs.nth(i).locator('.scatter-box').getAttribute('data-surface')).toBe('drawn')
      const opaque = await countPixels(`[data-testid=compare-scatter]:nth-child(${i + 1}) canvas`, 'opaque')
      const size = await figs
        .nth(i)
        .locator('canvas')
        .evaluate((c: HTMLCanvasElement) => c.width * c.height)
      expect(opaque / size).toBeGreaterThan(0.45)
    }
    await page.getByTestId('compare-toggle-surface').uncheck()
    await expect
      .poll(
        async () =>
          (await countPixels('[data-testid=compare-scatter] canvas', 'opaque')) /
          (await figs
            .first()
            .locator('canvas')
            .evaluate((c: HTMLCanvasElement) => c.width * c.height)),
      )
      .toBeLessThan(0.2)
    await page.getByTestId('compare-toggle-surface').check()
    await page.getByTestId('compare-scatters').screenshot({ path: screenshotPath('analysis-compare-2d-side-by-side.png') })

    // Overlay: both runs' points on one plot, in their colours (orange, blue).
    await page.getByTestId('scatter-mode-overlay').check()
    await page.getByTestId('compare-overlay').waitFor()
    await expect.poll(() => countPixels('[data-testid=compare-overlay] canvas', 'orange')).toBeGreaterThan(30)
    await expect.poll(() => countPixels('[data-testid=compare-overlay] canvas', 'blue')).toBeGreaterThan(30)
    await page.getByTestId('compare-scatters').screenshot({ path: screenshotPath('analysis-compare-2d-overlay.png') })
    // Flicker: the one plot takes turns showing each run.
    await page.getByTestId('scatter-mode-flicker').check()
    const flicker = page.getByTestId('flicker-caption')
    const seen = new Set<string>()
    await expect
      .poll(
        async () => {
          seen.add(((await flicker.textContent()) ?? '').replace(/\(.*\)/, '').trim())
          return seen.size
        },
        { timeout: 10_000 },
      )
      .toBe(2)
    await page.getByTestId('scatter-mode-side').check()
  })

  it('8. final metrics mark the better value of each row; per-epoch series are not smoothed; evalSamples is no metric', async () => {
    await go(`/compare?ids=${ringNs.id},${ringMm.id}`)
    const table = page.getByTestId('final-metrics')
    await table.locator('[data-metric="diversity"]').waitFor()
    const values = (await table.locator('[data-metric="diversity"] td.num').allTextContents()).map((v) => parseFloat(v))
    const best = await table
      .locator('[data-metric="diversity"] td.num')
      .evaluateAll((tds) => tds.map((td) => td.classList.contains('best')))
    expect(best).toEqual(values.map((v) => v === Math.max(...values)))
    expect(await table.locator('[data-metric="dLoss"] td.best').count()).toBe(0) // a loss has no better side
    expect(await table.locator('[data-metric="evalSamples"]').count()).toBe(0)
    expect(await page.getByTestId('compare-pick-evalSamples').count()).toBe(0)
    await page.getByTestId('compare-pick-diversity').check()
    expect(await page.getByTestId('compare-chart-diversity').locator('h3').textContent()).toMatch(/per epoch, not smoothed/)
  })

  it('3. the multi-run tooltip shows every run at the cursor', async () => {
    await go(`/compare?ids=${ringNs.id},${ringMm.id}`)
    const chart = page.getByTestId('compare-chart-dLoss').locator('canvas')
    await chart.waitFor()
    await chart.scrollIntoViewIfNeeded()
    const box = (await chart.boundingBox())!
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4, { steps: 4 })
    const rows = page.getByTestId('compare-chart-dLoss').getByTestId('chart-tip-row')
    await expect.poll(() => rows.count()).toBe(2)
    const text = (await rows.allTextContents()).join(' | ')
    expect(text).toContain(`${ringNs.id} · ring-ns:`)
    expect(text).toContain(`${ringMm.id} · ring-minimax:`)
    // The legend down to the hovered chart, as the page shows it now: a screenshot of the whole
    // card (taller than the window) scrolled, and the tooltip went with the mouse.
    expect(await page.getByTestId('compare-chart-dLoss').getByTestId('chart-tooltip').isVisible()).toBe(true)
    const card = (await page.getByTestId('compare-charts').boundingBox())!
    const legend = (await page.getByTestId('compare-legend').boundingBox())!
    const hovered = (await page.getByTestId('compare-chart-dLoss').boundingBox())!
    const top = Math.max(0, legend.y - 10)
    await page.screenshot({
      path: screenshotPath('analysis-compare-tooltip.png'),
      clip: { x: card.x, y: top, width: card.width, height: hovered.y + hovered.height + 10 - top },
    })
  })

  it('3. a one-point chart is visible; any metric can be charted, remembered, on a log scale; the Config panel names the preset and what differs', async () => {
    await go(`/runs/${oneStep.id}`)
    const losses = 'loss-chart'
    await page.getByTestId(losses).locator('canvas').waitFor()
    // The canvas can exist before the run's metrics arrive: wait for the points, never read them once.
    await expect.poll(() => page.getByTestId(losses).getAttribute('data-points')).toBe('2')
    // The one logged step is drawn as a point (above the legend, which also has an orange box).
    await expect.poll(() => countPixels(`[data-testid=${losses}] canvas`, 'orange', { top: 0, bottom: 0.7 })).toBeGreaterThan(5)
    await page.getByTestId('chart-chooser').locator('summary').click()
    await page.getByTestId('chart-pick-gradNorms').check()
    await page.getByTestId('run-chart-gradNorms').locator('canvas').waitFor()
    await page.getByTestId('run-log').check()
    await expect.poll(() => page.getByTestId(losses).getAttribute('data-scale')).toBe('log')
    await page.reload()
    await page.getByTestId('run-chart-gradNorms').locator('canvas').waitFor()
    expect(await page.getByTestId('run-log').isChecked()).toBe(true)
    await page.getByTestId('run-log').uncheck()
    // Config: the closest preset and what differs from it.
    await page.getByTestId('config-panel').locator('summary').click()
    const note = page.getByTestId('preset-note')
    await expect.poll(() => note.textContent()).toMatch(/Differs from preset dcgan-mnist/)
    expect(await page.locator('[data-testid=config-table] tr.differs[data-path="training.epochs"]').textContent()).toMatch(
      /1\s*· preset: 20/,
    )
    await page.getByTestId('config-filter').fill('batchSize')
    await expect.poll(() => page.locator('[data-testid=config-table] tr[data-path]').count()).toBe(1)
    await page.getByTestId('metric-charts').screenshot({ path: screenshotPath('analysis-run-charts-one-point.png') })
  })

  it('5. mode coverage says which definition each number is, in place, and the 3σ circles are drawn on the scatter', async () => {
    await go(`/runs/${ringNs.id}`)
    const coverage = page.getByTestId('mode-coverage')
    await coverage.waitFor()
    expect(await coverage.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-protocol')))).toEqual([
      'pacgan',
      'box',
      'app',
    ])
    const lines = await coverage.getByTestId('mode-definition').allTextContents()
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/below 3σ/)
    expect(lines[2]).toMatch(/at least 1 % of all samples/)
    expect(await page.getByTestId('paper-modes').textContent()).toMatch(/^[0-8] \/ 8$/)
    expect(await coverage.textContent()).toMatch(/2,500 samples/)
    expect(await page.getByTestId('metric-charts').getByTestId('chart-pick-evalSamples').count()).toBe(0)
    const scatter = page.locator('.scatter-box').first()
    await expect.poll(() => scatter.getAttribute('data-circles')).toBe('8')
    await expect.poll(() => scatter.getAttribute('data-surface')).toBe('drawn')
    const white = await countPixels('.scatter-box canvas', 'white')
    expect(white).toBeGreaterThan(30)
    expect(await page.getByTestId('scatter-legend').textContent()).toMatch(/circles: 3σ \(0\.06\) around each mode/)
    // The card down to its legend (the grid row stretches the card far below it).
    const card = (await page
      .locator('.card')
      .filter({ has: page.getByTestId('scatter') })
      .boundingBox())!
    const legend = (await page.getByTestId('scatter-legend').boundingBox())!
    await page.screenshot({
      path: screenshotPath('analysis-run-2d-surface-circles.png'),
      clip: { x: card.x, y: card.y, width: card.width, height: legend.y + legend.height + 12 - card.y },
    })
    await page.getByTestId('toggle-circles').uncheck()
    await expect.poll(() => scatter.getAttribute('data-circles')).toBe('0')
    await expect.poll(() => countPixels('.scatter-box canvas', 'white')).toBeLessThan(white / 2)
    await page.getByTestId('toggle-circles').check()
    // Per epoch: the slider shows epoch 1's saved points over epoch 1's surface.
    await page.getByTestId('scatter-epoch').fill('0')
    await expect.poll(() => page.getByTestId('scatter-caption').textContent()).toBe('epoch 1 of 3')
    await expect.poll(() => scatter.getAttribute('data-surface')).toBe('drawn')
    await page.getByTestId('mode-coverage').screenshot({ path: screenshotPath('analysis-mode-coverage.png') })
  })

  it('6. the export dialog offers only what works for the run and says why the rest is off; no stale progress beside an error', async () => {
    await go(`/runs/${ringNs.id}`)
    await page.getByTestId('export-run').click()
    await page.getByTestId('export-why-discriminator').waitFor()
    expect(await page.getByTestId('export-discriminator').isDisabled()).toBe(true)
    expect(await page.getByTestId('export-why-discriminator').textContent()).toMatch(/reads 2D points, not images/)
    expect(await page.getByTestId('export-savedmodel').isDisabled()).toBe(true)
    expect(await page.getByTestId('export-why-savedmodel').textContent()).toMatch(/pip install tensorflowjs/)
    expect(await page.getByTestId('export-tfjs').isChecked()).toBe(true)
    // Every reason in words: no CLI flag.
    for (const why of await page.locator('[data-testid^=export-why-]').allTextContents()) expect(why).not.toMatch(/--\w/)
    // The checkpoint select follows the dark theme (a white native control did not).
    const bg = await page.getByTestId('export-step').evaluate((s) => getComputedStyle(s).backgroundColor)
    expect(bg).not.toBe('rgb(255, 255, 255)')
    await page.screenshot({ path: screenshotPath('analysis-export-dialog.png') })
    await page.keyboard.press('Escape')
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' })

    // An export that fails (its checkpoint gone from disk): the error alone, no "exporting…" beside it.
    for (const dir of fs.readdirSync(path.join(home, 'runs', String(oneStep.id), 'checkpoints'))) {
      fs.rmSync(path.join(home, 'runs', String(oneStep.id), 'checkpoints', dir, 'weights.bin'), { force: true })
    }
    await go(`/runs/${oneStep.id}`)
    await page.getByTestId('export-run').click()
    await expect.poll(() => page.getByTestId('export-tfjs').isChecked()).toBe(true)
    await page.getByTestId('start-export').click()
    await page.getByTestId('export-error').waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('export-progress').count()).toBe(0)
    expect(await page.getByTestId('export-error').textContent()).not.toMatch(/--\w/)
    await page.keyboard.press('Escape')
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' })
  })

  it('7. launcher: presets by family with search, plain validation, no sizes or iterations while invalid, the default-name hint', async () => {
    await go('/new')
    const families = page.locator('.preset-family')
    await expect
      .poll(() => families.evaluateAll((f) => f.map((x) => x.getAttribute('data-family'))))
      .toEqual(['points', 'images', 'conditional', 'translation'])
    expect(
      await families
        .first()
        .locator('[data-preset]')
        .evaluateAll((b) => b.map((x) => x.getAttribute('data-preset'))),
    ).toContain('mlp-2d-ring8-wgan-gp')
    await page.getByTestId('preset-search').fill('wgan')
    await expect
      .poll(() => page.locator('[data-preset]').evaluateAll((b) => b.map((x) => x.getAttribute('data-preset'))))
      .toEqual(['mlp-2d-ring8-wgan', 'mlp-2d-ring8-wgan-gp'])
    await page.getByTestId('preset-search').fill('')
    await page.locator('[data-preset="mlp-2d-ring8"]').click()
    await page.getByTestId('model-summary').filter({ hasText: '17,410' }).waitFor()
    expect(await page.getByTestId('iterations').textContent()).toBe('3,000')
    expect(await page.getByTestId('name-hint').textContent()).toMatch(/run-N/)
    await page.getByTestId('run-name').fill('x')
    expect(await page.getByTestId('name-hint').count()).toBe(0)

    await page.getByTestId('epochs').fill('')
    await expect.poll(() => page.getByTestId('config-errors').textContent()).toMatch(/training\.epochs\s*enter a whole number/)
    expect(await page.getByTestId('iterations').count()).toBe(0)
    expect(await page.getByTestId('model-summary').textContent()).not.toMatch(/—/)
    await page.getByTestId('epochs').fill('-12.5')
    await expect.poll(() => page.getByTestId('config-errors').textContent()).toMatch(/enter a whole number/)
    expect(await page.getByTestId('iterations').count()).toBe(0)
    expect(await page.getByTestId('summary-pending').textContent()).toMatch(/appear when the settings are valid/)
    expect(await page.getByTestId('start-run').isDisabled()).toBe(true)
    await page.getByTestId('epochs').fill('0')
    await expect.poll(() => page.getByTestId('config-errors').textContent()).toMatch(/must be at least 1/)
    expect(await page.getByTestId('config-errors').textContent()).not.toMatch(/expected|received/)
    await page.screenshot({ path: screenshotPath('analysis-launcher.png') })
    await page.getByTestId('epochs').fill('3')
    await expect.poll(() => page.getByTestId('start-run').isDisabled()).toBe(false)
  })

  it("7. picking another preset with the builder's models loaded asks first: cancel, keep them, or use the preset's own", async () => {
    await go('/builder?preset=mlp-2d-ring8')
    await expect.poll(() => page.getByTestId('total-generator').textContent()).toBe('17,410')
    await page.getByTestId('use-in-run').click()
    await page.getByTestId('builder-models').waitFor()
    await page.locator('[data-preset="mlp-2d-ring8-lsgan"]').click()
    await page.getByTestId('keep-models-dialog').waitFor()
    await page.keyboard.press('Escape') // never mind: nothing changes
    await page.getByTestId('keep-models-dialog').waitFor({ state: 'detached' })
    expect(await page.locator('.preset.active').getAttribute('data-preset')).toBe('mlp-2d-ring8')
    await page.locator('[data-preset="mlp-2d-ring8-lsgan"]').click()
    await page.getByTestId('keep-builder').click()
    await expect.poll(() => page.locator('.preset.active').getAttribute('data-preset')).toBe('mlp-2d-ring8-lsgan')
    expect(await page.getByTestId('builder-models').count()).toBe(1)
    await page.locator('[data-preset="mlp-2d-gaussian"]').click()
    await page.getByTestId('keep-own').click()
    await expect.poll(() => page.getByTestId('builder-models').count()).toBe(0)
    expect(await page.locator('.preset.active').getAttribute('data-preset')).toBe('mlp-2d-gaussian')
  })

  it('8. Fork: key=value lines complete config paths, and each problem is listed on its own line', async () => {
    await go(`/runs/${ringNs.id}`)
    await page.getByTestId('fork-run').click()
    const box = page.getByTestId('fork-changes')
    await box.click()
    await page.keyboard.type('optimizers.disc')
    const suggestions = page.getByTestId('fork-suggestions')
    await expect
      .poll(() => suggestions.locator('li').allTextContents())
      .toContainEqual(expect.stringContaining('optimizers.discriminator.learningRate'))
    expect(await suggestions.textContent()).not.toMatch(/generator\.layers/)
    await suggestions.locator('li', { hasText: 'optimizers.discriminator.learningRate' }).dispatchEvent('mousedown')
    await expect.poll(() => box.inputValue()).toBe('optimizers.discriminator.learningRate=0.001')
    await page.keyboard.type('-1') // the value was selected: typed over
    await page.keyboard.press('End')
    await page.keyboard.press('Enter')
    await page.keyboard.type('training.epochs=0\ngenerator.layers.0.units=3\nnot-a-line')
    const problems = page.getByTestId('fork-problems').locator('li')
    await expect
      .poll(() => problems.allTextContents(), { timeout: 10_000 })
      .toEqual([
        expect.stringMatching(/^line 3: a fork keeps the parent's generator/),
        expect.stringMatching(/^line 4: write it as key=value/),
      ])
    await box.fill('optimizers.discriminator.learningRate=-1\ntraining.epochs=0')
    await expect
      .poll(() => problems.allTextContents(), { timeout: 10_000 })
      .toEqual(['line 1: optimizers.discriminator.learningRate: must be more than 0', 'line 2: training.epochs: must be at least 1'])
    expect(await page.getByTestId('fork-submit').isDisabled()).toBe(true)
    await page.getByTestId('fork-dialog').screenshot({ path: screenshotPath('analysis-fork-dialog.png') })
    await page.keyboard.press('Escape')
    await page.getByTestId('fork-dialog').waitFor({ state: 'detached' })
  })

  it('8. every dialog closes on Escape; the header buttons stay on one row at 1440 px; the builder fills the window', async () => {
    await go(`/runs/${oneStep.id}`)
    const actions = page.getByTestId('run-actions')
    await actions.getByTestId('use-discriminator').waitFor() // an image run with a checkpoint: every button there is
    const geometry = await actions
      .locator('.btn')
      .evaluateAll((bs) => bs.map((b) => ({ top: Math.round(b.getBoundingClientRect().top), h: b.getBoundingClientRect().height })))
    expect(geometry.length).toBeGreaterThanOrEqual(8)
    expect(new Set(geometry.map((g) => g.top)).size).toBe(1) // one row
    expect(Math.max(...geometry.map((g) => g.h))).toBeLessThan(40) // no label on two lines
    for (const [button, dialog] of [
      ['fork-run', 'fork-dialog'],
      ['twin-run', 'twin-dialog'],
      ['export-run', 'export-dialog'],
      ['make-dataset', 'synth-dialog'],
      ['delete-run', 'delete-dialog'],
    ] as const) {
      await page.getByTestId(button).click()
      await page.getByTestId(dialog).waitFor()
      await page.keyboard.press('Escape')
      await page.getByTestId(dialog).waitFor({ state: 'detached' })
    }
    await go('/runs')
    await page.getByRole('button', { name: `delete run ${oneStep.id}` }).click()
    await page.getByRole('dialog').waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    await page.getByTestId('columns-button').click()
    await page.getByTestId('column-chooser').waitFor()
    await page.keyboard.press('Escape')
    await page.getByTestId('column-chooser').waitFor({ state: 'detached' })

    await go('/builder?preset=dcgan-mnist')
    await expect.poll(() => page.getByTestId('total-generator').textContent()).toBe('1,164,289')
    const palette = await page.locator('.palette').evaluate((p) => ({ scroll: p.scrollHeight, client: p.clientHeight }))
    expect(palette.scroll).toBeLessThanOrEqual(palette.client + 1) // nothing cut off
    const canvas = (await page.getByTestId('builder-canvas').boundingBox())!
    expect(canvas.y + canvas.height).toBeGreaterThan(900 - 110) // down to the actions row at the window's bottom
    expect(canvas.height).toBeGreaterThan(600)
    await page.screenshot({ path: screenshotPath('analysis-builder-1440.png') })
  })

  it('1. an open comparison follows a twin started from a run page: live steps and curves, then its stop, without a reload; a running run says Stop to delete', async () => {
    // 40,000 steps: running whenever the page looks, stopped at the end, never waited for.
    const parent = await request<RunRecord>('runs.start', {
      preset: 'mlp-2d-ring8',
      name: 'live-parent',
      overrides: ['training.epochs=400', 'training.stepsPerEpoch=100'],
    })
    try {
      await go(`/runs/${parent.id}`)
      await page.getByTestId('status').filter({ hasText: 'running' }).waitFor({ timeout: 60_000 })
      expect((await page.getByTestId('delete-run').textContent())?.trim()).toBe('Stop to delete')
      expect(await page.getByTestId('delete-run').isDisabled()).toBe(true)
      await page.getByTestId('twin-run').click()
      await page.getByTestId('twin-label-smoothing').check()
      await page.getByTestId('start-twin').click()
      await page.waitForURL(/#\/compare\?ids=/)
      const twinId = Number(new URL(page.url().replace('#/', '')).searchParams.get('ids')!.split(',')[1])
      const chip = page.getByTestId(`compare-run-${twinId}`)
      await chip.getByTestId('status').filter({ hasText: 'running' }).waitFor({ timeout: 60_000 })
      const stepOf = async () => Number(((await chip.textContent()) ?? '').match(/step ([\d,]+)/)![1]!.replace(/,/g, ''))
      await expect.poll(stepOf, { timeout: 60_000 }).toBeGreaterThan(0)
      const first = await stepOf()
      await expect.poll(stepOf, { timeout: 30_000 }).toBeGreaterThan(first)
      // Its curves grow too: the dLoss chart holds more points than a moment ago.
      const points = () => page.getByTestId('compare-chart-dLoss').locator('.chart-box').getAttribute('data-points').then(Number)
      const before = await points()
      await expect.poll(points, { timeout: 30_000 }).toBeGreaterThan(before)
      await page.screenshot({ path: screenshotPath('analysis-compare-live-twin.png'), fullPage: true })
      await request('runs.stop', { id: twinId })
      await chip.getByTestId('status').filter({ hasText: 'stopped' }).waitFor({ timeout: 60_000 })
      // Its final values are in the table (the stored record, re-read on the status change).
      const dLoss = await page.getByTestId('final-metrics').locator('[data-metric="dLoss"] td.num').nth(1).textContent()
      expect(Number(dLoss)).toBeGreaterThan(0)
      await go(`/runs/${twinId}`)
      await expect.poll(() => page.getByTestId('delete-run').textContent()).toBe('Delete…')
    } finally {
      await request('runs.stop', { id: parent.id }).catch(() => {})
    }
  })

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([])
  })
})
