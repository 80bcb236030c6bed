/** The `run_events` table: the training diagnoses recognised in a run, at most one of each kind. */
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'
import type { Db } from './database'

export class DiagnosisRepository {
  constructor(private readonly db: Db) {}

  /** Records a diagnosis; a run has at most one of each kind (the first one stands). */
  add(runId: number, d: Diagnosis): void {
    this.db
      .prepare('INSERT OR IGNORE INTO run_events (run_id, kind, step, detected_at, detail_json, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(runId, d.kind, d.step, d.detectedAt, JSON.stringify(d), new Date().toISOString())
  }

  list(runId: number): Diagnosis[] {
    const rows = this.db.prepare('SELECT detail_json FROM run_events WHERE run_id = ? ORDER BY step, id').all(runId) as {
      detail_json: string
    }[]
    return rows.map((r) => JSON.parse(r.detail_json) as Diagnosis)
  }

  /** A resumed run re-checks from its checkpoint: diagnoses recognised after it are dropped. */
  truncate(runId: number, afterStep: number): void {
    this.db.prepare('DELETE FROM run_events WHERE run_id = ? AND detected_at > ?').run(runId, afterStep)
  }
}
