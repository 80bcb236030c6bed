/**
 * Reads a data directory's registry the way a crash test checks it: read-only, straight from
 * SQLite (no CLI start-up, no orphan sweep that would change what is being checked).
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import { loadCheckpoint } from '../../src-main/training/checkpoint'
import { artifactPath } from '../../src-main/registry/artifact-files'

export interface RunRow {
  id: number
  status: string
  step: number
  pid: number | null
  error: string | null
}

export function withDb<T>(home: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
  try {
    db.pragma('busy_timeout = 10000')
    return fn(db)
  } finally {
    db.close()
  }
}

export function runRow(home: string, id: number): RunRow | undefined {
  return withDb(home, (db) => db.prepare('SELECT id, status, step, pid, error FROM runs WHERE id = ?').get(id) as RunRow | undefined)
}

export function integrity(home: string): string {
  return withDb(home, (db) => db.pragma('integrity_check', { simple: true }) as string)
}

/** A row's artifact path as the app reads it: rows record it relative to the run's folder. */
export function rowPath(home: string, runId: number, recorded: string): string {
  return artifactPath(home, { runId, kind: 'row', step: 0, path: recorded })
}

export function checkpoints(home: string, id: number): { path: string; step: number; sha256: string }[] {
  const rows = withDb(
    home,
    (db) =>
      db.prepare("SELECT path, step, sha256 FROM artifacts WHERE run_id = ? AND kind = 'checkpoint' ORDER BY step").all(id) as {
        path: string
        step: number
        sha256: string
      }[],
  )
  return rows.map((c) => ({ ...c, path: rowPath(home, id, c.path) }))
}

/** Loads every recorded checkpoint of a run (throws on one that is missing or corrupt); returns their steps. */
export function loadAllCheckpoints(home: string, id: number): number[] {
  return checkpoints(home, id).map((c) => {
    const loaded = loadCheckpoint(c.path)
    for (const g of Object.values(loaded.groups)) for (const w of g) w.tensor.dispose()
    if (loaded.manifest.step !== c.step) throw new Error(`checkpoint ${c.path} says step ${loaded.manifest.step}, the registry ${c.step}`)
    return c.step
  })
}

/** The steps of one metric, in order (duplicates would show twice). */
export function metricSteps(home: string, id: number, key = 'dLoss'): number[] {
  return withDb(home, (db) =>
    (db.prepare('SELECT step FROM metrics WHERE run_id = ? AND key = ? ORDER BY step').all(id, key) as { step: number }[]).map(
      (r) => r.step,
    ),
  )
}

/** Rows stored more than once where the registry must hold one: metric steps, artifacts per step. */
export function duplicateRows(home: string): { metrics: number; artifacts: number } {
  return withDb(home, (db) => ({
    metrics: (
      db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM metrics GROUP BY run_id, key, step HAVING count(*) > 1)').get() as { n: number }
    ).n,
    artifacts: (
      db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM artifacts GROUP BY run_id, kind, step HAVING count(*) > 1)').get() as {
        n: number
      }
    ).n,
  }))
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Polls `f` until it returns a truthy value; fails after `timeoutMs` naming what it waited for. */
export async function until<T>(what: string, f: () => T | undefined | null | false, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = f()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
