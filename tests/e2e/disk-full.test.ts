/**
 * A disk that really fills: the data directory lives on a 2 MiB tmpfs, and a run whose
 * checkpoints alone need more than that trains on it. `train` must say "the disk is full" and
 * where, leave the run `interrupted` (not `running`, not a stack trace), keep the registry intact
 * and every recorded checkpoint whole; once there is space again the run resumes to the end.
 *
 * Mounting a tmpfs needs root: CI runs the tests as root, where the mount must work (a failure
 * fails the test); as another user the test skips and says why.
 */
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import { cli, lastJson, sets } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { integrity, loadAllCheckpoints, metricSteps, runRow } from '../helpers/registry-read'

let t: ReturnType<typeof tmpDir>
let mountPoint: string
/** Why the test cannot run here (not root), or null. */
let cannot: string | null = null
let mounted = false

function mount(size: string, remount = false): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `${remount ? 'remount,' : ''}size=${size},mode=0755`, 'tmpfs', mountPoint], { stdio: 'pipe' })
}

beforeAll(() => {
  t = tmpDir('gwb-disk-full-')
  mountPoint = path.join(t.dir, 'small-disk')
  fs.mkdirSync(mountPoint)
  if (process.getuid?.() !== 0) {
    cannot = 'mounting a small tmpfs to fill needs root (CI runs the tests as root)'
    return
  }
  // As root (CI) the mount must work: a failure fails the test instead of skipping it.
  mount('2m')
  mounted = true
})

afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint])
  t.cleanup()
})

describe('a full disk', () => {
  // Every epoch keeps a checkpoint of about 420 KB (weights and Adam state): 60 of them cannot fit
  // in 2 MiB, so the disk fills by construction. The first one always fits: before it, the disk
  // holds the registry (~130 KB), its WAL (10 steps of metrics), the trainer's 256 KiB reserve and
  // one sample file. On 1 MiB with 50 steps before it, the WAL sometimes took that room first and
  // no checkpoint was ever recorded (seen failing on a clean run).
  const args = [
    '--preset',
    'mlp-2d-ring8',
    ...sets(
      'training.epochs=60',
      'training.stepsPerEpoch=10',
      'training.logEvery=1',
      'training.checkpointEvery=1',
      'training.evalSamples=0',
    ),
  ]

  it('interrupts the run saying the disk is full and where; it resumes once there is space', (ctx) => {
    if (cannot) return ctx.skip(cannot)
    const home = path.join(mountPoint, 'home')
    const r = cli(home, ['train', ...args])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      new RegExp(
        `run 1 interrupted: the disk is full at ${home.replace(/[/.]/g, '\\$&')}\\S* \\([\\d.]+ (B|KiB) free; .+\\): free some space, then resume; everything up to the last checkpoint is kept`,
      ),
    )
    expect(r.stderr).not.toMatch(/\n\s+at |SqliteError|Uncaught/)

    // What the run left: a true status, an intact registry, whole checkpoints, no trainer.
    const run = runRow(home, 1)!
    expect(run).toMatchObject({ status: 'interrupted', pid: null })
    expect(run.error).toMatch(/^the disk is full at /)
    expect(integrity(home)).toBe('ok')
    const saved = loadAllCheckpoints(home, 1)
    expect(saved.length).toBeGreaterThan(0)
    expect(saved.at(-1)).toBeLessThan(600)
    // The trainer gave its disk reserve back.
    expect(fs.readdirSync(path.join(home, 'reserve'))).toEqual([])

    // While the disk is still full, the registry can still be read.
    const list = cli(home, ['--json', 'runs', 'list'])
    expect(list.code, list.stderr).toBe(0)
    expect(lastJson<RunRecord[]>(list)[0]).toMatchObject({ id: 1, status: 'interrupted' })

    // Space again: the run resumes from its last checkpoint and completes, each step once.
    mount('64m', true)
    const resumed = cli(home, ['--json', 'resume', '1'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(lastJson<RunRecord>(resumed)).toMatchObject({ status: 'completed', step: 600 })
    expect(metricSteps(home, 1)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1))
    expect(integrity(home)).toBe('ok')
    expect(loadAllCheckpoints(home, 1).at(-1)).toBe(600)
  })
})
