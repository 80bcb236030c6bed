/**
 * The compare view in Chromium against `serve`: pick runs in the table, overlaid curves with
 * smoothing and x axes, the config diff, final metrics, grids of every run under one epoch slider,
 * and the difference view of two grids.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { cli, serve, sets } from '../helpers/cli'
import { launchBrowser, screenshotPath, watchConsole } from '../helpers/browser'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
let home: string

beforeAll(() => {
  t = tmpDir('gwb-compare-')
  home = path.join(t.dir, 'home')
  const image = [
    '--preset',
    'dcgan-mnist-bn',
    ...sets('training.epochs=2', 'training.stepsPerEpoch=2', 'training.batchSize=8', 'dataset.limit=64', 'training.evalSamples=0'),
  ]
  for (const [name, lr] of [
    ['lr-2e-4', '0.0002'],
    ['lr-1e-3', '0.001'],
  ] as const) {
    const r = cli(home, ['train', ...image, '--name', name, ...sets(`optimizers.discriminator.learningRate=${lr}`)])
    expect(r.code, r.stderr).toBe(0)
  }
})
afterAll(() => t.cleanup())

const painted = (page: Page, testId: string) =>
  page
    .getByTestId(testId)
    .locator('canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      let n = 0
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++
      return n
    })

describe('compare view', () => {
  it('compares two image runs picked in the table', async () => {
    const server = await serve(home)
    const browser = await launchBrowser()
    try {
      const page = await browser.context.newPage()
      const errors = watchConsole(page)
      await page.goto(server.url)
      await page.getByTestId('runs-table').waitFor()
      expect(await page.getByTestId('compare-runs').isDisabled()).toBe(true)
      const boxes = page.getByTestId('pick-run')
      await boxes.nth(0).check()
      await boxes.nth(1).check()
      await page.getByTestId('compare-runs').click()
      await page.waitForURL(/#\/compare\?ids=/)
      // Only the field that differs, with each run's value.
      await page.getByTestId('config-diff').filter({ hasText: 'optimizers.discriminator.learningRate' }).waitFor()
      expect(await page.getByTestId('config-diff').locator('tbody tr').count()).toBe(1)
      await expect.poll(() => painted(page, 'compare-chart-gLoss'), { timeout: 10_000 }).toBeGreaterThan(500)
      // Each chart has its curves (read per run), and one legend above them names every run in its colour.
      for (const key of ['gLoss', 'dLoss'])
        expect(Number(await page.getByTestId(`compare-chart-${key}`).locator('.chart-box').getAttribute('data-points'))).toBeGreaterThan(0)
      const legend = page.getByTestId('compare-legend').locator('li')
      expect(await legend.allTextContents()).toEqual([expect.stringMatching(/^\s*\d+ · \S/), expect.stringMatching(/^\s*\d+ · \S/)])
      const swatches = await legend.locator('.swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor))
      expect(new Set(swatches).size).toBe(2)
      await page.getByTestId('x-axis').selectOption('wallTime')
      await page.getByTestId('smoothing').fill('0')
      expect(await page.getByTestId('final-metrics').textContent()).toMatch(/gLoss/)
      // One slider moves every run's grid; the difference of two runs' grids is drawn.
      await expect.poll(() => page.getByTestId('compare-grid').count()).toBe(2)
      await page.getByTestId('compare-epoch').fill('1')
      await expect.poll(() => page.getByTestId('compare-grid').first().getAttribute('alt')).toMatch(/at epoch 1/)
      // The difference view is |A − B| of the two grids, pixel by pixel (and they do differ).
      const diffCheck = () =>
        page.evaluate(async () => {
          const grids = Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid=compare-grid]'))
          const pixels = async (src: string) => {
            const img = new Image()
            img.src = src
            await img.decode()
            const c = document.createElement('canvas')
            c.width = img.width
            c.height = img.height
            const ctx = c.getContext('2d')!
            ctx.drawImage(img, 0, 0)
            return ctx.getImageData(0, 0, c.width, c.height)
          }
          const [a, b] = await Promise.all([pixels(grids[0]!.src), pixels(grids[1]!.src)])
          const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=diff-canvas]')!
          if (canvas.width !== a.width || canvas.height !== a.height) return { wrong: -1, differing: 0 }
          const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
          let wrong = 0
          let differing = 0
          for (let i = 0; i < d.length; i += 4) {
            const expected = Math.abs(a.data[i]! - b.data[i]!)
            if (d[i] !== expected || d[i + 1] !== expected || d[i + 2] !== expected) wrong++
            if (expected > 0) differing++
          }
          return { wrong, differing }
        })
      await expect.poll(async () => (await diffCheck()).wrong, { timeout: 10_000 }).toBe(0)
      expect((await diffCheck()).differing).toBeGreaterThan(100)
      await page.screenshot({ path: screenshotPath('ui-compare.png'), fullPage: true })

      // Twin run: same config and seed with one setting flipped, opened beside the original.
      await page.goto(`${server.origin}/#/runs/1`)
      await page.getByTestId('twin-run').click()
      await page.getByTestId('twin-label-smoothing').check()
      await page.getByTestId('start-twin').click()
      await page.waitForURL(/#\/compare\?ids=1,3/)
      await page.getByTestId('config-diff').filter({ hasText: 'tricks.labelSmoothing' }).waitFor()
      expect(await page.getByTestId('config-diff').locator('tbody tr').count()).toBe(1)
      expect(await page.getByTestId('config-diff').textContent()).toMatch(/tricks\.labelSmoothing\s*0\s*0\.1/)
      expect(errors).toEqual([])
    } finally {
      await browser.close()
      await server.stop()
    }
  })

  it('shows a sweep as parallel coordinates of its settings against final metrics; a line opens its run', async () => {
    const sweepHome = path.join(t.dir, 'sweep-home')
    const r = cli(sweepHome, [
      '--json',
      'sweep',
      '-p',
      'mlp-2d-ring8',
      '-s',
      'training.epochs=1',
      '-s',
      'training.stepsPerEpoch=40',
      '-g',
      'optimizers.discriminator.learningRate=1e-5,1e-4,1e-3',
      '-n',
      'pc',
    ])
    expect(r.code, r.stderr).toBe(0)
    const server = await serve(sweepHome)
    const browser = await launchBrowser()
    try {
      const page = await browser.context.newPage()
      const errors = watchConsole(page)
      await page.goto(server.url)
      await page.goto(`${server.origin}/#/runs`)
      await page.getByTestId('pick-sweep').selectOption({ label: 'pc (3 runs)' })
      await page.getByTestId('compare-runs').click()
      const pc = page.getByTestId('parallel-coordinates')
      await pc.waitFor()
      expect(await pc.locator('[data-run-line]').count()).toBe(3)
      expect(await pc.locator('text').first().textContent()).toMatch(/^learningRate/)
      // The learning rates span 100×: a log axis puts 1e-4 half-way between 1e-5 and 1e-3.
      const ys = await pc
        .locator('[data-run-line] polyline')
        .evaluateAll((ls) => ls.map((l) => Number((l.getAttribute('points') ?? '').split(' ')[0]!.split(',')[1])))
      expect(Math.abs(ys[1]! - (ys[0]! + ys[2]!) / 2)).toBeLessThan(1)
      await page.screenshot({ path: screenshotPath('ui-parallel-coordinates.png'), fullPage: true })
      await pc.locator('[data-run-line="2"] polyline').first().dispatchEvent('click')
      await page.waitForURL(/#\/runs\/2$/)
      expect(errors).toEqual([])
    } finally {
      await browser.close()
      await server.stop()
    }
  })
})
