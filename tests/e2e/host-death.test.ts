/**
 * The host that owns a trainer dies: the `train` command is SIGKILLed (while the run trains and
 * while it is paused), or gets SIGTERM or SIGHUP. The trainer must notice by itself, save its
 * checkpoint and record the run's status (`interrupted` when its host vanished, `stopped` when
 * the host was asked to end, as with Ctrl-C), never leave it `running` with a dead pid; the run
 * then resumes from that checkpoint with every metric step stored once.
 *
 * No timing: each run is far too long to finish during the test (5,000 steps), and the host is
 * signalled once the registry shows the run past a step, or paused.
 */
import path from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { CLI, cli, serve, sets } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { integrity, isAlive, loadAllCheckpoints, metricSteps, runRow, until, withDb, type RunRow } from '../helpers/registry-read'

let t: ReturnType<typeof tmpDir>
let n = 0
const started: number[] = []
beforeAll(() => {
  t = tmpDir('gwb-host-death-')
})
afterEach(() => {
  // A failed test must not leave a trainer training for minutes.
  for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
})
afterAll(() => t.cleanup())

const LONG = [
  '--preset',
  'mlp-2d-ring8',
  ...sets('training.epochs=100', 'training.stepsPerEpoch=50', 'training.logEvery=1', 'training.evalSamples=0'),
]

interface Host {
  home: string
  child: ChildProcess
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
}

function host(home: string, args: string[]): Host {
  const child = spawn(process.execPath, [CLI, '--home', home, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  started.push(child.pid!)
  let stderr = ''
  child.stderr!.on('data', (c) => (stderr += c))
  child.stdout!.resume()
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal, stderr })),
  )
  return { home, child, exit }
}

/** Starts a long run under a host (`train` unless `args` say otherwise) and waits until its trainer, run 1's, is running past `minStep`. */
async function training(args = ['train', ...LONG], minStep = 10): Promise<Host & { trainerPid: number }> {
  const home = path.join(t.dir, `home-${++n}`)
  const h = host(home, args)
  const row = await until(`run 1 training past step ${minStep} under \`${args[0]}\``, () => {
    const r = safeRow(home)
    return r && r.status === 'running' && r.pid && r.step >= minStep ? r : undefined
  })
  started.push(row.pid!)
  return { ...h, trainerPid: row.pid! }
}

function safeRow(home: string): RunRow | undefined {
  try {
    return runRow(home, 1)
  } catch {
    return undefined // the registry does not exist yet
  }
}

/**
 * Waits for the trainer to end by itself, then checks what it left: status, checkpoint, metrics
 * (`logEvery`: the run's metric interval; LONG logs every step).
 */
async function trainerLeft(home: string, trainerPid: number, status: string, logEvery = 1): Promise<RunRow> {
  await until(`the trainer (pid ${trainerPid}) to end by itself`, () => !isAlive(trainerPid), 60_000)
  const run = runRow(home, 1)!
  expect(run.status).toBe(status)
  expect(run.pid).toBeNull()
  expect(integrity(home)).toBe('ok')
  // Its last act was a checkpoint at the step where it stopped, complete and verified.
  const steps = loadAllCheckpoints(home, 1)
  expect(steps.at(-1)).toBe(run.step)
  expect(run.step).toBeGreaterThan(0)
  // Every step up to there stored once, nothing past it.
  expect(metricSteps(home, 1)).toEqual(Array.from({ length: Math.floor(run.step / logEvery) }, (_, i) => (i + 1) * logEvery))
  return run
}

/** Resumes the run, lets it train past where it stopped, stops it, and checks the metrics are whole. */
async function resumesFrom(home: string, at: number): Promise<void> {
  const h = host(home, ['resume', '1'])
  await until('the resumed run training past its checkpoint', () => {
    const r = safeRow(home)
    return r && r.status === 'running' && r.step > at + 5
  })
  const stop = cli(home, ['stop', '1'])
  expect(stop.code, stop.stderr).toBe(0)
  expect((await h.exit).code).toBe(0)
  const run = runRow(home, 1)!
  expect(run.status).toBe('stopped')
  expect(metricSteps(home, 1)).toEqual(Array.from({ length: run.step }, (_, i) => i + 1))
  expect(loadAllCheckpoints(home, 1).at(-1)).toBe(run.step)
}

describe('the host of a trainer dies', () => {
  it('SIGKILL of `train` while the run trains: the trainer checkpoints and records `interrupted` itself', async () => {
    const h = await training()
    h.child.kill('SIGKILL')
    expect((await h.exit).signal).toBe('SIGKILL')
    const run = await trainerLeft(h.home, h.trainerPid, 'interrupted')
    expect(run.error).toMatch(
      /^the process that started this trainer \(pid \d+\) ended: stopped at step \d+ with a checkpoint; `resume 1` continues from there$/,
    )
    await resumesFrom(h.home, run.step)
  })

  it('SIGKILL of `train` while the run is paused: the paused trainer notices too', async () => {
    const h = await training()
    const p = cli(h.home, ['pause', '1'])
    expect(p.code, p.stderr).toBe(0)
    expect(runRow(h.home, 1)!.status).toBe('paused')
    h.child.kill('SIGKILL')
    await h.exit
    const run = await trainerLeft(h.home, h.trainerPid, 'interrupted')
    await resumesFrom(h.home, run.step)
  })

  it.each(['SIGTERM', 'SIGHUP'] as const)('%s to `train` stops the run like Ctrl-C: checkpoint, `stopped`, exit 0', async (signal) => {
    const h = await training()
    h.child.kill(signal)
    const exit = await h.exit
    expect(exit.code, exit.stderr).toBe(0)
    expect(exit.stderr).toContain(`${signal}: stopping after the current step`)
    expect(exit.stderr).toMatch(/run 1 stopped/)
    const run = await trainerLeft(h.home, h.trainerPid, 'stopped')
    expect(run.error).toBeNull()
    await resumesFrom(h.home, run.step)
  })

  it('SIGHUP to `serve` (its terminal closed) stops its runs with checkpoints, as on Ctrl-C', async () => {
    const home = path.join(t.dir, `home-${++n}`)
    const server = await serve(home)
    started.push(server.pid)
    const ws = new WebSocket(`ws://127.0.0.1:${new URL(server.url).port}/ws`, { headers: { Authorization: `Bearer ${server.token}` } })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const reply = new Promise((resolve) => ws.once('message', resolve))
    ws.send(
      JSON.stringify({
        type: 'request',
        id: 1,
        name: 'runs.start',
        payload: {
          preset: 'mlp-2d-ring8',
          overrides: ['training.epochs=100', 'training.stepsPerEpoch=50', 'training.logEvery=1', 'training.evalSamples=0'],
        },
      }),
    )
    await reply
    const row = await until('run 1 training under the server', () => {
      const r = safeRow(home)
      return r?.status === 'running' && r.pid && r.step >= 10 ? r : undefined
    })
    started.push(row.pid!)
    ws.terminate()
    const exited = new Promise<number | null>((r) => {
      const check = setInterval(() => {
        if (!isAlive(server.pid)) {
          clearInterval(check)
          r(null)
        }
      }, 100)
    })
    process.kill(server.pid, 'SIGHUP')
    await exited
    await trainerLeft(home, row.pid!, 'stopped')
  })

  it('SIGTERM to `sweep` stops the run training and the runs waiting, as on Ctrl-C', async () => {
    const h = await training(['sweep', ...LONG, '--grid', 'training.seed=1,2'])
    h.child.kill('SIGTERM')
    const exit = await h.exit
    expect(exit.code, exit.stderr).toBe(0)
    await trainerLeft(h.home, h.trainerPid, 'stopped')
    expect(runRow(h.home, 2)).toMatchObject({ status: 'stopped', step: 0 })
  })

  it('SIGTERM to `reproduce` stops its run with a checkpoint and records the reproduction as stopped, as on Ctrl-C', async () => {
    const h = await training(['reproduce', 'toy-ring8', '--seeds', '1'])
    h.child.kill('SIGTERM')
    const exit = await h.exit
    expect(exit.code, exit.stderr).toBe(130)
    await trainerLeft(h.home, h.trainerPid, 'stopped', 5) // mlp-2d-ring8 logs every 5 steps
    // Recorded by the command itself, not left `running` for the next start to find orphaned.
    expect(withDb(h.home, (db) => db.prepare('SELECT status FROM reproductions').all())).toEqual([{ status: 'stopped' }])
  })
})
