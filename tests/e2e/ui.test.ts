/**
 * The foundation's end-to-end slice in Debian Chromium against server mode: start a 2D run from
 * the UI, watch live curves and the scatter, stop it, restart the server, find it in the list.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { autoTrainingBackend, cli, lastJson, serve, sets } from '../helpers/cli'
import type { RunRecord } from '../../src-shared/domain/run'
import { launchBrowser, screenshotPath, watchConsole } from '../helpers/browser'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
let home: string
let context: BrowserContext
let closeBrowser: () => Promise<void>
let page: Page
let consoleErrors: string[]

beforeAll(async () => {
  t = tmpDir('gwb-ui-')
  home = path.join(t.dir, 'home')
  ;({ context, close: closeBrowser } = await launchBrowser())
  page = await context.newPage()
  consoleErrors = watchConsole(page)
})
afterAll(async () => {
  await closeBrowser?.()
  t.cleanup()
})

/** A two-step run of an image preset (no per-epoch image metrics), served and open on its page. */
async function openTinyRun(preset: string, name: string) {
  const trained = cli(home, [
    '--json',
    'train',
    '--preset',
    preset,
    '--name',
    name,
    ...sets('dataset.limit=64', 'training.evalSamples=0', 'training.batchSize=4', 'training.epochs=1', 'training.stepsPerEpoch=2'),
  ])
  expect(trained.code, trained.stderr).toBe(0)
  const run = lastJson<RunRecord>(trained)
  const server = await serve(home)
  await page.goto(`${server.url}#/runs/${run.id}`)
  return { run, server }
}

describe('workbench UI in server mode', () => {
  it('refuses a visit without the token', async () => {
    const server = await serve(home)
    try {
      const p = await context.newPage()
      const res = await p.goto(server.origin)
      expect(res!.status()).toBe(401)
      expect(await p.textContent('body')).toMatch(/open the URL printed by `gan-workbench serve`/)
      await p.close()
    } finally {
      await server.stop()
    }
  })

  it('starts a 2D run, streams live curves and the scatter, stops it, and lists it after a restart', async () => {
    let server = await serve(home)
    try {
      await page.goto(server.url)
      await page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor()
      expect(new URL(page.url()).searchParams.has('token')).toBe(false) // token kept out of history

      await page.getByRole('navigation').getByRole('link', { name: 'New run' }).click()
      await page.locator('[data-preset="mlp-2d-ring8"]').click()
      await page.getByTestId('model-summary').filter({ hasText: '17,410' }).waitFor()

      // Inline validation: an invalid value names the field and blocks the launch.
      await page.getByTestId('epochs').fill('0')
      await page.getByTestId('config-errors').filter({ hasText: 'training.epochs' }).waitFor()
      expect(await page.getByTestId('start-run').isDisabled()).toBe(true)

      // 40,000 steps: still running whenever the page acts on it, on any machine (it is stopped, never waited for).
      await page.getByTestId('epochs').fill('400')
      // A trick the model cannot take: the MLP generator has no batch norm to virtualise.
      await page.getByTestId('virtual-batch-norm').fill('64')
      await page.getByTestId('config-errors').filter({ hasText: 'tricks.virtualBatchNorm' }).waitFor()
      expect(await page.getByTestId('start-run').isDisabled()).toBe(true)
      await page.getByTestId('virtual-batch-norm').fill('0')
      await page.getByTestId('run-name').fill('ui-ring8')
      await expect.poll(() => page.getByTestId('start-run').isDisabled()).toBe(false)
      await page.screenshot({ path: screenshotPath('ui-new-run.png') })
      await page.getByTestId('start-run').click()

      await page.waitForURL(/#\/runs\/\d+$/)
      await page.getByTestId('status').filter({ hasText: 'running' }).waitFor()
      // Live: the step counter advances and the metrics fill in.
      const stepOf = async () => Number((await page.getByTestId('step').textContent())!.replace(/[^\d/]/g, '').split('/')[0])
      await expect.poll(stepOf, { timeout: 60_000 }).toBeGreaterThan(300)
      const first = await stepOf()
      await expect.poll(stepOf, { timeout: 30_000 }).toBeGreaterThan(first)
      expect(await page.getByTestId('dLoss').textContent()).toMatch(/^\d+\.\d{4}$/)
      expect(await page.getByTestId('backend').textContent()).toMatch(new RegExp(`backend: ${autoTrainingBackend(home)} — \\S`))
      // The loss chart and the scatter have drawn something (not a blank canvas).
      const painted = (testId: string) =>
        page
          .getByTestId(testId)
          .locator('canvas')
          .or(page.locator(`canvas[data-testid="${testId}"]`))
          .first()
          .evaluate((c: HTMLCanvasElement) => {
            const ctx = c.getContext('2d')!
            const d = ctx.getImageData(0, 0, c.width, c.height).data
            let n = 0
            for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++
            return n
          })
      expect(await painted('loss-chart')).toBeGreaterThan(1000)
      expect(await painted('scatter')).toBeGreaterThan(1000)
      await page.screenshot({ path: screenshotPath('ui-run-live.png') })

      await page.getByTestId('stop-run').click()
      await page.getByTestId('status').filter({ hasText: 'stopped' }).waitFor({ timeout: 30_000 })
      // Resume continues from the checkpoint the stop wrote; stop it again.
      const stoppedAt = await stepOf()
      await page.getByTestId('resume-run').click()
      await page
        .getByTestId('status')
        .filter({ hasText: /queued|running/ })
        .waitFor()
      await expect.poll(stepOf, { timeout: 60_000 }).toBeGreaterThan(stoppedAt)
      await page.getByTestId('stop-run').click()
      await page.getByTestId('status').filter({ hasText: 'stopped' }).waitFor({ timeout: 30_000 })
      const url = page.url()
      const runPath = new URL(url).hash

      // Restart the server: the run is still there, stopped, with its curves. (The page leaves
      // first: while the server is down its reconnect attempts would be refused, rightly.)
      await page.goto('about:blank')
      await server.stop()
      server = await serve(home)
      await page.goto(server.url)
      const row = page.locator('[data-testid=runs-table] tr').filter({ has: page.getByRole('link', { name: 'ui-ring8', exact: true }) })
      await row.waitFor()
      expect(await row.getByTestId('status').textContent()).toBe('stopped')
      await page.screenshot({ path: screenshotPath('ui-runs-after-restart.png') })
      await page.goto(`${server.origin}/${runPath}`)
      await expect.poll(() => painted('loss-chart'), { timeout: 10_000 }).toBeGreaterThan(1000)
      await expect.poll(() => painted('scatter'), { timeout: 10_000 }).toBeGreaterThan(1000)
      // The health panel reads the run's stored diagnoses (a short healthy run has none).
      await page
        .getByTestId('health')
        .filter({ hasText: /No problems recognised|from step/ })
        .waitFor()
      await page.screenshot({ path: screenshotPath('ui-run-stopped.png') })
      // Fork it from its last checkpoint with a lower D learning rate.
      // Two epochs past the checkpoint the last stop wrote (at the stop's epoch, rounded up; 100 steps
      // an epoch): how far the parent got depends on the machine, so the fork's length follows it.
      const forkEpochs = Math.ceil((await stepOf()) / 100) + 2
      await page.getByTestId('fork-run').click()
      await page.getByTestId('fork-changes').fill(`optimizers.discriminator.learningRate=0.0005\ntraining.epochs=${forkEpochs}`)
      await page.screenshot({ path: screenshotPath('ui-fork.png') })
      await page.getByTestId('fork-submit').click()
      await page.getByText(/forked from/).waitFor()
      await page
        .getByTestId('status')
        .filter({ hasText: /running|completed/ })
        .waitFor()
      await page.getByTestId('status').filter({ hasText: 'completed' }).waitFor({ timeout: 60_000 })
    } finally {
      await page.goto('about:blank')
      await server.stop()
    }
  })

  it('tags, notes and deletes a run from the list, with confirmation', async () => {
    const server = await serve(home)
    try {
      await page.goto(server.url)
      const row = page.locator('[data-testid=runs-table] tr').filter({ has: page.getByRole('link', { name: 'ui-ring8', exact: true }) })
      await row.waitFor()
      await row.getByPlaceholder('+ tag').fill('baseline')
      await row.getByPlaceholder('+ tag').press('Enter')
      await row.locator('.tag', { hasText: 'baseline' }).waitFor()
      await page.getByTestId('run-search').fill('baseline')
      await expect.poll(() => page.locator('[data-testid=runs-table] tbody tr').count()).toBe(1)
      await row.getByRole('button', { name: /delete run/ }).click()
      await page.getByRole('dialog').waitFor()
      await page.screenshot({ path: screenshotPath('ui-delete-confirm.png') })
      await page.getByTestId('confirm-delete').click()
      await page.getByText('No runs match.').waitFor()
    } finally {
      await page.goto('about:blank')
      await server.stop()
    }
  })

  it("shows an image run's per-epoch sample grids with an epoch slider", async () => {
    const trained = cli(home, [
      '--json',
      'train',
      '--preset',
      'dcgan-mnist',
      '--name',
      'tiny-dcgan',
      ...sets('dataset.limit=64', 'training.evalSamples=100', 'training.batchSize=4', 'training.epochs=2', 'training.stepsPerEpoch=2'),
    ])
    expect(trained.code, trained.stderr).toBe(0)
    const run = lastJson<RunRecord>(trained)
    const server = await serve(home)
    try {
      await page.goto(`${server.url}#/runs/${run.id}`)
      await page.getByTestId('gallery-caption').filter({ hasText: 'epoch 2' }).waitFor()
      // The per-epoch image metrics (500 fixed-z samples by default) are shown with the run.
      expect(Number(await page.getByTestId('metric-frechetDistance').locator('strong').textContent())).toBeGreaterThan(0)
      expect(Number(await page.getByTestId('metric-inceptionScore').locator('strong').textContent())).toBeGreaterThanOrEqual(1)
      const size = await page.getByTestId('grid-image').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])
      expect(size).toEqual([466, 466])
      // With a grid shown, no "first grid appears after the first epoch" hint beside it.
      expect(await page.getByTestId('no-grid-yet').count()).toBe(0)
      await page.getByTestId('epoch-slider').fill('0')
      await page.getByTestId('gallery-caption').filter({ hasText: 'epoch 1' }).waitFor()
      await page.screenshot({ path: screenshotPath('ui-image-run.png') })
    } finally {
      await page.goto('about:blank')
      await server.stop()
    }
  })

  it("shows the backends on the System page and, in a browser, how to reach a remote workbench (attaching is the desktop's)", async () => {
    const server = await serve(home)
    try {
      await page.goto(server.url)
      await page.goto(`${server.origin}/#/system`)
      await page.getByTestId('default-backend').waitFor()
      expect(await page.getByTestId('attach').textContent()).toMatch(/open the URL its gan-workbench serve printed/)
      const refused = await page.evaluate(async () => {
        const ws = new WebSocket(`ws://${location.host}/ws`)
        await new Promise((r) => ws.addEventListener('open', r))
        const reply = new Promise<string>((r) =>
          ws.addEventListener('message', (m) => {
            if (String(m.data).includes('"type":"response"')) r(String(m.data))
          }),
        )
        ws.send(JSON.stringify({ type: 'request', id: 1, name: 'app.attach', payload: { url: 'http://gpu-box:7860/?token=x' } }))
        return JSON.parse(await reply) as { result: { ok: boolean; error?: { code: string } } }
      })
      expect(refused.result).toMatchObject({ ok: false, error: { code: 'conflict' } })
    } finally {
      await page.goto('about:blank')
      await server.stop()
    }
  })

  it("walks an InfoGAN's latent space: a strip between two seeds, one image per code, continuous codes on sliders", async () => {
    const { server } = await openTinyRun('infogan-mnist', 'tiny-infogan')
    try {
      const strip = page.getByTestId('interpolation')
      await strip.waitFor({ timeout: 60_000 })
      // 8 images of 28×28 at 3× with 2 px gutters, in one row; then one per categorical code (10).
      expect(await strip.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([8 * 86 + 2, 88])
      const codes = page.getByTestId('code-row')
      await codes.waitFor()
      expect(await codes.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(10 * 86 + 2)
      const before = await codes.getAttribute('src')
      await page.getByTestId('code-0').fill('2')
      await expect.poll(() => codes.getAttribute('src'), { timeout: 30_000 }).not.toBe(before)
      const strip1 = await strip.getAttribute('src')
      await page.getByTestId('seed-b').fill('7')
      await expect.poll(() => strip.getAttribute('src'), { timeout: 30_000 }).not.toBe(strip1)
      await page.getByTestId('latent-explorer').screenshot({ path: screenshotPath('ui-latent-explorer.png') })
    } finally {
      await page.goto('about:blank')
      await server.stop()
    }
  })

  it("shows a CycleGAN's A → B → A rows with a legend, and any sample large on a click, moved with the arrow keys", async () => {
    const { server } = await openTinyRun('cyclegan-mnist-edges', 'tiny-cyclegan')
    try {
      await page.getByTestId('gallery-caption').filter({ hasText: 'epoch 1' }).waitFor()
      await expect.poll(() => page.getByTestId('row-legend').textContent()).toContain('F(G(A)): back to A')
      const grid = page.getByTestId('grid-image')
      expect(await grid.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([10 * 58 + 2, 6 * 58 + 2])
      // A click on the third row, second column: F(G(A)), the reconstruction of the second A image.
      const box = (await grid.boundingBox())!
      const scale = box.width / (10 * 58 + 2)
      await grid.click({ position: { x: (2 + 58 + 28) * scale, y: (2 + 2 * 58 + 28) * scale } })
      const label = page.getByTestId('sample-zoom-label')
      await expect.poll(() => label.textContent()).toBe('epoch 1 · F(G(A)): back to A · column 2')
      // The zoom draws the cell's pixels: not a blank canvas.
      const drawn = await page
        .getByTestId('sample-zoom')
        .locator('canvas')
        .evaluate((c: HTMLCanvasElement) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
          return new Set(Array.from({ length: d.length / 4 }, (_, i) => d[i * 4])).size
        })
      expect(drawn).toBeGreaterThan(2)
      await page.getByTestId('sample-zoom').screenshot({ path: screenshotPath('ui-sample-zoom.png') })
      await page.keyboard.press('ArrowDown')
      await expect.poll(() => label.textContent()).toBe('epoch 1 · B · column 2')
      await page.keyboard.press('Escape')
      await page.getByTestId('sample-zoom').waitFor({ state: 'detached' })
      // A translator has no latent space to walk and no class metrics: those panels stay away.
      expect(await page.getByTestId('latent-explorer').count()).toBe(0)
      await page.getByTestId('gallery').screenshot({ path: screenshotPath('ui-cyclegan-gallery.png') })
    } finally {
      await page.goto('about:blank')
      await server.stop()
    }
  })

  it("evaluates an AC-GAN from its page: metrics, per-class accuracy bars, class mix and D's confusion", async () => {
    const { server } = await openTinyRun('acgan-mnist', 'tiny-acgan')
    try {
      const panel = page.getByTestId('eval-panel')
      await panel.locator('input[type=number]').fill('100')
      await page.getByTestId('evaluate').click()
      await page.getByTestId('eval-metrics').waitFor({ timeout: 120_000 })
      expect(Number(await page.locator('[data-metric="frechetDistance"] td.num').textContent())).toBeGreaterThan(0)
      expect(await page.locator('[data-metric="labelAccuracy"]').count()).toBe(1)
      await page.getByTestId('per-class-accuracy').locator('canvas').waitFor()
      await page.getByTestId('class-histogram').locator('canvas').waitFor()
      expect(await page.getByTestId('d-confusion').textContent()).toMatch(/D on 100 real and 100 generated/)
      await panel.screenshot({ path: screenshotPath('ui-eval-panel.png') })
    } finally {
      await page.goto('about:blank')
      await server.stop()
    }
  })

  it("replays a 2D run's generated points epoch by epoch under the scatter", async () => {
    const trained = cli(home, [
      '--json',
      'train',
      '--preset',
      'mlp-2d-ring8',
      '--name',
      'ring-history',
      ...sets('training.epochs=3', 'training.stepsPerEpoch=30'),
    ])
    expect(trained.code, trained.stderr).toBe(0)
    const run = lastJson<RunRecord>(trained)
    const server = await serve(home)
    try {
      await page.goto(`${server.url}#/runs/${run.id}`)
      const caption = page.getByTestId('scatter-caption')
      await expect.poll(() => caption.textContent(), { timeout: 30_000 }).toBe('latest checkpoint')
      await page.getByTestId('scatter-epoch').fill('0')
      await expect.poll(() => caption.textContent()).toBe('epoch 1 of 3')
      await page.getByTestId('scatter-play').click()
      await expect.poll(() => caption.textContent(), { timeout: 10_000 }).toBe('epoch 3 of 3')
    } finally {
      await page.goto('about:blank')
      await server.stop()
    }
  })

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([])
  })
})
