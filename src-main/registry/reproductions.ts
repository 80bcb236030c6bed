/**
 * Reproduction rows: one per `reproduce` (CLI or UI), holding the catalog entry as it was run,
 * where it ran, and its per-seed results, rewritten after each seed so a table survives a crash.
 */
import type { ReproductionEntry } from '../../src-shared/reproductions/catalog'
import { settleActiveSeeds, type ReproductionRecord, type ReproductionStatus, type SeedResult } from '../../src-shared/domain/reproduction'
import type { Placement } from '../../src-shared/domain/run'
import type { ProcessOwner } from '../util/process-identity'
import type { Db } from './database'
import { NotFoundError } from './errors'
import { ownerGone, type OwnerRow } from './owner'

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
  id: r.id,
  name: r.name,
  quick: r.quick === 1,
  seeds: r.seeds,
  target: r.target as Placement,
  status: r.status as ReproductionStatus,
  command: r.command,
  commit: r.commit_sha,
  machine: r.machine,
  entry: JSON.parse(r.entry_json) as ReproductionEntry,
  steps: r.steps,
  samples: r.samples,
  results: JSON.parse(r.results_json) as SeedResult[],
  error: r.error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
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

export class ReproductionRepository {
  constructor(
    private readonly db: Db,
    private readonly owner: ProcessOwner,
  ) {}

  create(r: NewReproduction): ReproductionRecord {
    const info = this.db
      .prepare(
        `INSERT INTO reproductions (name, quick, seeds, target, status, command, commit_sha, machine, entry_json, steps, samples, results_json, pid, pid_started, host, created_at)
      VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.entry.name,
        r.quick ? 1 : 0,
        r.seeds,
        r.target,
        r.command,
        r.commit,
        r.machine,
        JSON.stringify(r.entry),
        r.steps,
        r.samples,
        JSON.stringify(r.results),
        this.owner.pid,
        this.owner.startToken,
        this.owner.host,
        new Date().toISOString(),
      )
    return this.get(Number(info.lastInsertRowid))
  }

  saveResults(id: number, results: SeedResult[]): ReproductionRecord {
    this.db.prepare('UPDATE reproductions SET results_json = ? WHERE id = ?').run(JSON.stringify(results), id)
    return this.get(id)
  }

  finish(id: number, status: Exclude<ReproductionStatus, 'running'>, error: string | null = null): ReproductionRecord {
    this.db
      .prepare('UPDATE reproductions SET status = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(status, error, new Date().toISOString(), id)
    return this.get(id)
  }

  get(id: number): ReproductionRecord {
    const found = this.find(id)
    if (!found) throw new NotFoundError(`no reproduction with id ${id}`)
    return found
  }

  find(id: number): ReproductionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM reproductions WHERE id = ?').get(id) as ReproductionRow | undefined
    return row ? toRecord(row) : undefined
  }

  /** Every reproduction, newest first (optionally of one name). */
  list(name?: string): ReproductionRecord[] {
    const rows = (
      name === undefined
        ? this.db.prepare('SELECT * FROM reproductions ORDER BY id DESC').all()
        : this.db.prepare('SELECT * FROM reproductions WHERE name = ? ORDER BY id DESC').all(name)
    ) as ReproductionRow[]
    return rows.map(toRecord)
  }

  /** The latest finished-or-running reproduction of each name, full or quick. */
  latest(quick: boolean): Map<string, ReproductionRecord> {
    const rows = this.db
      .prepare(
        `SELECT * FROM reproductions r WHERE quick = ? AND id = (SELECT MAX(id) FROM reproductions WHERE name = r.name AND quick = r.quick)`,
      )
      .all(quick ? 1 : 0) as ReproductionRow[]
    return new Map(rows.map((r) => [r.name, toRecord(r)]))
  }

  /** A reproduction whose process died is interrupted, not left running (its seeds' results stay). */
  interruptOrphans(isAlive: (pid: number) => boolean): void {
    const rows = this.db
      .prepare("SELECT id, pid, pid_started, host, results_json FROM reproductions WHERE status = 'running'")
      .all() as (OwnerRow & { results_json: string })[]
    for (const r of rows) {
      if (ownerGone(r, this.owner.host, isAlive)) {
        const results = settleActiveSeeds(JSON.parse(r.results_json) as SeedResult[])
        this.db
          .prepare(
            "UPDATE reproductions SET status = 'interrupted', error = ?, finished_at = ?, results_json = ? WHERE id = ? AND status = 'running'",
          )
          .run('the process running this reproduction ended before it finished', new Date().toISOString(), JSON.stringify(results), r.id)
      }
    }
  }
}
