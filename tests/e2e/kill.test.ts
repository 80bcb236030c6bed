/**
 * Crash safety: the trainer process is SIGKILLed at random moments (mid-step, mid-metric batch,
 * mid-checkpoint: checkpoints are written every epoch of 20 steps here), again and again. Every
 * time the registry must pass integrity_check, every recorded checkpoint must load, and the run
 * must resume; at the end it completes with every metric step exactly once.
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import { CLI, cli, lastJson, sets } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { loadCheckpoint } from '../../src-main/training/checkpoint'
import { rowPath } from '../helpers/registry-read'
import { createRng } from '../../src-shared/util/rng'

let t: ReturnType<typeof tmpDir>
let home: string
beforeAll(() => {
  t = tmpDir('gwb-kill-')
  home = path.join(t.dir, 'home')
})
afterAll(() => t.cleanup())

/** SIGKILLs per run: 6 in `npm test`, more under `npm run soak` (SOAK_KILLS). */
const KILLS = Number(process.env.SOAK_KILLS ?? 6)
const rng = createRng(20_261_123)

function db() {
  return new Database(path.join(home, 'registry.sqlite'), { readonly: true })
}

/**
 * Starts train/resume pausing at `pauseAt`, waits for that pause (so the run is live, whatever the
 * machine's speed), resumes it from another process, and once it trains again waits a random
 * moment and SIGKILLs the trainer: mid-step, mid-metric batch or mid-checkpoint.
 */
async function runAndKill(args: string[], runId: number | null, pauseAt: number, delayMs: number): Promise<number> {
  const parent = spawn(process.execPath, [CLI, '--home', home, ...args, '--pause-at', String(pauseAt)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  parent.stderr.on('data', (c) => (stderr += c))
  const exited = new Promise<void>((r) => parent.once('exit', () => r()))
  let id = runId
  let pid: number | null = null
  const deadline = Date.now() + 60_000
  while (pid === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
    if (id === null) id = Number(/run (\d+) \(/.exec(stderr)?.[1] ?? NaN) || null
    if (id !== null) {
      const d = db()
      const row = d.prepare('SELECT pid, status, step FROM runs WHERE id = ?').get(id) as
        | { pid: number | null; status: string; step: number }
        | undefined
      d.close()
      if (row?.status === 'paused' && row.pid) {
        expect(row.step).toBe(pauseAt)
        pid = row.pid
      }
    }
  }
  expect(pid, stderr).not.toBeNull()
  expect(cli(home, ['resume', String(id)]).code).toBe(0)
  await until(() => status(id!) !== 'paused')
  await new Promise((r) => setTimeout(r, delayMs))
  process.kill(pid!, 'SIGKILL')
  await exited
  return id!
}

function status(id: number): string {
  const d = db()
  const row = d.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: string }
  d.close()
  return row.status
}

async function until(f: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000
  while (!f()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the trainer')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The last step the registry has a checkpoint for (where a resume starts). */
function checkpointStep(id: number | null): number {
  if (id === null) return 0
  const d = db()
  const row = d.prepare("SELECT max(step) AS step FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'").get(id) as {
    step: number | null
  }
  d.close()
  return row.step ?? 0
}

describe('SIGKILL of the trainer, repeatedly', () => {
  it(`survives ${KILLS} kills at random moments and finishes with complete, unduplicated metrics`, async () => {
    // Pause points stay at or below step PAUSE_LIMIT, leaving at least 400 steps after each one:
    // far more than any machine trains in the < 200 ms before the kill, so every kill meets a live run.
    const PAUSE_LIMIT = 200
    const epochs = Math.ceil((PAUSE_LIMIT + 400) / 20)
    const args = [
      'train',
      '--preset',
      'mlp-2d-ring8',
      ...sets(
        `training.epochs=${epochs}`,
        'training.stepsPerEpoch=20',
        'training.logEvery=1',
        'training.checkpointEvery=1',
        'training.evalSamples=0',
      ),
    ]
    let id: number | null = null
    let kills = 0
    for (let k = 0; k < KILLS; k++) {
      const from = checkpointStep(id)
      const pauseAt = Math.max(from, Math.min(PAUSE_LIMIT, from + 1 + Math.floor(rng() * 60)))
      id = await runAndKill(id === null ? args : ['resume', String(id)], id, pauseAt, Math.floor(rng() * 200))
      kills++
      const d = db()
      expect(d.pragma('integrity_check', { simple: true })).toBe('ok')
      const run = d.prepare('SELECT status, step FROM runs WHERE id = ?').get(id) as { status: string; step: number }
      const checkpoints = d.prepare("SELECT path, step FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'").all(id) as {
        path: string
        step: number
      }[]
      d.close()
      expect(run.status).toBe('interrupted')
      for (const c of checkpoints) {
        const loaded = loadCheckpoint(rowPath(home, id, c.path)) // throws if incomplete or corrupt
        expect(loaded.manifest.step).toBe(c.step)
        for (const g of Object.values(loaded.groups)) for (const w of g) w.tensor.dispose()
      }
    }
    const r = cli(home, ['--json', 'resume', String(id)])
    expect(r.code, r.stderr).toBe(0)
    const final = lastJson<RunRecord>(cli(home, ['--json', 'runs', 'show', String(id)]))
    console.log(`SIGKILLs of the trainer survived: ${kills} (asked for ${KILLS})`)
    expect(kills).toBe(KILLS)
    expect(final).toMatchObject({ status: 'completed', step: epochs * 20 })
    const d = db()
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok')
    const steps = (
      d.prepare("SELECT step FROM metrics WHERE run_id = ? AND key = 'dLoss' ORDER BY step").all(id) as { step: number }[]
    ).map((r) => r.step)
    const dupes = d
      .prepare('SELECT count(*) AS n FROM (SELECT key, step FROM metrics WHERE run_id = ? GROUP BY key, step HAVING count(*) > 1)')
      .get(id) as { n: number }
    d.close()
    expect(dupes.n).toBe(0)
    expect(steps).toEqual(Array.from({ length: epochs * 20 }, (_, i) => i + 1))
  })
})

describe('faults aimed at the write path', () => {
  const args = [
    'train',
    '--preset',
    'mlp-2d-ring8',
    ...sets(
      'training.epochs=5',
      'training.stepsPerEpoch=20',
      'training.logEvery=1',
      'training.checkpointEvery=1',
      'training.evalSamples=0',
    ),
  ]

  function check(home: string, id: number) {
    const d = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
    try {
      expect(d.pragma('integrity_check', { simple: true })).toBe('ok')
      const checkpoints = d.prepare("SELECT path, step FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'").all(id) as {
        path: string
        step: number
      }[]
      for (const c of checkpoints) {
        const loaded = loadCheckpoint(rowPath(home, id, c.path))
        expect(loaded.manifest.step).toBe(c.step)
        for (const g of Object.values(loaded.groups)) for (const w of g) w.tensor.dispose()
      }
      return checkpoints
    } finally {
      d.close()
    }
  }

  function resumeToEnd(home: string, id: number) {
    const r = cli(home, ['--json', 'resume', String(id)])
    expect(r.code, r.stderr).toBe(0)
    expect(lastJson<RunRecord>(r)).toMatchObject({ status: 'completed', step: 100 })
    const d = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
    const steps = (
      d.prepare("SELECT step FROM metrics WHERE run_id = ? AND key = 'dLoss' ORDER BY step").all(id) as { step: number }[]
    ).map((x) => x.step)
    d.close()
    expect(steps).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    check(home, id)
    // No half-written checkpoint is left behind once the run has moved on.
    expect(fs.readdirSync(path.join(home, 'runs', String(id), 'checkpoints')).filter((f) => f.startsWith('.tmp-'))).toEqual([])
  }

  it.each([
    ['checkpoint-write:kill@2', "between a checkpoint's weights and its manifest"],
    ['checkpoint-commit:kill@2', 'after a checkpoint is on disk, before the registry records it'],
    ['metrics-batch:kill@4', 'half-way through a metric batch transaction'],
  ])('SIGKILL at %s (%s): registry intact, recorded checkpoints load, resume completes', (faults) => {
    const h = path.join(t.dir, faults.replace(/\W/g, '-'))
    const r = cli(h, ['--json', ...args], { GAN_WORKBENCH_FAULTS: faults })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/interrupted/)
    const id = lastJson<RunRecord[]>(cli(h, ['--json', 'runs', 'list']))[0]!.id
    const recorded = check(h, id)
    if (faults.startsWith('checkpoint-write')) {
      // The half-written one is on disk under a temporary name and was never recorded.
      expect(fs.readdirSync(path.join(h, 'runs', String(id), 'checkpoints')).some((f) => f.startsWith('.tmp-'))).toBe(true)
      expect(recorded.map((c) => c.step)).toEqual([20])
    }
    if (faults.startsWith('checkpoint-commit')) expect(recorded.map((c) => c.step)).toEqual([20])
    resumeToEnd(h, id)
  })

  it('disk full while saving a sample grid: the run is interrupted saying so, nothing is corrupt, and it resumes once there is space', () => {
    const h = path.join(t.dir, 'enospc')
    const r = cli(h, ['--json', ...args], { GAN_WORKBENCH_FAULTS: 'artifact-write:enospc@3' })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /interrupted: the disk is full at \S+ \([^;]+; ENOSPC: no space left on device, write\): free some space, then resume; everything up to the last checkpoint is kept/,
    )
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const id = lastJson<RunRecord[]>(cli(h, ['--json', 'runs', 'list']))[0]!.id
    expect(check(h, id).map((c) => c.step)).toEqual([20, 40])
    resumeToEnd(h, id)
  })
})
