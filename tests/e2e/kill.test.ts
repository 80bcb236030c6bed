/**
 * Crash safety: the trainer process is SIGKILLed at random moments (mid-step, mid-metric batch,
 * mid-checkpoint: checkpoints are written every epoch of 20 steps here), again and again. Every
 * time the registry must pass integrity_check, every recorded checkpoint must load, and the run
 * must resume; at the end it completes with every metric step exactly once.
 */
import path from 'node:path'
import { spawn } from 'node:child_process'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import { CLI, cli, lastJson } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { loadCheckpoint } from '../../src-main/training/checkpoint'
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

/** Starts train/resume, waits until its trainer reports a pid and has logged past `minStep`, then kills the trainer. */
async function runAndKill(args: string[], runId: number | null, delayMs: number): Promise<number> {
  const parent = spawn(process.execPath, [CLI, '--home', home, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
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
      const row = d.prepare('SELECT pid, status FROM runs WHERE id = ?').get(id) as { pid: number | null; status: string } | undefined
      d.close()
      if (row?.status === 'running' && row.pid) pid = row.pid
    }
  }
  expect(pid, stderr).not.toBeNull()
  await new Promise((r) => setTimeout(r, delayMs))
  process.kill(pid!, 'SIGKILL')
  await exited
  return id!
}

describe('SIGKILL of the trainer, repeatedly', () => {
  it(`survives ${KILLS} kills at random moments and finishes with complete, unduplicated metrics`, async () => {
    const args = ['train', '--preset', 'mlp-2d-ring8', '--set', 'training.epochs=15', '--set', 'training.stepsPerEpoch=20', '--set', 'training.logEvery=1', '--set', 'training.checkpointEvery=1']
    let id: number | null = null
    for (let k = 0; k < KILLS; k++) {
      id = await runAndKill(id === null ? args : ['resume', String(id)], id, 200 + Math.floor(rng() * 1500))
      const d = db()
      expect(d.pragma('integrity_check', { simple: true })).toBe('ok')
      const run = d.prepare('SELECT status, step FROM runs WHERE id = ?').get(id) as { status: string; step: number }
      const checkpoints = d.prepare("SELECT path, step FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'").all(id) as { path: string; step: number }[]
      d.close()
      if (run.status === 'completed') break
      expect(run.status).toBe('interrupted')
      for (const c of checkpoints) {
        const loaded = loadCheckpoint(c.path) // throws if incomplete or corrupt
        expect(loaded.manifest.step).toBe(c.step)
        for (const g of Object.values(loaded.groups)) for (const w of g) w.tensor.dispose()
      }
    }
    const last = cli(home, ['--json', 'runs', 'show', String(id)])
    if (lastJson<RunRecord>(last).status !== 'completed') {
      const r = cli(home, ['--json', 'resume', String(id)])
      expect(r.code, r.stderr).toBe(0)
    }
    const final = lastJson<RunRecord>(cli(home, ['--json', 'runs', 'show', String(id)]))
    expect(final).toMatchObject({ status: 'completed', step: 300 })
    const d = db()
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok')
    const steps = (d.prepare("SELECT step FROM metrics WHERE run_id = ? AND key = 'dLoss' ORDER BY step").all(id) as { step: number }[]).map((r) => r.step)
    const dupes = d.prepare('SELECT count(*) AS n FROM (SELECT key, step FROM metrics WHERE run_id = ? GROUP BY key, step HAVING count(*) > 1)').get(id) as { n: number }
    d.close()
    expect(dupes.n).toBe(0)
    expect(steps).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
  })
})
