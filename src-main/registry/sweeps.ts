/** The `sweeps` table: a name and the spec that made the group; the runs point at it (runs.sweep_id). */
import type { SweepRecord } from '../../src-shared/domain/sweep'
import type { SweepAxis } from '../../src-shared/config/sweep'
import type { RunStatus } from '../../src-shared/domain/run'
import type { Db } from './database'
import { NotFoundError } from './errors'

interface SweepRow {
  id: number
  name: string
  spec_json: string
  created_at: string
}

export class SweepRepository {
  constructor(private readonly db: Db) {}

  /** A new sweep; returns its id. */
  create(name: string, spec: { grid: SweepAxis[]; random?: number; seed?: number; base: unknown }): number {
    const info = this.db
      .prepare('INSERT INTO sweeps (name, spec_json, created_at) VALUES (?, ?, ?)')
      .run(name, JSON.stringify(spec), new Date().toISOString())
    return Number(info.lastInsertRowid)
  }

  rename(id: number, name: string): void {
    this.db.prepare('UPDATE sweeps SET name = ? WHERE id = ?').run(name, id)
  }

  get(id: number): SweepRecord {
    const row = this.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined
    if (!row) throw new NotFoundError(`no sweep with id ${id}`)
    return this.toRecord(row)
  }

  list(): SweepRecord[] {
    return (this.db.prepare('SELECT * FROM sweeps ORDER BY id DESC').all() as SweepRow[]).map((r) => this.toRecord(r))
  }

  private toRecord(row: SweepRow): SweepRecord {
    const spec = JSON.parse(row.spec_json) as { grid: SweepAxis[]; random?: number }
    const runs = this.db.prepare('SELECT id, status FROM runs WHERE sweep_id = ? ORDER BY id').all(row.id) as {
      id: number
      status: RunStatus
    }[]
    const statuses: SweepRecord['statuses'] = {}
    for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1
    return {
      id: row.id,
      name: row.name,
      grid: spec.grid,
      random: spec.random ?? null,
      createdAt: row.created_at,
      runIds: runs.map((r) => r.id),
      statuses,
    }
  }
}
