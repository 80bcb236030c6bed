/**
 * What the soak checks after every SIGKILL, straight from the files (no tfjs, no app code in the
 * way): the registry passes integrity_check; every checkpoint the registry ever recorded is still
 * recorded, unchanged, and verifies (manifest hash as recorded, weights hash as the manifest
 * says: what loadCheckpoint checks before it builds tensors); no row is stored twice.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { rowPath } from '../helpers/registry-read'

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex')

export interface CheckpointRow {
  runId: number
  step: number
  path: string
  sha256: string
}

/** Every recorded checkpoint, its path as the app reads it (rows record it relative to the run's folder). */
export function recordedCheckpoints(db: Database.Database, home: string): CheckpointRow[] {
  const rows = db
    .prepare("SELECT run_id AS runId, step, path, sha256 FROM artifacts WHERE kind = 'checkpoint' ORDER BY run_id, step")
    .all() as CheckpointRow[]
  return rows.map((c) => ({ ...c, path: rowPath(home, c.runId, c.path) }))
}

/** Why a recorded checkpoint does not verify, or null when it does. */
export function checkpointProblem(c: CheckpointRow): string | null {
  let manifestText: string
  let weights: Buffer
  try {
    manifestText = fs.readFileSync(path.join(c.path, 'manifest.json'), 'utf8')
    weights = fs.readFileSync(path.join(c.path, 'weights.bin'))
  } catch (e) {
    return `run ${c.runId} step ${c.step}: ${(e as Error).message}`
  }
  if (sha256(manifestText) !== c.sha256) return `run ${c.runId} step ${c.step}: manifest differs from the one recorded`
  const manifest = JSON.parse(manifestText) as { step: number; weightsSha256: string }
  if (manifest.step !== c.step) return `run ${c.runId} step ${c.step}: manifest says step ${manifest.step}`
  if (sha256(weights) !== manifest.weightsSha256) return `run ${c.runId} step ${c.step}: weights checksum mismatch`
  return null
}

/** Rows stored more than once where the registry holds one: artifacts per run/kind/step, metrics per run/key/step. */
export function duplicateRows(db: Database.Database): number {
  const artifacts = db
    .prepare('SELECT count(*) AS n FROM (SELECT 1 FROM artifacts GROUP BY run_id, kind, step HAVING count(*) > 1)')
    .get() as { n: number }
  const metrics = db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM metrics GROUP BY run_id, key, step HAVING count(*) > 1)').get() as {
    n: number
  }
  return artifacts.n + metrics.n
}

/** The checkpoint folders on disk and when each was written (to tell which ones an attempt wrote). */
export function checkpointDirs(runDir: string): Map<string, number> {
  const dir = path.join(runDir, 'checkpoints')
  const out = new Map<string, number>()
  if (!fs.existsSync(dir)) return out
  for (const e of fs.readdirSync(dir)) out.set(e, fs.statSync(path.join(dir, e)).mtimeMs)
  return out
}

/**
 * Where a kill from outside landed, by what it left: a half-written checkpoint (a `.tmp-` folder:
 * each attempt removes those it finds when it starts), a checkpoint this attempt put on disk that
 * the registry never recorded (killed between rename and record), or neither (a training step, a
 * metric transaction, a sample write).
 */
export function landing(
  runDir: string,
  before: Map<string, number>,
  recordedSteps: Set<number>,
): 'checkpoint-write' | 'checkpoint-commit' | 'elsewhere' {
  const after = checkpointDirs(runDir)
  if ([...after.keys()].some((e) => e.startsWith('.tmp-'))) return 'checkpoint-write'
  for (const [name, mtime] of after) {
    if (!name.startsWith('step-') || before.get(name) === mtime) continue
    if (!recordedSteps.has(Number(name.slice(5)))) return 'checkpoint-commit'
  }
  return 'elsewhere'
}
