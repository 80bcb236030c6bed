/** Sweep rows: a name and the spec that made the group; the runs point at it (runs.sweep_id). */
import type { SweepRecord } from '../../src-shared/domain/sweep'
import type { SweepAxis } from '../../src-shared/config/sweep'
import type { RunStatus } from '../../src-shared/domain/run'
import type { Registry } from './registry'
import { NotFoundError } from './registry'

interface SweepRow {
  id: number
  name: string
  spec_json: string
  created_at: string
}

export function createSweep(registry: Registry, name: string, spec: { grid: SweepAxis[]; random?: number; seed?: number; base: unknown }): number {
  const info = registry.db.prepare('INSERT INTO sweeps (name, spec_json, created_at) VALUES (?, ?, ?)').run(name, JSON.stringify(spec), new Date().toISOString())
  return Number(info.lastInsertRowid)
}

function toRecord(registry: Registry, row: SweepRow): SweepRecord {
  const spec = JSON.parse(row.spec_json) as { grid: SweepAxis[]; random?: number }
  const runs = registry.db.prepare('SELECT id, status FROM runs WHERE sweep_id = ? ORDER BY id').all(row.id) as { id: number; status: RunStatus }[]
  const statuses: SweepRecord['statuses'] = {}
  for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1
  return { id: row.id, name: row.name, grid: spec.grid, random: spec.random ?? null, createdAt: row.created_at, runIds: runs.map((r) => r.id), statuses }
}

export function getSweep(registry: Registry, id: number): SweepRecord {
  const row = registry.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined
  if (!row) throw new NotFoundError(`no sweep with id ${id}`)
  return toRecord(registry, row)
}

export function listSweeps(registry: Registry): SweepRecord[] {
  return (registry.db.prepare('SELECT * FROM sweeps ORDER BY id DESC').all() as SweepRow[]).map((r) => toRecord(registry, r))
}
