/**
 * The registry's side of queue runs (placement 'queue'): which queue job carries each run, and
 * which attempt owns it. The coordinator is the only writer; workers reach it over HTTP.
 */
import type { ArtifactRecord, RunRecord } from '../../src-shared/domain/run'
import { ConflictError } from '../util/errors'
import type { Registry } from './registry'

export interface RemoteJob {
  runId: number
  jobId: string | null
  generation: number
  lease: number
}

export interface Claim {
  lease: number
  run: RunRecord
  /** Where the new attempt starts: the last checkpoint the coordinator holds, or none. */
  checkpoint: ArtifactRecord | null
}

/** Statuses a worker may claim a run in: waiting, or left running by a worker that was lost. */
const CLAIMABLE = new Set(['queued', 'running', 'paused'])

const now = () => new Date().toISOString()

export class RemoteJobs {
  constructor(private readonly registry: Registry) {}

  private get db() {
    return this.registry.db
  }

  get(runId: number): RemoteJob | undefined {
    const row = this.db.prepare('SELECT run_id, job_id, generation, lease FROM remote_jobs WHERE run_id = ?').get(runId) as
      | { run_id: number; job_id: string | null; generation: number; lease: number }
      | undefined
    return row && { runId: row.run_id, jobId: row.job_id, generation: row.generation, lease: row.lease }
  }

  /** Queue runs waiting for a job: new ones, and stopped or failed ones the user resumed. */
  undispatched(): number[] {
    return (
      this.db
        .prepare(
          `SELECT j.run_id FROM remote_jobs j JOIN runs r ON r.id = j.run_id
      WHERE r.status = 'queued' AND j.job_id IS NULL ORDER BY j.run_id`,
        )
        .all() as { run_id: number }[]
    ).map((r) => r.run_id)
  }

  /** Queue runs that have a job and are not finished: re-announced to the queue at start-up (adding is idempotent). */
  dispatched(): { runId: number; jobId: string }[] {
    return (
      this.db
        .prepare(
          `SELECT j.run_id, j.job_id FROM remote_jobs j JOIN runs r ON r.id = j.run_id
      WHERE r.status = 'queued' AND j.job_id IS NOT NULL ORDER BY j.run_id`,
        )
        .all() as { run_id: number; job_id: string }[]
    ).map((r) => ({ runId: r.run_id, jobId: r.job_id }))
  }

  /** Queue runs that have a job and are not finished (queued, running or paused): what the coordinator reconciles with the queue. */
  active(): { runId: number; jobId: string }[] {
    return this.db
      .prepare(
        `SELECT j.run_id AS runId, j.job_id AS jobId FROM remote_jobs j JOIN runs r ON r.id = j.run_id
      WHERE r.status IN ('queued', 'running', 'paused') AND j.job_id IS NOT NULL`,
      )
      .all() as { runId: number; jobId: string }[]
  }

  /**
   * Names the next job of a run (one per dispatch: a resumed run gets a new one). `prefix` tells
   * this registry's jobs from another's on a shared queue (run ids repeat across registries).
   */
  assignJob(runId: number, prefix = 'local'): string {
    const tx = this.db.transaction(() => {
      const job = this.get(runId)
      if (!job) throw new ConflictError(`run ${runId} is not a queue run`)
      const generation = job.generation + 1
      const jobId = `${prefix}-run-${runId}-g${generation}`
      this.db
        .prepare('UPDATE remote_jobs SET job_id = ?, generation = ?, updated_at = ? WHERE run_id = ?')
        .run(jobId, generation, now(), runId)
      return jobId
    })
    return tx.immediate()
  }

  /**
   * A worker takes the run for a new attempt: the lease goes up (older attempts' uploads are
   * refused from now on), and whatever was recorded after the last checkpoint is dropped, since
   * the attempt recomputes it from there. Refused when the job is not the run's current one or
   * the run was stopped meanwhile.
   */
  claim(runId: number, jobId: string, worker: string): Claim {
    const tx = this.db.transaction(() => {
      const job = this.get(runId)
      const run = this.registry.findRun(runId)
      if (!job || !run || job.jobId !== jobId) throw new ConflictError(`job ${jobId} no longer carries run ${runId}`)
      if (!CLAIMABLE.has(run.status)) throw new ConflictError(`run ${runId} is ${run.status}: nothing to train`)
      const lease = job.lease + 1
      this.db.prepare('UPDATE remote_jobs SET lease = ?, updated_at = ? WHERE run_id = ?').run(lease, now(), runId)
      const checkpoint = this.registry.latestArtifact(runId, 'checkpoint') ?? null
      const from = checkpoint?.step ?? 0
      this.registry.truncateMetrics(runId, from)
      this.registry.truncateDiagnoses(runId, from)
      this.registry.repos.artifacts.truncate(runId, from, 'checkpoint')
      this.db
        .prepare(
          `UPDATE runs SET status = 'running', worker = ?, control = NULL, error = NULL, step = ?, epoch = ?,
        started_at = COALESCE(started_at, ?), finished_at = NULL, pid = NULL, host = ?, updated_at = ? WHERE id = ?`,
        )
        .run(worker, from, checkpoint?.epoch ?? 0, now(), this.registry.owner.host, now(), runId)
      return { lease, run: this.registry.getRun(runId), checkpoint }
    })
    return tx.immediate()
  }

  /** Throws unless `lease` is the current attempt's: a lost worker must not write over its successor. */
  checkLease(runId: number, lease: number): void {
    const job = this.get(runId)
    if (!job) throw new ConflictError(`run ${runId} is not a queue run`)
    if (job.lease !== lease) throw new ConflictError(`attempt ${lease} of run ${runId} was superseded by attempt ${job.lease}`)
  }

  /**
   * Runs an attempt's write with its lease checked in the same immediate transaction: a claim
   * cannot slip in between the check and the write (a request body that was still arriving when
   * another worker claimed the run is refused whole, never half applied).
   */
  underLease<T>(runId: number, lease: number, write: () => T): T {
    const tx = this.db.transaction(() => {
      this.checkLease(runId, lease)
      return write()
    })
    return tx.immediate()
  }

  /** Back on the queue with a new job at the next dispatch (resume, or a retry after a failed attempt). */
  requeue(runId: number, error: string | null = null): void {
    const tx = this.db.transaction(() => {
      this.registry.setStatus(runId, 'queued', error)
      this.db.prepare('UPDATE remote_jobs SET job_id = NULL, updated_at = ? WHERE run_id = ?').run(now(), runId)
    })
    tx.immediate()
  }

  /** The worker's backend, once its trainer picked one. */
  markBackend(runId: number, backend: string, reason: string): void {
    this.db.prepare('UPDATE runs SET backend = ?, backend_reason = ?, updated_at = ? WHERE id = ?').run(backend, reason, now(), runId)
  }
}
