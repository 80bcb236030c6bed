/**
 * `npm run bench:ui`: the UI under load, in Debian's Chromium against server mode. A registry of
 * 200 runs with 100,000 metric points each (10 keys × 10,000 steps; built once and cached), then:
 * the runs table, a 10-run comparison, one run's page, a search, and a run page while a DCGAN
 * trains. For each: time until it is drawn, and the main thread's long tasks (PerformanceObserver
 * 'longtask': tasks over 50 ms) — the count and the longest. Last line: one JSON object.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { Registry } from '../src-main/registry/registry'
import { validateExperiment } from '../src-shared/config/validate'
import { requirePreset } from '../src-shared/config/presets'
import { applyOverrides } from '../src-shared/config/overrides'
import { launchBrowser } from '../tests/helpers/browser'
import { serve } from '../tests/helpers/cli'

const RUNS = 200
const KEYS = ['dLoss', 'gLoss', 'dReal', 'dFake', 'dGradNorm', 'gGradNorm', 'diversity', 'modesCaptured', 'highQuality', 'modeKL']
const STEPS = 10_000
const LIVE_SECONDS = Number(process.env.BENCH_UI_LIVE_SECONDS ?? 30)
const CACHE = path.join(os.tmpdir(), `gwb-bench-ui-${RUNS}x${KEYS.length * STEPS}`)

async function seed(): Promise<string> {
  const home = path.join(CACHE, 'home')
  if (fs.existsSync(path.join(CACHE, 'done'))) return home
  fs.rmSync(CACHE, { recursive: true, force: true })
  fs.mkdirSync(home, { recursive: true })
  const registry = await Registry.open(path.join(home, 'registry.sqlite'))
  const started = Date.now()
  try {
    for (let i = 0; i < RUNS; i++) {
      const lr = [1e-4, 2e-4, 5e-4, 1e-3][i % 4]
      const config = validateExperiment(applyOverrides(requirePreset('mlp-2d-ring8').config, [`optimizers.discriminator.learningRate=${lr}`, `training.seed=${i}`])).config
      const run = registry.createRun({ config, name: `bench-${i + 1}`, experiment: 'bench', totalSteps: STEPS })
      const rows = []
      for (let step = 1; step <= STEPS; step++) {
        for (const [k, key] of KEYS.entries()) rows.push({ key, step, epoch: Math.ceil(step / 100), value: Math.sin(step / 500 + k + i) + k, wallTime: 1_700_000_000 + step * 0.05 })
      }
      registry.writeMetrics(run.id, rows)
      registry.updateProgress(run.id, STEPS, STEPS / 100, 5000)
      registry.setStatus(run.id, 'completed')
      if ((i + 1) % 20 === 0) process.stdout.write(`  seeded ${i + 1}/${RUNS} runs (${((Date.now() - started) / 1000).toFixed(0)} s)\n`)
    }
  } finally {
    registry.close()
  }
  fs.writeFileSync(path.join(CACHE, 'done'), '')
  return home
}

interface Measure {
  ms: number
  longTasks: number
  maxLongTaskMs: number
}

async function measure(page: Page, label: string, action: () => Promise<void>): Promise<Measure> {
  await page.evaluate(() => ((window as unknown as { __long: number[] }).__long = []))
  const t0 = Date.now()
  await action()
  const ms = Date.now() - t0
  await page.waitForTimeout(300) // let the observer deliver the last entries
  const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long)
  const m = { ms, longTasks: long.length, maxLongTaskMs: Math.round(Math.max(0, ...long)) }
  console.log(`  ${label}: ${JSON.stringify(m)}`)
  return m
}

async function main(): Promise<void> {
  console.log(`UI under load: ${RUNS} runs × ${(KEYS.length * STEPS).toLocaleString('en-US')} metric points (registry cached in ${CACHE})`)
  const home = await seed()
  const server = await serve(home)
  const browser = await launchBrowser()
  const results: Record<string, Measure> = {}
  try {
    const page = await browser.context.newPage()
    await page.addInitScript(() => {
      const w = window as unknown as { __long: number[] }
      w.__long = []
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__long.push(e.duration)
      }).observe({ type: 'longtask', buffered: true })
    })
    await page.goto(server.url)
    await page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor()

    results['runs table (200 runs)'] = await measure(page, 'runs table (200 runs)', async () => {
      await page.goto(`${server.origin}/#/runs`)
      await page.waitForFunction((n) => document.querySelectorAll('[data-run-id]').length >= n, RUNS, { timeout: 120_000 })
    })
    results['search the table'] = await measure(page, 'search the table', async () => {
      await page.getByTestId('run-search').fill('bench-117')
      await page.waitForFunction(() => document.querySelectorAll('[data-run-id]').length === 1, undefined, { timeout: 60_000 })
    })
    const ids = Array.from({ length: 10 }, (_, i) => i + 1).join(',')
    results['compare 10 runs'] = await measure(page, 'compare 10 runs', async () => {
      await page.goto(`${server.origin}/#/compare?ids=${ids}`)
      await page.locator('[data-testid^="compare-chart-"] canvas').first().waitFor({ timeout: 120_000 })
      await page.getByTestId('final-metrics').waitFor()
    })
    results['one run page'] = await measure(page, 'one run page', async () => {
      await page.goto(`${server.origin}/#/runs/5`)
      await page.locator('canvas').first().waitFor({ timeout: 60_000 })
    })

    // A DCGAN training in the background while its page is open: the live case.
    const started = await page.evaluate(async () => {
      const ws = new WebSocket(`ws://${location.host}/ws`)
      await new Promise((r) => ws.addEventListener('open', r))
      const reply = new Promise<string>((r) => ws.addEventListener('message', (m) => {
        if (String(m.data).includes('"type":"response"')) r(String(m.data))
      }))
      ws.send(JSON.stringify({ type: 'request', id: 1, name: 'runs.start', payload: { preset: 'dcgan-mnist-bn', overrides: ['training.logEvery=1'] } }))
      return JSON.parse(await reply) as { result: { ok: boolean; value: { id: number } } }
    })
    if (!started.result.ok) throw new Error(`could not start the DCGAN: ${JSON.stringify(started.result)}`)
    const liveId = started.result.value.id
    await page.goto(`${server.origin}/#/runs/${liveId}`)
    await page.getByTestId('status').filter({ hasText: 'running' }).waitFor({ timeout: 120_000 })
    results[`run page while a DCGAN trains (${LIVE_SECONDS} s)`] = await measure(page, `run page while a DCGAN trains (${LIVE_SECONDS} s)`, () => page.waitForTimeout(LIVE_SECONDS * 1000))
    await page.getByRole('button', { name: 'Stop' }).first().click().catch(() => {})
  } finally {
    await browser.close()
    await server.stop()
  }
  const width = Math.max(...Object.keys(results).map((k) => k.length))
  console.log(`${'view'.padEnd(width)}  drawn in   long tasks  longest`)
  for (const [k, r] of Object.entries(results)) console.log(`${k.padEnd(width)}  ${`${r.ms} ms`.padStart(8)}  ${String(r.longTasks).padStart(10)}  ${`${r.maxLongTaskMs} ms`.padStart(7)}`)
  console.log(JSON.stringify({ ui: { runs: RUNS, pointsPerRun: KEYS.length * STEPS, views: results } }))
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
