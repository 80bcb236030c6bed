/**
 * The `artifacts` table: files a run recorded (checkpoints, sample grids, exports), unique per run,
 * kind and step. Where their files may be read from is artifact-files.ts's concern.
 */
import type { ArtifactRecord } from '../../src-shared/domain/run'
import type { Db } from './database'

export type NewArtifact = Omit<ArtifactRecord, 'id' | 'createdAt'>

interface ArtifactRow {
  id: number
  run_id: number
  kind: string
  epoch: number
  step: number
  path: string
  sha256: string
  bytes: number
  created_at: string
}

const toRecord = (r: ArtifactRow): ArtifactRecord => ({
  id: r.id,
  runId: r.run_id,
  kind: r.kind,
  epoch: r.epoch,
  step: r.step,
  path: r.path,
  sha256: r.sha256,
  bytes: r.bytes,
  createdAt: r.created_at,
})

export class ArtifactRepository {
  constructor(private readonly db: Db) {}

  /** Records an artifact; one of the same kind at the same step replaces it (a run records each once). */
  add(a: NewArtifact): ArtifactRecord {
    const ts = new Date().toISOString()
    const row = this.db
      .prepare(
        `INSERT INTO artifacts (run_id, kind, epoch, step, path, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, kind, step) DO UPDATE SET epoch = excluded.epoch, path = excluded.path, sha256 = excluded.sha256,
          bytes = excluded.bytes, created_at = excluded.created_at
        RETURNING id`,
      )
      .get(a.runId, a.kind, a.epoch, a.step, a.path, a.sha256, a.bytes, ts) as { id: number }
    return { ...a, id: row.id, createdAt: ts }
  }

  list(runId: number, kind?: string): ArtifactRecord[] {
    const rows = (
      kind
        ? this.db.prepare('SELECT * FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY step, id').all(runId, kind)
        : this.db.prepare('SELECT * FROM artifacts WHERE run_id = ? ORDER BY step, id').all(runId)
    ) as ArtifactRow[]
    return rows.map(toRecord)
  }

  latest(runId: number, kind: string): ArtifactRecord | undefined {
    return this.list(runId, kind).at(-1)
  }

  /** Drops a run's artifacts recorded after `step` (all kinds, or all but `keepKind`): an abandoned attempt's. */
  truncate(runId: number, afterStep: number, keepKind?: string): void {
    if (keepKind === undefined) this.db.prepare('DELETE FROM artifacts WHERE run_id = ? AND step > ?').run(runId, afterStep)
    else this.db.prepare('DELETE FROM artifacts WHERE run_id = ? AND step > ? AND kind != ?').run(runId, afterStep, keepKind)
  }

  /** Drops one artifact's row (its upload was refused half-way). */
  remove(runId: number, kind: string, step: number): void {
    this.db.prepare('DELETE FROM artifacts WHERE run_id = ? AND kind = ? AND step = ?').run(runId, kind, step)
  }
}
