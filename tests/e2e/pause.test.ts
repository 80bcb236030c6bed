/**
 * Pause is not stop: a paused trainer waits with its models in memory and goes on from the same
 * step, so a paused-and-resumed run equals an uninterrupted one, loss for loss (MLP runs are
 * bit-reproducible). Requests go through the registry, so a second terminal or the UI of a server
 * can pause, resume and stop a run that a `train` command is running.
 */
import path from 'node:path'
import { spawn } from 'node:child_process'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import { CLI, cli, lastJson } from '../helpers/cli'
import { screenshotPath } from '../helpers/browser'
import { withUi } from '../helpers/ui'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
let home: string
beforeAll(() => {
  t = tmpDir('gwb-pause-')
  home = path.join(t.dir, 'home')
  expect(cli(home, ['runs', 'list']).code).toBe(0)
})
afterAll(() => t.cleanup())

const SETTINGS = ['--preset', 'mlp-2d-ring8', '--set', 'training.epochs=2', '--set', 'training.stepsPerEpoch=120', '--set', 'training.logEvery=1', '--set', 'training.evalSamples=0']

function train(name: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--home', home, '--json', 'train', '--name', name, ...SETTINGS, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

function show(id: number): RunRecord {
  return lastJson<RunRecord>(cli(home, ['--json', 'runs', 'show', String(id)]))
}

async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = f()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

function runByName(name: string): RunRecord | undefined {
  return lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list'])).find((r) => r.name === name)
}

function losses(id: number): number[] {
  const db = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
  try {
    return (db.prepare("SELECT value FROM metrics WHERE run_id = ? AND key = 'dLoss' ORDER BY step").all(id) as { value: number }[]).map((r) => r.value)
  } finally {
    db.close()
  }
}

describe('pause', () => {
  it('from another terminal: the run waits at its step, then goes on and ends exactly like an uninterrupted run', async () => {
    const paused = train('paused')
    const run = await until('the run to start', () => runByName('paused'))
    await until('a few steps', () => show(run.id).step > 5)
    const p = cli(home, ['--json', 'pause', String(run.id)])
    expect(p.code, p.stderr).toBe(0)
    const atPause = lastJson<RunRecord>(p)
    expect(atPause.status).toBe('paused')
    expect(atPause.step).toBeLessThan(240)
    // It stays where it is: no steps while paused.
    await new Promise((r) => setTimeout(r, 1500))
    expect(show(run.id)).toMatchObject({ status: 'paused', step: atPause.step })
    const r = cli(home, ['resume', String(run.id)])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`run ${run.id} resumes where it paused, at step ${atPause.step}`))
    const done = await paused
    expect(done.code, done.stderr).toBe(0)
    expect(lastJson<RunRecord>(done)).toMatchObject({ status: 'completed', step: 240 })

    const reference = await train('uninterrupted')
    expect(reference.code, reference.stderr).toBe(0)
    const a = losses(run.id)
    const b = losses(lastJson<RunRecord>(reference).id)
    expect(a).toHaveLength(240)
    expect(a).toEqual(b)
  })

  it('stop from another terminal saves a checkpoint; pausing a finished run is refused clearly', async () => {
    const stopped = train('stopped')
    const run = await until('the run to start', () => runByName('stopped'))
    await until('a few steps', () => show(run.id).step > 5)
    const s = cli(home, ['stop', String(run.id)])
    expect(s.code, s.stderr).toBe(0)
    expect(s.stdout).toMatch(new RegExp(`run ${run.id} stopped at step \\d+`))
    await stopped
    const again = cli(home, ['pause', String(run.id)])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(new RegExp(`run ${run.id} is stopped: only a running run can pause`))
  })

  it('from the UI of a server: Pause and Resume on a run a terminal is training', async () => {
    // Long enough to still be running when the page has opened: 240 steps took ~2 s here once
    // the native kernels came, and the run had completed before Pause was clicked.
    const training = train('from-ui', ['--set', 'training.epochs=12'])
    const run = await until('the run to start', () => runByName('from-ui'))
    await withUi(home, `/runs/${run.id}`, async (page) => {
      await page.click('[data-testid=pause-run]')
      await page.waitForSelector('[data-testid=status]:has-text("paused")', { timeout: 30_000 })
      await page.screenshot({ path: screenshotPath('ui-paused.png') })
      const step = show(run.id).step
      await new Promise((r) => setTimeout(r, 1000))
      expect(show(run.id)).toMatchObject({ status: 'paused', step })
      await page.click('[data-testid=resume-run]')
      await page.waitForSelector('[data-testid=status]:has-text("completed")', { timeout: 120_000 })
      expect((await training).code).toBe(0)
    })
  })
})
