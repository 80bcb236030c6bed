/**
 * Reproduction rows: one per `reproduce` (CLI or UI), holding the catalog entry as it was run,
 * where it ran, and its per-seed results, rewritten after each seed so a table survives a crash.
 */
import os from 'node:os'
import type { ReproductionEntry } from '../../src-shared/reproductions/catalog'
import type { ReproductionRecord, ReproductionStatus, SeedResult } from '../../src-shared/domain/reproduction'
import type { Placement } from '../../src-shared/domain/run'
import type { Registry } from './registry'
import { NotFoundError } from './registry'
import { ownStartToken } from '../util/process-identity'

interface ReproductionRow {
  id: number
  name: string
  quick: number
  seeds: number
  target: string
  status: string
  command: string
  commit_sha: string | null
  machine: string
  entry_json: string
  steps: number
  samples: number
  results_json: string
  error: string | null
  pid: number | null
  host: string | null
  created_at: string
  finished_at: string | null
}

const toRecord = (r: ReproductionRow): ReproductionRecord => ({
  id: r.id, name: r.name, quick: r.quick === 1, seeds: r.seeds, target: r.target as Placement, status: r.status as ReproductionStatus,
  command: r.command, commit: r.commit_sha, machine: r.machine, entry: JSON.parse(r.entry_json) as ReproductionEntry,
  steps: r.steps, samples: r.samples, results: JSON.parse(r.results_json) as SeedResult[], error: r.error,
  createdAt: r.created_at, finishedAt: r.finished_at,
})

export interface NewReproduction {
  entry: ReproductionEntry
  quick: boolean
  seeds: number
  target: Placement
  command: string
  commit: string | null
  machine: string
  steps: number
  samples: number
  results: SeedResult[]
}

export function createReproduction(registry: Registry, r: NewReproduction): ReproductionRecord {
  const info = registry.db.prepare(`INSERT INTO reproductions (name, quick, seeds, target, status, command, commit_sha, machine, entry_json, steps, samples, results_json, pid, pid_started, host, created_at)
    VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(r.entry.name, r.quick ? 1 : 0, r.seeds, r.target, r.command, r.commit, r.machine, JSON.stringify(r.entry), r.steps, r.samples, JSON.stringify(r.results), process.pid, ownStartToken(), os.hostname(), new Date().toISOString())
  return getReproduction(registry, Number(info.lastInsertRowid))
}

export function saveResults(registry: Registry, id: number, results: SeedResult[]): ReproductionRecord {
  registry.db.prepare('UPDATE reproductions SET results_json = ? WHERE id = ?').run(JSON.stringify(results), id)
  return getReproduction(registry, id)
}

export function finishReproduction(registry: Registry, id: number, status: Exclude<ReproductionStatus, 'running'>, error: string | null = null): ReproductionRecord {
  registry.db.prepare('UPDATE reproductions SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error, new Date().toISOString(), id)
  return getReproduction(registry, id)
}

export function getReproduction(registry: Registry, id: number): ReproductionRecord {
  const row = registry.db.prepare('SELECT * FROM reproductions WHERE id = ?').get(id) as ReproductionRow | undefined
  if (!row) throw new NotFoundError(`no reproduction with id ${id}`)
  return toRecord(row)
}

/** Every reproduction, newest first (optionally of one name). */
export function listReproductions(registry: Registry, name?: string): ReproductionRecord[] {
  const rows = (name === undefined
    ? registry.db.prepare('SELECT * FROM reproductions ORDER BY id DESC').all()
    : registry.db.prepare('SELECT * FROM reproductions WHERE name = ? ORDER BY id DESC').all(name)) as ReproductionRow[]
  return rows.map(toRecord)
}

/** The latest finished-or-running reproduction of each name, full or quick. */
export function latestReproductions(registry: Registry, quick: boolean): Map<string, ReproductionRecord> {
  const rows = registry.db.prepare(`SELECT * FROM reproductions r WHERE quick = ? AND id = (SELECT MAX(id) FROM reproductions WHERE name = r.name AND quick = r.quick)`).all(quick ? 1 : 0) as ReproductionRow[]
  return new Map(rows.map((r) => [r.name, toRecord(r)]))
}
