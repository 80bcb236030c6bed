/**
 * Pause is not stop: a paused trainer waits with its models in memory and goes on from the same
 * step, so a paused-and-resumed run equals an uninterrupted one, loss for loss (MLP runs are
 * bit-reproducible). Requests go through the registry, so a second terminal or the UI of a server
 * can pause, resume and stop a run that a `train` command is running.
 */
import path from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import { CLI, cli, lastJson, sets } from '../helpers/cli'
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
/** Training processes still alive; a failed test must not leave its run waiting paused for good. */
const children = new Set<ChildProcess>()
afterAll(async () => {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
          child.once('close', () => {
            clearTimeout(kill)
            resolve()
          })
          child.kill('SIGTERM') // the CLI stops its trainer, which checkpoints and ends
        }),
    ),
  )
  t.cleanup()
})

const SETTINGS = [
  '--preset',
  'mlp-2d-ring8',
  ...sets('training.epochs=2', 'training.stepsPerEpoch=120', 'training.logEvery=1', 'training.evalSamples=0'),
]

function train(name: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--home', home, '--json', 'train', '--name', name, ...SETTINGS, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => {
      children.delete(child)
      resolve({ code, stdout, stderr })
    })
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
    return (db.prepare("SELECT value FROM metrics WHERE run_id = ? AND key = 'dLoss' ORDER BY step").all(id) as { value: number }[]).map(
      (r) => r.value,
    )
  } finally {
    db.close()
  }
}

/**
 * No test here races the trainer: a run that must be running when a request arrives is long by
 * construction (12,000 steps: minutes on any machine, and it is stopped, never waited for), and a
 * run that must end exactly like another pauses itself at a fixed step (`--pause-at`).
 */
const LONG = sets('training.epochs=100')

describe('pause', () => {
  it('--pause-at: the run waits at exactly that step, a resume from another terminal goes on, and it ends exactly like an uninterrupted run', async () => {
    const paused = train('paused', ['--pause-at', '100'])
    const run = await until('the run to start', () => runByName('paused'))
    const atPause = await until('the pause at step 100', () => {
      const r = show(run.id)
      return r.status === 'paused' ? r : undefined
    })
    expect(atPause.step).toBe(100)
    // It stays where it is: no steps while paused.
    await new Promise((r) => setTimeout(r, 1500))
    expect(show(run.id)).toMatchObject({ status: 'paused', step: 100 })
    // runs.resume refuses a pause step for a run that goes on from memory, and it stays paused.
    const again = cli(home, ['resume', String(run.id), '--pause-at', '150'])
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(
      `gan-workbench: run ${run.id} is paused in memory and goes on from there; a pause step is for a run resumed from a checkpoint\n`,
    )
    expect(show(run.id)).toMatchObject({ status: 'paused', step: 100 })
    const r = cli(home, ['resume', String(run.id)])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`run ${run.id} resumes where it paused, at step 100`))
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

  it('--pause-at outside the run is refused before anything starts', () => {
    const r = cli(home, ['train', '--name', 'bad-pause', ...SETTINGS, '--pause-at', '240'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/the pause step must be a whole number from 0 \(where the run starts\) to 239 \(its last step\); got 240/)
    expect(runByName('bad-pause')).toBeUndefined()
    const word = cli(home, ['train', ...SETTINGS, '--pause-at', 'soon'])
    expect(word.code).toBe(2)
    expect(word.stderr).toMatch(/--pause-at must be a step number/)
  })

  it('pause, resume and stop from another terminal; the stop saves a checkpoint; pausing a stopped run is refused clearly', async () => {
    const training = train('steered', LONG)
    const run = await until('the run to start', () => runByName('steered'))
    await until('a few steps', () => show(run.id).step > 5)
    const p = cli(home, ['--json', 'pause', String(run.id)])
    expect(p.code, p.stderr).toBe(0)
    const atPause = lastJson<RunRecord>(p)
    expect(atPause.status).toBe('paused')
    await new Promise((r) => setTimeout(r, 1500))
    expect(show(run.id)).toMatchObject({ status: 'paused', step: atPause.step })
    expect(cli(home, ['resume', String(run.id)]).code).toBe(0)
    await until('steps after the resume', () => show(run.id).step > atPause.step)
    const s = cli(home, ['stop', String(run.id)])
    expect(s.code, s.stderr).toBe(0)
    const stoppedAt = Number(new RegExp(`run ${run.id} stopped at step (\\d+)`).exec(s.stdout)?.[1])
    expect(stoppedAt, s.stdout).toBeGreaterThan(atPause.step)
    await training
    const db = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
    const checkpoints = db.prepare("SELECT step FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'").all(run.id) as { step: number }[]
    db.close()
    expect(checkpoints.map((c) => c.step)).toContain(stoppedAt)
    const again = cli(home, ['pause', String(run.id)])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(new RegExp(`run ${run.id} is stopped: only a running run can pause`))
  })

  it('from the UI of a server: Pause, Resume and Stop on a run a terminal is training', async () => {
    // The run waits at step 30 until the page is open, so the page always meets it live.
    const training = train('from-ui', [...LONG, '--pause-at', '30'])
    const run = await until('the run to start', () => runByName('from-ui'))
    await until('the pause at step 30', () => show(run.id).status === 'paused')
    await withUi(home, `/runs/${run.id}`, async (page) => {
      await page.click('[data-testid=resume-run]')
      await page.waitForSelector('[data-testid=pause-run]', { timeout: 30_000 })
      await page.click('[data-testid=pause-run]')
      await page.waitForSelector('[data-testid=status]:has-text("paused")', { timeout: 30_000 })
      await page.screenshot({ path: screenshotPath('ui-paused.png') })
      const step = show(run.id).step
      expect(step).toBeGreaterThanOrEqual(30)
      await new Promise((r) => setTimeout(r, 1000))
      expect(show(run.id)).toMatchObject({ status: 'paused', step })
      await page.click('[data-testid=resume-run]')
      await page.waitForSelector('[data-testid=pause-run]', { timeout: 30_000 })
      await page.click('[data-testid=stop-run]')
      await page.waitForSelector('[data-testid=status]:has-text("stopped")', { timeout: 60_000 })
      expect((await training).code).toBe(0)
    })
  })
})
