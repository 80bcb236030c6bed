/** The `run_events` table: the training diagnoses recognised in a run, at most one of each kind. */
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'
import type { Db } from './database'

export class DiagnosisRepository {
  constructor(private readonly db: Db) {}

  /**
   * Records a diagnosis; a run has at most one of each kind (the first one stands). One that
   * says it is over (`recovered`), or over no more (`recovered: null`), marks the stored one so.
   */
  add(runId: number, d: Diagnosis): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO run_events (run_id, kind, step, detected_at, detail_json, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(runId, d.kind, d.step, d.detectedAt, JSON.stringify(d), new Date().toISOString())
      if (d.recovered !== undefined) this.setRecovered(runId, d.kind, d.recovered)
    })()
  }

  list(runId: number): Diagnosis[] {
    const rows = this.db.prepare('SELECT detail_json FROM run_events WHERE run_id = ? ORDER BY step, id').all(runId) as {
      detail_json: string
    }[]
    return rows.map((r) => JSON.parse(r.detail_json) as Diagnosis)
  }

  /** A resumed run re-checks from its checkpoint: diagnoses, and recoveries, recognised after it are dropped. */
  truncate(runId: number, afterStep: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM run_events WHERE run_id = ? AND detected_at > ?').run(runId, afterStep)
      for (const d of this.list(runId))
        if (d.recovered && d.recovered.detectedAt > afterStep) this.save(runId, { ...d, recovered: undefined })
    })()
  }

  private setRecovered(runId: number, kind: string, recovered: Diagnosis['recovered']): void {
    const row = this.db.prepare('SELECT detail_json FROM run_events WHERE run_id = ? AND kind = ?').get(runId, kind) as
      | { detail_json: string }
      | undefined
    if (row) this.save(runId, { ...(JSON.parse(row.detail_json) as Diagnosis), recovered })
  }

  /** Rewrites a stored diagnosis (JSON leaves an undefined `recovered` out: the mark is gone). */
  private save(runId: number, d: Diagnosis): void {
    this.db.prepare('UPDATE run_events SET detail_json = ? WHERE run_id = ? AND kind = ?').run(JSON.stringify(d), runId, d.kind)
  }
}
