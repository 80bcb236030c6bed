/**
 * The run registry: experiments, runs, tags, metrics and artifacts in one SQLite file. Every write
 * is a short transaction, so a process killed at any point leaves a consistent database.
 */
import os from 'node:os'
import path from 'node:path'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'
import type { ArtifactRecord, MetricPoint, MetricSeries, Placement, RunFilter, RunRecord, RunStatus } from '../../src-shared/domain/run'
import type { TransferOptions, TransferRecord, TransferResults, TransferStatus } from '../../src-shared/domain/transfer'
import { openDatabase, type Db, type OpenOptions } from './database'
import { searchClause } from './run-search'
import { RUN_SELECT, toRunRecord, type RunRow } from './run-rows'
import { downsampleIndices } from './downsample'
import { envelopeSeries, refreshRollups, ROLLUP_STEPS, seriesSizes, truncateRollups } from './metric-rollups'
import { ConflictError } from '../util/errors'
import { faultPoint } from '../util/faults'
import { ownStartToken, isProcessAlive, sameProcessAlive } from '../util/process-identity'

export class NotFoundError extends Error {
  override name = 'NotFoundError'
}

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

export interface MetricRow {
  key: string
  step: number
  epoch: number
  value: number
  wallTime: number
}

export type NewArtifact = Omit<ArtifactRecord, 'id' | 'createdAt'>

export interface DatasetRecord {
  id: number
  /** Of the content (`contentHash`), or of the spec for generated and derived data. */
  sha256: string
  contentHash: boolean
  /** How the first run named it (e.g. image:mnist, folder:/data/faces). */
  label: string
  spec: ExperimentConfig['dataset']
  count: number | null
  createdAt: string
  /** Runs that trained on it. */
  runs: number
}

const now = () => new Date().toISOString()

export function datasetLabel(config: ExperimentConfig): string {
  switch (config.dataset.kind) {
    case 'toy2d':
      return `toy2d:${config.dataset.distribution}`
    case 'image':
      return `image:${config.dataset.name}${config.dataset.limit ? `[:${config.dataset.limit}]` : ''}`
    case 'paired':
      return `paired:${config.dataset.task ?? config.dataset.dir}${config.dataset.limit ? `[:${config.dataset.limit}]` : ''}`
    case 'unpaired':
      return `unpaired:${config.dataset.task ?? config.dataset.dir}${config.dataset.limit ? `[:${config.dataset.limit}]` : ''}`
    case 'csv':
      return `csv:${config.dataset.file}`
    case 'folder':
      return `folder:${config.dataset.dir}${config.dataset.limit ? `[:${config.dataset.limit}]` : ''}`
  }
}

/** Series longer than this many times the points asked for are drawn from their roll-ups (metric-rollups.ts). */
const ENVELOPE_FACTOR = 8

/** The process a row says owns it (a run, a reproduction, a transfer experiment). */
interface OwnerRow {
  id: number
  pid: number | null
  pid_started: string | null
  host: string | null
}

/** No owner, or one on this host that is dead or whose pid now names another process (pids are reused). */
function ownerGone(r: OwnerRow, isAlive: (pid: number) => boolean): boolean {
  return r.pid === null || (r.host === os.hostname() && !sameProcessAlive(r.pid, r.pid_started, isAlive))
}

export class Registry {
  private constructor(readonly db: Db) {}

  static async open(file: string, options?: OpenOptions): Promise<Registry> {
    return new Registry(await openDatabase(file, options))
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  /** The data directory: the registry file sits at its top, each run's files in runs/<id>. */
  get dataDir(): string {
    return path.dirname(path.resolve(this.db.name))
  }

  // ---- runs -------------------------------------------------------------------------------

  createRun(input: NewRun): RunRecord {
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
          process.pid,
          ownStartToken(),
          os.hostname(),
          ts,
          ts,
          input.placement ?? 'local',
          input.sweepId ?? null,
        )
      const id = Number(result.lastInsertRowid)
      // The coordinator gives it a queue job (RemoteJobs.assignJob) when it dispatches it.
      if (input.placement === 'queue') this.db.prepare('INSERT INTO remote_jobs (run_id, updated_at) VALUES (?, ?)').run(id, ts)
      if (!input.name) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(`run-${id}`, id)
      return id
    })
    return this.getRun(tx.immediate())
  }

  findRun(id: number): RunRecord | undefined {
    const row = this.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined
    return row && toRunRecord(row, this.lastMetrics(id))
  }

  getRun(id: number): RunRecord {
    const run = this.findRun(id)
    if (!run) throw new NotFoundError(`no run with id ${id}`)
    return run
  }

  listRuns(filter: RunFilter = {}): RunRecord[] {
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
    const last = this.lastMetricsOf(rows.map((r) => r.id))
    return rows.map((row) => toRunRecord(row, last.get(row.id) ?? {}))
  }

  markStarted(id: number, backend: string, backendReason: string): void {
    const ts = now()
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', backend = ?, backend_reason = ?, pid = ?, pid_started = ?, host = ?, error = NULL,
           started_at = COALESCE(started_at, ?), finished_at = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(backend, backendReason, process.pid, ownStartToken(), os.hostname(), ts, ts, id)
  }

  updateProgress(id: number, step: number, epoch: number, samplesPerSec: number | null): void {
    this.db.prepare('UPDATE runs SET step = ?, epoch = ?, samples_per_sec = COALESCE(?, samples_per_sec), updated_at = ? WHERE id = ?')
      .run(step, epoch, samplesPerSec, now(), id)
  }

  setStatus(id: number, status: RunStatus, error: string | null = null): void {
    const ts = now()
    const active = status === 'queued' || status === 'running' || status === 'paused'
    // A run queued again belongs to the process that queued it, until its trainer starts. A pause
    // request stands while the run is running or paused; any other status answers it.
    this.db.prepare(`UPDATE runs SET status = ?, error = ?, finished_at = ?, pid = ?, pid_started = ?, host = ?, updated_at = ?${status === 'running' || status === 'paused' ? '' : ', control = NULL'} WHERE id = ?`)
      .run(status, error, active ? null : ts, active ? process.pid : null, active ? ownStartToken() : null, active ? os.hostname() : null, ts, id)
  }

  /**
   * Asks the trainer of a run, in whatever process it runs, to pause, stop, or go on (null); it
   * polls this a few times a second. Only a running or paused run takes a request.
   */
  requestControl(id: number, control: 'pause' | 'stop' | null): RunRecord {
    const run = this.getRun(id)
    if (run.status !== 'running' && run.status !== 'paused') throw new ConflictError(`run ${id} is ${run.status}, not running or paused`)
    this.db.prepare('UPDATE runs SET control = ?, updated_at = ? WHERE id = ?').run(control, now(), id)
    return this.getRun(id)
  }

  /** Runs whose row changed after `iso` (an ISO time): what a host polls to follow other processes' runs. */
  runsUpdatedSince(iso: string): { id: number; status: RunStatus; step: number; totalSteps: number; epoch: number; samplesPerSec: number | null }[] {
    return this.db
      .prepare('SELECT id, status, step, total_steps AS totalSteps, epoch, samples_per_sec AS samplesPerSec FROM runs WHERE updated_at > ? ORDER BY id')
      .all(iso) as { id: number; status: RunStatus; step: number; totalSteps: number; epoch: number; samplesPerSec: number | null }[]
  }

  control(id: number): 'pause' | 'stop' | null {
    return this.runControl(id)?.control ?? null
  }

  /** A run's control request, or undefined once the run was deleted (its trainer then ends without writing). */
  runControl(id: number): { control: 'pause' | 'stop' | null } | undefined {
    return this.db.prepare('SELECT control FROM runs WHERE id = ?').get(id) as { control: 'pause' | 'stop' | null } | undefined
  }

  /**
   * Runs left `running` or `queued` by a process that no longer exists (killed, crashed, machine
   * rebooted) become `interrupted`, so they can be resumed rather than shown as live forever.
   */
  markOrphansInterrupted(isAlive: (pid: number) => boolean): number[] {
    // Read and write in one immediate transaction: a trainer finishing meanwhile is never overwritten.
    const tx = this.db.transaction(() => {
      // Queue runs are the job engine's to recover (stalled jobs go back to the queue), not ours.
      const rows = this.db.prepare(`SELECT id, pid, pid_started, host FROM runs WHERE status IN ('running', 'queued', 'paused') AND placement = 'local' ORDER BY id`).all() as OwnerRow[]
      const orphans = rows.filter((r) => ownerGone(r, isAlive))
      for (const r of orphans) this.setStatus(r.id, 'interrupted', 'the process training this run ended unexpectedly')
      this.failOrphanTransfers(isAlive)
      this.interruptOrphanReproductions(isAlive)
      return orphans.map((r) => r.id)
    })
    return tx.immediate()
  }

  setNotes(id: number, notes: string): RunRecord {
    this.getRun(id)
    this.db.prepare('UPDATE runs SET notes = ?, updated_at = ? WHERE id = ?').run(notes, now(), id)
    return this.getRun(id)
  }

  tag(id: number, add: string[] = [], remove: string[] = []): RunRecord {
    this.getRun(id)
    const tx = this.db.transaction(() => {
      for (const t of add) this.db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)').run(id, t)
      for (const t of remove) this.db.prepare('DELETE FROM run_tags WHERE run_id = ? AND tag = ?').run(id, t)
      this.db.prepare('UPDATE runs SET updated_at = ? WHERE id = ?').run(now(), id)
    })
    tx.immediate()
    return this.getRun(id)
  }

  /**
   * Deletes a run (its metrics, tags, artifacts and diagnoses cascade), in one transaction with
   * the check that nothing trains it anywhere: a live trainer on this machine (pid and start
   * time), a run queued or trained by another machine or the job queue. A paused run's trainer
   * waits, idle: `force` deletes it anyway, and that trainer ends without writing (it polls its
   * run a few times a second). Run ids are never issued again (AUTOINCREMENT).
   */
  deleteRun(id: number, options: DeleteOptions = {}): void {
    const tx = this.db.transaction(() => {
      const refusal = this.whyNotDelete(id, options)
      if (refusal) throw new ConflictError(refusal)
      this.db.prepare('DELETE FROM runs WHERE id = ?').run(id)
    })
    tx.immediate()
  }

  /** Why deleting the run would be refused now (see deleteRun), or null: lets a caller say so before asking for confirmation. */
  whyNotDelete(id: number, options: DeleteOptions = {}): string | null {
    const row = this.db.prepare('SELECT status, pid, pid_started, host, placement, worker FROM runs WHERE id = ?').get(id) as DeleteCheckRow | undefined
    if (!row) throw new NotFoundError(`no run with id ${id}`)
    return deleteRefusal(id, row, options.force ?? false, options.isAlive ?? isProcessAlive)
  }

  // ---- metrics ----------------------------------------------------------------------------

  /** Writes a batch of metric rows in one transaction; rewriting a step replaces it. */
  writeMetrics(runId: number, rows: MetricRow[]): void {
    if (rows.length === 0) return
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO metrics (run_id, key, step, epoch, value, wall_time) VALUES (?, ?, ?, ?, ?, ?)',
    )
    const last = this.db.prepare(`INSERT INTO last_metrics (run_id, key, step, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value WHERE excluded.step >= last_metrics.step`)
    const tx = this.db.transaction(() => {
      const newest = new Map<string, MetricRow>()
      const touched = new Map<string, Set<number>>()
      // NaN/Inf cannot be stored or charted; a diverged run records them in its status message.
      rows.forEach((r, i) => {
        if (i === rows.length >> 1) faultPoint('metrics-batch') // a crash test dies half-way through the batch
        if (!Number.isFinite(r.value)) return
        insert.run(runId, r.key, r.step, r.epoch, r.value, r.wallTime)
        const seen = newest.get(r.key)
        if (!seen || r.step >= seen.step) newest.set(r.key, r)
        let blocks = touched.get(r.key)
        if (!blocks) touched.set(r.key, (blocks = new Set()))
        blocks.add(Math.floor(r.step / ROLLUP_STEPS))
      })
      for (const r of newest.values()) last.run(runId, r.key, r.step, r.value)
      refreshRollups(this.db, runId, touched)
    })
    tx.immediate()
  }

  metrics(runId: number, keys?: string[], maxPoints?: number): MetricSeries {
    const series: MetricSeries = {}
    const sizes = seriesSizes(this.db, runId, keys)
    // Envelopes of roll-ups for series far longer than asked for, when the roll-ups still give at
    // least half the points asked for (2 per block); otherwise the rows, downsampled by LTTB.
    const long = sizes.filter((s) => maxPoints && s.n > ENVELOPE_FACTOR * maxPoints && 4 * s.blocks >= maxPoints)
    if (long.length) Object.assign(series, envelopeSeries(this.db, runId, long.map((s) => s.key), maxPoints!))
    const rawKeys = sizes.filter((s) => !long.includes(s)).map((s) => s.key)
    if (rawKeys.length === 0) return series
    // Raw rows (arrays, not objects): objects are made only for the points a chart keeps.
    const rows = this.db.prepare(`SELECT key, step, epoch, value, wall_time FROM metrics WHERE run_id = ? AND key IN (SELECT value FROM json_each(?)) ORDER BY key, step`)
      .raw(true).all(runId, JSON.stringify(rawKeys)) as [string, number, number, number, number][]
    let start = 0
    while (start < rows.length) {
      const key = rows[start]![0]
      let end = start
      while (end < rows.length && rows[end]![0] === key) end++
      const points: MetricPoint[] = []
      const keep = maxPoints ? downsampleIndices(rows, start, end, maxPoints) : null
      const push = (r: [string, number, number, number, number]) => points.push({ step: r[1], epoch: r[2], value: r[3], wallTime: r[4] })
      if (keep) for (const i of keep) push(rows[i]!)
      else for (let i = start; i < end; i++) push(rows[i]!)
      series[key] = points
      start = end
    }
    return series
  }

  /** Deletes metric rows after `step` (a run resumed from an earlier checkpoint rewrites them). */
  truncateMetrics(runId: number, afterStep: number): void {
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, afterStep)
      truncateRollups(this.db, runId, afterStep)
      this.db.prepare('DELETE FROM last_metrics WHERE run_id = ? AND step > ?').run(runId, afterStep)
      this.db.prepare(`INSERT OR REPLACE INTO last_metrics (run_id, key, step, value)
        SELECT m.run_id, m.key, m.step, m.value FROM metrics m
        JOIN (SELECT key, MAX(step) AS step FROM metrics WHERE run_id = ? GROUP BY key) l ON l.key = m.key AND l.step = m.step
        WHERE m.run_id = ? AND m.key NOT IN (SELECT key FROM last_metrics WHERE run_id = ?)`).run(runId, runId, runId)
    })
    tx.immediate()
  }

  /**
   * A trainer (re)starts a run at `step` (its last checkpoint's, or 0): whatever an abandoned
   * attempt recorded past it (metrics, diagnoses, sample artifacts) goes, and the run's progress
   * says `step`, in one transaction. Each step and artifact is then recorded once, by this attempt.
   */
  beginAttempt(runId: number, step: number, epoch: number): void {
    const tx = this.db.transaction(() => {
      this.truncateMetrics(runId, step)
      this.truncateDiagnoses(runId, step)
      this.db.prepare('DELETE FROM artifacts WHERE run_id = ? AND step > ?').run(runId, step)
      this.db.prepare('UPDATE runs SET step = ?, epoch = ?, updated_at = ? WHERE id = ?').run(step, epoch, now(), runId)
    })
    tx.immediate()
  }

  /** Metric rows after `step`, oldest first (what a queue worker has not yet handed back), up to `limit` steps' worth. */
  metricRowsAfter(runId: number, step: number, limit = 50_000): MetricRow[] {
    return this.db
      .prepare(`SELECT key, step, epoch, value, wall_time AS wallTime FROM metrics WHERE run_id = ? AND step > ?
        AND step <= (SELECT COALESCE(MAX(step), 0) FROM (SELECT DISTINCT step FROM metrics WHERE run_id = ? AND step > ? ORDER BY step LIMIT ?))
        ORDER BY step, key`)
      .all(runId, step, runId, step, Math.max(1, Math.floor(limit / 40))) as MetricRow[]
  }

  private lastMetrics(runId: number): Record<string, number> {
    return this.lastMetricsOf([runId]).get(runId) ?? {}
  }

  private lastMetricsOf(ids: number[]): Map<number, Record<string, number>> {
    const out = new Map<number, Record<string, number>>()
    if (ids.length === 0) return out
    const rows = this.db
      .prepare('SELECT run_id, key, value FROM last_metrics WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, key')
      .all(JSON.stringify(ids)) as { run_id: number; key: string; value: number }[]
    for (const r of rows) {
      const rec = out.get(r.run_id) ?? {}
      rec[r.key] = r.value
      out.set(r.run_id, rec)
    }
    return out
  }

  // ---- artifacts --------------------------------------------------------------------------

  /** Records an artifact; one of the same kind at the same step replaces it (a run records each once). */
  addArtifact(a: NewArtifact): ArtifactRecord {
    const ts = now()
    const row = this.db
      .prepare(`INSERT INTO artifacts (run_id, kind, epoch, step, path, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (run_id, kind, step) DO UPDATE SET epoch = excluded.epoch, path = excluded.path, sha256 = excluded.sha256,
          bytes = excluded.bytes, created_at = excluded.created_at
        RETURNING id`)
      .get(a.runId, a.kind, a.epoch, a.step, a.path, a.sha256, a.bytes, ts) as { id: number }
    return { ...a, id: row.id, createdAt: ts }
  }

  artifacts(runId: number, kind?: string): ArtifactRecord[] {
    const rows = (kind
      ? this.db.prepare('SELECT * FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY step, id').all(runId, kind)
      : this.db.prepare('SELECT * FROM artifacts WHERE run_id = ? ORDER BY step, id').all(runId)) as {
      id: number; run_id: number; kind: string; epoch: number; step: number; path: string; sha256: string; bytes: number; created_at: string
    }[]
    return rows.map((r) => ({ id: r.id, runId: r.run_id, kind: r.kind, epoch: r.epoch, step: r.step, path: r.path, sha256: r.sha256, bytes: r.bytes, createdAt: r.created_at }))
  }

  latestArtifact(runId: number, kind: string): ArtifactRecord | undefined {
    return this.artifacts(runId, kind).at(-1)
  }

  // ---- import -----------------------------------------------------------------------------

  /**
   * Adds a run that was exported elsewhere, under a new id, with its metrics, artifacts (paths
   * already rewritten to this machine) and diagnoses, in one transaction. A run exported while
   * it trained arrives `interrupted`, so it can be resumed here.
   */
  importRun(input: {
    /** The fields of the exported record that carry over (the bundle schema's). */
    run: Pick<RunRecord, 'name' | 'experiment' | 'config' | 'totalSteps' | 'status' | 'backend' | 'backendReason' | 'notes' | 'step' | 'epoch'
      | 'samplesPerSec' | 'error' | 'createdAt' | 'startedAt' | 'finishedAt' | 'tags'>
    metrics: MetricSeries
    artifacts: (Omit<NewArtifact, 'runId'> & { relativePath?: string })[]
    diagnoses: Diagnosis[]
    tags: string[]
    placeArtifact: (runId: number, artifact: { path: string; relativePath?: string }) => string
  }): RunRecord {
    const tx = this.db.transaction(() => {
      const { run } = input
      const created = this.createRun({ name: run.name, experiment: run.experiment, config: run.config, totalSteps: run.totalSteps })
      // Nothing trains it here: a run that was active where it came from (paused included) can be resumed.
      const status = run.status === 'running' || run.status === 'queued' || run.status === 'paused' ? 'interrupted' : run.status
      this.db
        .prepare(`UPDATE runs SET status = ?, backend = ?, backend_reason = ?, notes = ?, step = ?, epoch = ?, samples_per_sec = ?,
                  error = ?, pid = NULL, created_at = ?, started_at = ?, finished_at = ? WHERE id = ?`)
        .run(status, run.backend, run.backendReason, run.notes, run.step, run.epoch, run.samplesPerSec, run.error, run.createdAt, run.startedAt, run.finishedAt, created.id)
      for (const tag of [...run.tags, ...input.tags]) this.db.prepare('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)').run(created.id, tag)
      this.writeMetrics(created.id, Object.entries(input.metrics).flatMap(([key, points]) => points.map((p) => ({ key, ...p }))))
      for (const a of input.artifacts) this.addArtifact({ ...a, runId: created.id, path: input.placeArtifact(created.id, a) })
      for (const d of input.diagnoses) this.addDiagnosis(created.id, d)
      return created.id
    })
    return this.getRun(tx.immediate())
  }

  // ---- diagnoses --------------------------------------------------------------------------

  /** Records a diagnosis; a run has at most one of each kind (the first one stands). */
  addDiagnosis(runId: number, d: Diagnosis): void {
    this.db
      .prepare('INSERT OR IGNORE INTO run_events (run_id, kind, step, detected_at, detail_json, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(runId, d.kind, d.step, d.detectedAt, JSON.stringify(d), now())
  }

  diagnoses(runId: number): Diagnosis[] {
    const rows = this.db.prepare('SELECT detail_json FROM run_events WHERE run_id = ? ORDER BY step, id').all(runId) as { detail_json: string }[]
    return rows.map((r) => JSON.parse(r.detail_json) as Diagnosis)
  }

  /** A resumed run re-checks from its checkpoint: diagnoses recognised after it are dropped. */
  truncateDiagnoses(runId: number, afterStep: number): void {
    this.db.prepare('DELETE FROM run_events WHERE run_id = ? AND detected_at > ?').run(runId, afterStep)
  }

  // ---- datasets -------------------------------------------------------------------------

  /** Records the data a run trains on: one row per content (or spec) hash, reused by later runs. */
  registerDataset(runId: number, config: ExperimentConfig, identity: { sha256: string; content: boolean; count: number | null }): DatasetRecord {
    const tx = this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO datasets (sha256, content_hash, label, spec_json, sample_count, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(identity.sha256, identity.content ? 1 : 0, datasetLabel(config), JSON.stringify(config.dataset), identity.count, now())
      const row = this.db.prepare('SELECT id FROM datasets WHERE sha256 = ?').get(identity.sha256) as { id: number }
      this.db.prepare('UPDATE runs SET dataset_id = ? WHERE id = ?').run(row.id, runId)
      return row.id
    })
    const id = tx.immediate()
    return this.listDatasets().find((d) => d.id === id)!
  }

  listDatasets(): DatasetRecord[] {
    const rows = this.db.prepare(`
      SELECT d.id, d.sha256, d.content_hash, d.label, d.spec_json, d.sample_count, d.created_at, count(r.id) AS runs
      FROM datasets d LEFT JOIN runs r ON r.dataset_id = d.id GROUP BY d.id ORDER BY d.id`).all() as {
      id: number; sha256: string; content_hash: number; label: string; spec_json: string; sample_count: number | null; created_at: string; runs: number
    }[]
    return rows.map((r) => ({
      id: r.id, sha256: r.sha256, contentHash: r.content_hash === 1, label: r.label, spec: JSON.parse(r.spec_json) as ExperimentConfig['dataset'],
      count: r.sample_count, createdAt: r.created_at, runs: r.runs,
    }))
  }

  // ---- transfer experiments ---------------------------------------------------------------

  createTransfer(ganRunId: number, checkpointStep: number, options: TransferOptions): TransferRecord {
    this.getRun(ganRunId)
    const info = this.db
      .prepare("INSERT INTO transfer_runs (gan_run_id, status, checkpoint_step, options_json, pid, pid_started, host, created_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?)")
      .run(ganRunId, checkpointStep, JSON.stringify(options), process.pid, ownStartToken(), os.hostname(), now())
    return this.getTransfer(Number(info.lastInsertRowid))
  }

  finishTransfer(id: number, outcome: { results: TransferResults } | { error: string }): TransferRecord {
    if ('results' in outcome) {
      this.db.prepare("UPDATE transfer_runs SET status = 'completed', results_json = ?, finished_at = ? WHERE id = ?").run(JSON.stringify(outcome.results), now(), id)
    } else {
      this.db.prepare("UPDATE transfer_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?").run(outcome.error, now(), id)
    }
    return this.getTransfer(id)
  }

  getTransfer(id: number): TransferRecord {
    const row = this.db.prepare('SELECT * FROM transfer_runs WHERE id = ?').get(id) as TransferRow | undefined
    if (!row) throw new NotFoundError(`no transfer experiment ${id}`)
    return toTransferRecord(row)
  }

  listTransfers(ganRunId?: number): TransferRecord[] {
    const rows = (ganRunId === undefined
      ? this.db.prepare('SELECT * FROM transfer_runs ORDER BY id').all()
      : this.db.prepare('SELECT * FROM transfer_runs WHERE gan_run_id = ? ORDER BY id').all(ganRunId)) as TransferRow[]
    return rows.map(toTransferRecord)
  }

  /** A reproduction whose process died is interrupted, not left running (its seeds' results stay). */
  interruptOrphanReproductions(isAlive: (pid: number) => boolean): void {
    const rows = this.db.prepare("SELECT id, pid, pid_started, host FROM reproductions WHERE status = 'running'").all() as OwnerRow[]
    for (const r of rows) {
      if (ownerGone(r, isAlive)) {
        this.db.prepare("UPDATE reproductions SET status = 'interrupted', error = ?, finished_at = ? WHERE id = ?").run('the process running this reproduction ended before it finished', now(), r.id)
      }
    }
  }

  /** A transfer whose process died is failed, not left running (like orphaned runs). */
  failOrphanTransfers(isAlive: (pid: number) => boolean): void {
    const rows = this.db.prepare("SELECT id, pid, pid_started, host FROM transfer_runs WHERE status = 'running'").all() as OwnerRow[]
    for (const r of rows) {
      if (ownerGone(r, isAlive)) this.finishTransfer(r.id, { error: 'the process running this experiment ended unexpectedly' })
    }
  }
}

export interface DeleteOptions {
  /** Delete a paused run too (its idle trainer ends without writing). */
  force?: boolean
  /** Whether a pid exists (tests stand in for the OS). */
  isAlive?: (pid: number) => boolean
}

interface DeleteCheckRow {
  status: RunStatus
  pid: number | null
  pid_started: string | null
  host: string | null
  placement: Placement
  worker: string | null
}

/** Why a run may not be deleted now, or null. */
function deleteRefusal(id: number, row: DeleteCheckRow, force: boolean,
  isAlive: (pid: number) => boolean,
): string | null {
  if (row.status !== 'running' && row.status !== 'queued' && row.status !== 'paused') return null
  const stopFirst = `stop it first (\`gan-workbench stop ${id}\`)`
  if (row.placement === 'queue') return `run ${id} is ${row.status} on the job queue${row.worker ? ` (worker ${row.worker})` : ''}; ${stopFirst}`
  if (row.host !== os.hostname()) return `run ${id} is ${row.status} on another machine (${row.host ?? 'unknown'}, pid ${row.pid ?? '?'}); stop it there first`
  if (row.pid === null || !sameProcessAlive(row.pid, row.pid_started, isAlive)) return null // its process is gone: nothing trains it
  if (row.status === 'paused') {
    if (force) return null
    return `run ${id} is paused: its trainer (pid ${row.pid}) holds it in memory, waiting to resume; ${stopFirst}, or delete it anyway with --force (its trainer then ends without saving)`
  }
  if (row.status === 'queued') return `run ${id} is queued by process ${row.pid}, about to train; ${stopFirst}`
  return `run ${id} is training (pid ${row.pid}); ${stopFirst}`
}

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

function toTransferRecord(r: TransferRow): TransferRecord {
  return {
    id: r.id, ganRunId: r.gan_run_id, status: r.status, checkpointStep: r.checkpoint_step,
    options: JSON.parse(r.options_json) as TransferOptions,
    results: r.results_json ? (JSON.parse(r.results_json) as TransferResults) : null,
    error: r.error, createdAt: r.created_at, finishedAt: r.finished_at,
  }
}

export type { MetricPoint }
