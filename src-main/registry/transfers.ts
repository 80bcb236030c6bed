/** The `transfer_runs` table: fine-tuning experiments from a GAN run's D, owned by the process running them. */
import type { TransferOptions, TransferRecord, TransferResults, TransferStatus } from '../../src-shared/domain/transfer'
import type { ProcessOwner } from '../util/process-identity'
import type { Db } from './database'
import { NotFoundError } from './errors'
import { ownerGone, type OwnerRow } from './owner'

interface TransferRow {
  id: number
  gan_run_id: number
  status: TransferStatus
  checkpoint_step: number
  options_json: string
  results_json: string | null
  error: string | null
  created_at: string
  finished_at: string | null
}

function toRecord(r: TransferRow): TransferRecord {
  return {
    id: r.id,
    ganRunId: r.gan_run_id,
    status: r.status,
    checkpointStep: r.checkpoint_step,
    options: JSON.parse(r.options_json) as TransferOptions,
    results: r.results_json ? (JSON.parse(r.results_json) as TransferResults) : null,
    error: r.error,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  }
}

const now = () => new Date().toISOString()

export class TransferRepository {
  constructor(
    private readonly db: Db,
    private readonly owner: ProcessOwner,
  ) {}

  /** A running experiment owned by this registry's process. */
  create(ganRunId: number, checkpointStep: number, options: TransferOptions): TransferRecord {
    const info = this.db
      .prepare(
        "INSERT INTO transfer_runs (gan_run_id, status, checkpoint_step, options_json, pid, pid_started, host, created_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?)",
      )
      .run(ganRunId, checkpointStep, JSON.stringify(options), this.owner.pid, this.owner.startToken, this.owner.host, now())
    return this.get(Number(info.lastInsertRowid))
  }

  finish(id: number, outcome: { results: TransferResults } | { error: string }): TransferRecord {
    if ('results' in outcome) {
      this.db
        .prepare("UPDATE transfer_runs SET status = 'completed', results_json = ?, finished_at = ? WHERE id = ?")
        .run(JSON.stringify(outcome.results), now(), id)
    } else {
      this.db.prepare("UPDATE transfer_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?").run(outcome.error, now(), id)
    }
    return this.get(id)
  }

  get(id: number): TransferRecord {
    const row = this.db.prepare('SELECT * FROM transfer_runs WHERE id = ?').get(id) as TransferRow | undefined
    if (!row) throw new NotFoundError(`no transfer experiment ${id}`)
    return toRecord(row)
  }

  list(ganRunId?: number): TransferRecord[] {
    const rows = (
      ganRunId === undefined
        ? this.db.prepare('SELECT * FROM transfer_runs ORDER BY id').all()
        : this.db.prepare('SELECT * FROM transfer_runs WHERE gan_run_id = ? ORDER BY id').all(ganRunId)
    ) as TransferRow[]
    return rows.map(toRecord)
  }

  /** A transfer whose process died is failed, not left running (like orphaned runs). */
  failOrphans(isAlive: (pid: number) => boolean): void {
    const rows = this.db.prepare("SELECT id, pid, pid_started, host FROM transfer_runs WHERE status = 'running'").all() as OwnerRow[]
    for (const r of rows) {
      if (ownerGone(r, this.owner.host, isAlive)) this.finish(r.id, { error: 'the process running this experiment ended unexpectedly' })
    }
  }
}
