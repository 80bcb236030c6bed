/**
 * The `runs` table (with `experiments` and `run_tags`): a run's row, status, owner process and
 * control requests. The owner a run records (pid, start time, host) is the identity this registry
 * was opened with, never read from the OS here.
 */
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { Placement, RunFilter, RunRecord, RunStatus } from '../../src-shared/domain/run'
import type { ProcessOwner } from '../util/process-identity'
import { isProcessAlive, sameProcessAlive } from '../util/process-identity'
import { ConflictError } from '../util/errors'
import type { Db } from './database'
import { datasetLabel } from './datasets'
import { NotFoundError } from './errors'
import type { MetricRepository } from './metrics'
import { ownerGone, type OwnerRow } from './owner'
import { RUN_SELECT, toRunRecord, type RunRow } from './run-rows'
import { searchClause } from './run-search'

export interface NewRun {
  name?: string
  experiment?: string
  config: ExperimentConfig
  totalSteps: number
  parentRunId?: number
  parentEpoch?: number
  /** 'queue': trained by a queue worker, dispatched by the coordinator (src-main/remote). */
  placement?: Placement
  sweepId?: number
}

export interface DeleteOptions {
  /** Delete a paused run too (its idle trainer ends without writing). */
  force?: boolean
  /** Whether a pid exists (tests stand in for the OS). */
  isAlive?: (pid: number) => boolean
}

/** The fields of an exported run record that carry over into an import (the bundle schema's). */
export type ImportedRun = Pick<
  RunRecord,
  | 'name'
  | 'experiment'
  | 'config'
  | 'totalSteps'
  | 'status'
  | 'backend'
  | 'backendReason'
  | 'notes'
  | 'step'
  | 'epoch'
  | 'samplesPerSec'
  | 'error'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
  | 'tags'
>

export interface RunProgress {
  id: number
  status: RunStatus
  step: number
  totalSteps: number
  epoch: number
  samplesPerSec: number | null
}

const now = () => new Date().toISOString()

export class RunRepository {
  constructor(
    private readonly db: Db,
    private readonly owner: ProcessOwner,
    private readonly metrics: MetricRepository,
  ) {}

  /** A new `queued` run, owned by this registry's process until its trainer starts; returns its id. */
  create(input: NewRun): number {
    const ts = now()
    const tx = this.db.transaction(() => {
      const experiment = input.experiment ?? 'default'
      this.db.prepare('INSERT OR IGNORE INTO experiments (name, created_at) VALUES (?, ?)').run(experiment, ts)
      const exp = this.db.prepare('SELECT id FROM experiments WHERE name = ?').get(experiment) as { id: number }
      const result = this.db
        .prepare(
          `INSERT INTO runs (experiment_id, name, status, gan, dataset, config_json, seed, parent_run_id, parent_epoch,
             total_steps, pid, pid_started, host, created_at, updated_at, placement, sweep_id)
           VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          exp.id,
          input.name ?? '',
          input.config.gan,
          datasetLabel(input.config),
          JSON.stringify(input.config),
          input.config.training.seed,
          input.parentRunId ?? null,
          input.parentEpoch ?? null,
          input.totalSteps,
          // Until its trainer starts, a queued run belongs to the process that queued it.
          this.owner.pid,
          this.owner.startToken,
          this.owner.host,
          ts,
          ts,
          input.placement ?? 'local',
          input.sweepId ?? null,
        )
      const id = Number(result.lastInsertRowid)
      // A queue run and its (job-less) remote_jobs row are made together; the coordinator gives
      // it a job (RemoteJobs.assignJob, remote-jobs.ts) when it dispatches it.
      if (input.placement === 'queue') this.db.prepare('INSERT INTO remote_jobs (run_id, updated_at) VALUES (?, ?)').run(id, ts)
      if (!input.name) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(`run-${id}`, id)
      return id
    })
    return tx.immediate()
  }

  find(id: number): RunRecord | undefined {
    const row = this.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined
    return row && toRunRecord(row, this.metrics.lastOf([id]).get(id) ?? {})
  }

  get(id: number): RunRecord {
    const run = this.find(id)
    if (!run) throw new NotFoundError(`no run with id ${id}`)
    return run
  }

  list(filter: RunFilter = {}): RunRecord[] {
    const where: string[] = []
    const params: unknown[] = []
    if (filter.status) {
      where.push('r.status = ?')
      params.push(filter.status)
    }
    if (filter.experiment) {
      where.push('e.name = ?')
      params.push(filter.experiment)
    }
    if (filter.tag) {
      where.push('EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?)')
      params.push(filter.tag)
    }
    const search = filter.search ? searchClause(filter.search) : null
    if (search) {
      where.push(`(${search.sql})`)
      params.push(...search.params)
    }
    const sql = `${RUN_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT ? OFFSET ?`
    const rows = this.db.prepare(sql).all(...params, filter.limit ?? 1000, filter.offset ?? 0) as RunRow[]
    const last = this.metrics.lastOf(rows.map((r) => r.id))
    return rows.map((row) => toRunRecord(row, last.get(row.id) ?? {}))
  }

  /** Its trainer (this registry's process) starts it. */
  markStarted(id: number, backend: string, backendReason: string): void {
    const ts = now()
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', backend = ?, backend_reason = ?, pid = ?, pid_started = ?, host = ?, error = NULL,
           started_at = COALESCE(started_at, ?), finished_at = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(backend, backendReason, this.owner.pid, this.owner.startToken, this.owner.host, ts, ts, id)
  }

  updateProgress(id: number, step: number, epoch: number, samplesPerSec: number | null): void {
    this.db
      .prepare('UPDATE runs SET step = ?, epoch = ?, samples_per_sec = COALESCE(?, samples_per_sec), updated_at = ? WHERE id = ?')
      .run(step, epoch, samplesPerSec, now(), id)
  }

  setStatus(id: number, status: RunStatus, error: string | null = null): void {
    const ts = now()
    const active = status === 'queued' || status === 'running' || status === 'paused'
    const o = this.owner
    // A run queued again belongs to the process that queued it, until its trainer starts. A pause
    // request stands while the run is running or paused; any other status answers it.
    this.db
      .prepare(
        `UPDATE runs SET status = ?, error = ?, finished_at = ?, pid = ?, pid_started = ?, host = ?, updated_at = ?${status === 'running' || status === 'paused' ? '' : ', control = NULL'} WHERE id = ?`,
      )
      .run(status, error, active ? null : ts, active ? o.pid : null, active ? o.startToken : null, active ? o.host : null, ts, id)
  }

  /**
   * Asks the trainer of a run, in whatever process it runs, to pause, stop, or go on (null); it
   * polls this a few times a second. Only a running or paused run takes a request.
   */
  requestControl(id: number, control: 'pause' | 'stop' | null): RunRecord {
    const run = this.get(id)
    if (run.status !== 'running' && run.status !== 'paused') throw new ConflictError(`run ${id} is ${run.status}, not running or paused`)
    this.db.prepare('UPDATE runs SET control = ?, updated_at = ? WHERE id = ?').run(control, now(), id)
    return this.get(id)
  }

  /** A run's control request, or undefined once the run was deleted (its trainer then ends without writing). */
  control(id: number): { control: 'pause' | 'stop' | null } | undefined {
    return this.db.prepare('SELECT control FROM runs WHERE id = ?').get(id) as { control: 'pause' | 'stop' | null } | undefined
  }

  /** Runs whose row changed after `iso` (an ISO time): what a host polls to follow other processes' runs. */
  updatedSince(iso: string): RunProgress[] {
    return this.db
      .prepare(
        'SELECT id, status, step, total_steps AS totalSteps, epoch, samples_per_sec AS samplesPerSec FROM runs WHERE updated_at > ? ORDER BY id',
      )
      .all(iso) as RunProgress[]
  }

  /** Local runs left active by a process that no longer exists become `interrupted`; returns their ids. */
  interruptOrphans(isAlive: (pid: number) => boolean): number[] {
    // Queue runs are the job engine's to recover (stalled jobs go back to the queue), not ours.
    const rows = this.db
      .prepare(
        `SELECT id, pid, pid_started, host FROM runs WHERE status IN ('running', 'queued', 'paused') AND placement = 'local' ORDER BY id`,
      )
      .all() as OwnerRow[]
    const orphans = rows.filter((r) => ownerGone(r, this.owner.host, isAlive))
    for (const r of orphans) this.setStatus(r.id, 'interrupted', 'the process training this run ended unexpectedly')
    return orphans.map((r) => r.id)
  }

  setNotes(id: number, notes: string): RunRecord {
    this.get(id)
    this.db.prepare('UPDATE runs SET notes = ?, updated_at = ? WHERE id = ?').run(notes, now(), id)
    return this.get(id)
  }

  tag(id: number, add: string[] = [], remove: string[] = []): RunRecord {
    this.get(id)
    const tx = this.db.transaction(() => {
      for (const t of add) this.db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)').run(id, t)
      for (const t of remove) this.db.prepare('DELETE FROM run_tags WHERE run_id = ? AND tag = ?').run(id, t)
      this.db.prepare('UPDATE runs SET updated_at = ? WHERE id = ?').run(now(), id)
    })
    tx.immediate()
    return this.get(id)
  }

  /** Where an attempt (re)starts: the run's progress says `step`. */
  rewindTo(id: number, step: number, epoch: number): void {
    this.db.prepare('UPDATE runs SET step = ?, epoch = ?, updated_at = ? WHERE id = ?').run(step, epoch, now(), id)
  }

  /** An imported run's row takes the exported record's state; nothing trains it here (no owner). */
  restoreImported(id: number, run: ImportedRun, status: RunStatus, extraTags: string[]): void {
    this.db
      .prepare(
        `UPDATE runs SET status = ?, backend = ?, backend_reason = ?, notes = ?, step = ?, epoch = ?, samples_per_sec = ?,
                error = ?, pid = NULL, created_at = ?, started_at = ?, finished_at = ? WHERE id = ?`,
      )
      .run(
        status,
        run.backend,
        run.backendReason,
        run.notes,
        run.step,
        run.epoch,
        run.samplesPerSec,
        run.error,
        run.createdAt,
        run.startedAt,
        run.finishedAt,
        id,
      )
    for (const tag of [...run.tags, ...extraTags])
      this.db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)').run(id, tag)
  }

  /**
   * Deletes a run (its metrics, tags, artifacts and diagnoses cascade), in one transaction with
   * the check that nothing trains it anywhere: a live trainer on this machine (pid and start
   * time), a run queued or trained by another machine or the job queue. A paused run's trainer
   * waits, idle: `force` deletes it anyway, and that trainer ends without writing (it polls its
   * run a few times a second). Run ids are never issued again (AUTOINCREMENT).
   */
  delete(id: number, options: DeleteOptions = {}): void {
    const tx = this.db.transaction(() => {
      const refusal = this.whyNotDelete(id, options)
      if (refusal) throw new ConflictError(refusal)
      this.db.prepare('DELETE FROM runs WHERE id = ?').run(id)
    })
    tx.immediate()
  }

  /** Why deleting the run would be refused now (see delete), or null: lets a caller say so before asking for confirmation. */
  whyNotDelete(id: number, options: DeleteOptions = {}): string | null {
    const row = this.db.prepare('SELECT status, pid, pid_started, host, placement, worker FROM runs WHERE id = ?').get(id) as
      | DeleteCheckRow
      | undefined
    if (!row) throw new NotFoundError(`no run with id ${id}`)
    return deleteRefusal(id, row, this.owner.host, options.force ?? false, options.isAlive ?? isProcessAlive)
  }
}

interface DeleteCheckRow {
  status: RunStatus
  pid: number | null
  pid_started: string | null
  host: string | null
  placement: Placement
  worker: string | null
}

/** Why a run may not be deleted now by a process on `host`, or null. */
function deleteRefusal(id: number, row: DeleteCheckRow, host: string, force: boolean, isAlive: (pid: number) => boolean): string | null {
  if (row.status !== 'running' && row.status !== 'queued' && row.status !== 'paused') return null
  const stopFirst = `stop it first (\`gan-workbench stop ${id}\`)`
  if (row.placement === 'queue')
    return `run ${id} is ${row.status} on the job queue${row.worker ? ` (worker ${row.worker})` : ''}; ${stopFirst}`
  if (row.host !== host)
    return `run ${id} is ${row.status} on another machine (${row.host ?? 'unknown'}, pid ${row.pid ?? '?'}); stop it there first`
  if (row.pid === null || !sameProcessAlive(row.pid, row.pid_started, isAlive)) return null // its process is gone: nothing trains it
  if (row.status === 'paused') {
    if (force) return null
    return `run ${id} is paused: its trainer (pid ${row.pid}) holds it in memory, waiting to resume; ${stopFirst}, or delete it anyway with --force (its trainer then ends without saving)`
  }
  if (row.status === 'queued') return `run ${id} is queued by process ${row.pid}, about to train; ${stopFirst}`
  return `run ${id} is training (pid ${row.pid}); ${stopFirst}`
}
