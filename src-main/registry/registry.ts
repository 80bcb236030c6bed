/**
 * The run registry: experiments, runs, tags, metrics and artifacts in one SQLite file. Every write
 * is a short transaction, so a process killed at any point leaves a consistent database.
 *
 * One repository per table sits over the one database handle (`repos`: runs.ts, metrics.ts,
 * artifacts.ts, diagnoses.ts, datasets.ts, transfers.ts, sweeps.ts, templates.ts,
 * reproductions.ts; remote-jobs.ts for queue runs). This facade keeps the run-centred surface the
 * services call, and holds the operations that span tables in one transaction (an attempt's start,
 * an import, orphan recovery). The process it writes as a row's owner (pid, start time, host) is
 * passed in when it is opened: nothing here reads `process` or `os`.
 */
import path from 'node:path'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'
import type { ArtifactRecord, MetricPoint, MetricSeries, RunFilter, RunRecord, RunStatus } from '../../src-shared/domain/run'
import type { TransferOptions, TransferRecord, TransferResults } from '../../src-shared/domain/transfer'
import type { ProcessOwner } from '../util/process-identity'
import { openDatabase, type Db, type OpenOptions } from './database'
import { ArtifactRepository, type NewArtifact } from './artifacts'
import { recordedArtifactPath } from './artifact-files'
import { runDir } from '../platform/paths'
import { DatasetRepository, type DatasetRecord } from './datasets'
import { DiagnosisRepository } from './diagnoses'
import { MetricRepository, type MetricRow } from './metrics'
import { ReproductionRepository } from './reproductions'
import { RunRepository, type DeleteOptions, type ImportedRun, type NewRun, type RunProgress } from './runs'
import { SweepRepository } from './sweeps'
import { TemplateRepository } from './templates'
import { TransferRepository } from './transfers'

export { NotFoundError } from './errors'
export { datasetLabel } from './datasets'
export type { DatasetRecord, DeleteOptions, MetricPoint, MetricRow, NewArtifact, NewRun }

export interface RegistryOptions extends OpenOptions {
  /** The process this registry writes as the owner of what it starts (util/process-identity.ts `thisProcess()`). */
  owner: ProcessOwner
}

/** The tables, one repository each, over one database handle. */
export interface Repositories {
  runs: RunRepository
  metrics: MetricRepository
  artifacts: ArtifactRepository
  diagnoses: DiagnosisRepository
  datasets: DatasetRepository
  transfers: TransferRepository
  sweeps: SweepRepository
  templates: TemplateRepository
  reproductions: ReproductionRepository
}

export function repositories(db: Db, owner: ProcessOwner): Repositories {
  const metrics = new MetricRepository(db)
  return {
    runs: new RunRepository(db, owner, metrics),
    metrics,
    artifacts: new ArtifactRepository(db),
    diagnoses: new DiagnosisRepository(db),
    datasets: new DatasetRepository(db),
    transfers: new TransferRepository(db, owner),
    sweeps: new SweepRepository(db),
    templates: new TemplateRepository(db),
    reproductions: new ReproductionRepository(db, owner),
  }
}

export class Registry {
  readonly repos: Repositories

  private constructor(
    readonly db: Db,
    readonly owner: ProcessOwner,
  ) {
    this.repos = repositories(db, owner)
  }

  static async open(file: string, options: RegistryOptions): Promise<Registry> {
    const { owner, ...open } = options
    return new Registry(await openDatabase(file, open), owner)
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  /** The data directory: the registry file sits at its top, each run's files in runs/<id>. */
  get dataDir(): string {
    return path.dirname(path.resolve(this.db.name))
  }

  // ---- runs (runs.ts) ---------------------------------------------------------------------

  createRun(input: NewRun): RunRecord {
    return this.repos.runs.get(this.repos.runs.create(input))
  }

  findRun(id: number): RunRecord | undefined {
    return this.repos.runs.find(id)
  }

  getRun(id: number): RunRecord {
    return this.repos.runs.get(id)
  }

  listRuns(filter: RunFilter = {}): RunRecord[] {
    return this.repos.runs.list(filter)
  }

  markStarted(id: number, backend: string, backendReason: string): void {
    this.repos.runs.markStarted(id, backend, backendReason)
  }

  updateProgress(id: number, step: number, epoch: number, samplesPerSec: number | null): void {
    this.repos.runs.updateProgress(id, step, epoch, samplesPerSec)
  }

  setStatus(id: number, status: RunStatus, error: string | null = null): void {
    this.repos.runs.setStatus(id, status, error)
  }

  requestControl(id: number, control: 'pause' | 'stop' | null): RunRecord {
    return this.repos.runs.requestControl(id, control)
  }

  runsUpdatedSince(iso: string): RunProgress[] {
    return this.repos.runs.updatedSince(iso)
  }

  control(id: number): 'pause' | 'stop' | null {
    return this.repos.runs.control(id)?.control ?? null
  }

  /** A run's control request, or undefined once the run was deleted (its trainer then ends without writing). */
  runControl(id: number): { control: 'pause' | 'stop' | null } | undefined {
    return this.repos.runs.control(id)
  }

  /**
   * Runs left `running` or `queued` by a process that no longer exists (killed, crashed, machine
   * rebooted) become `interrupted`, so they can be resumed rather than shown as live forever;
   * transfer experiments and reproductions likewise. Returns the runs' ids.
   */
  markOrphansInterrupted(isAlive: (pid: number) => boolean): number[] {
    // Read and write in one immediate transaction: a trainer finishing meanwhile is never overwritten.
    const tx = this.db.transaction(() => {
      const orphans = this.repos.runs.interruptOrphans(isAlive)
      this.repos.transfers.failOrphans(isAlive)
      this.repos.reproductions.interruptOrphans(isAlive)
      return orphans
    })
    return tx.immediate()
  }

  setNotes(id: number, notes: string): RunRecord {
    return this.repos.runs.setNotes(id, notes)
  }

  tag(id: number, add: string[] = [], remove: string[] = []): RunRecord {
    return this.repos.runs.tag(id, add, remove)
  }

  /** See RunRepository.delete: refused, in the delete's transaction, while anything trains the run. */
  deleteRun(id: number, options: DeleteOptions = {}): void {
    this.repos.runs.delete(id, options)
  }

  whyNotDelete(id: number, options: DeleteOptions = {}): string | null {
    return this.repos.runs.whyNotDelete(id, options)
  }

  /**
   * A trainer (re)starts a run at `step` (its last checkpoint's, or 0): whatever an abandoned
   * attempt recorded past it (metrics, diagnoses, sample artifacts) goes, and the run's progress
   * says `step`, in one transaction. Each step and artifact is then recorded once, by this attempt.
   */
  beginAttempt(runId: number, step: number, epoch: number): void {
    const tx = this.db.transaction(() => {
      this.repos.metrics.truncate(runId, step)
      this.repos.diagnoses.truncate(runId, step)
      this.repos.artifacts.truncate(runId, step)
      this.repos.runs.rewindTo(runId, step, epoch)
    })
    tx.immediate()
  }

  // ---- metrics (metrics.ts) ---------------------------------------------------------------

  writeMetrics(runId: number, rows: MetricRow[]): void {
    this.repos.metrics.write(runId, rows)
  }

  metrics(runId: number, keys?: string[], maxPoints?: number): MetricSeries {
    return this.repos.metrics.series(runId, keys, maxPoints)
  }

  truncateMetrics(runId: number, afterStep: number): void {
    this.repos.metrics.truncate(runId, afterStep)
  }

  metricRowsAfter(runId: number, step: number, limit?: number): MetricRow[] {
    return this.repos.metrics.rowsAfter(runId, step, limit)
  }

  // ---- artifacts (artifacts.ts) -----------------------------------------------------------

  /** Rows record the path relative to the run's folder (artifact-files.ts); records carry it under the data dir as it is now. */
  addArtifact(a: NewArtifact): ArtifactRecord {
    return this.underDataDir(this.repos.artifacts.add({ ...a, path: recordedArtifactPath(this.dataDir, a.runId, a.path) }))
  }

  artifacts(runId: number, kind?: string): ArtifactRecord[] {
    return this.repos.artifacts.list(runId, kind).map((a) => this.underDataDir(a))
  }

  latestArtifact(runId: number, kind: string): ArtifactRecord | undefined {
    const a = this.repos.artifacts.latest(runId, kind)
    return a && this.underDataDir(a)
  }

  /** Joined only: readers confine it (artifact-files.ts), and a row that climbs out stays outside. */
  private underDataDir(a: ArtifactRecord): ArtifactRecord {
    return path.isAbsolute(a.path) ? a : { ...a, path: path.join(runDir(this.dataDir, a.runId), a.path) }
  }

  // ---- import -----------------------------------------------------------------------------

  /**
   * Adds a run that was exported elsewhere, under a new id, with its metrics, artifacts (paths
   * already rewritten to this machine) and diagnoses, in one transaction. A run exported while
   * it trained arrives `interrupted`, so it can be resumed here.
   */
  importRun(input: {
    run: ImportedRun
    metrics: MetricSeries
    artifacts: (Omit<NewArtifact, 'runId'> & { relativePath?: string })[]
    diagnoses: Diagnosis[]
    tags: string[]
    placeArtifact: (runId: number, artifact: { path: string; relativePath?: string }) => string
  }): RunRecord {
    const tx = this.db.transaction(() => {
      const { run } = input
      const id = this.repos.runs.create({ name: run.name, experiment: run.experiment, config: run.config, totalSteps: run.totalSteps })
      // Nothing trains it here: a run that was active where it came from (paused included) can be resumed.
      const status = run.status === 'running' || run.status === 'queued' || run.status === 'paused' ? 'interrupted' : run.status
      this.repos.runs.restoreImported(id, run, status, input.tags)
      this.repos.metrics.write(
        id,
        Object.entries(input.metrics).flatMap(([key, points]) => points.map((p) => ({ key, ...p }))),
      )
      for (const a of input.artifacts)
        this.repos.artifacts.add({ ...a, runId: id, path: recordedArtifactPath(this.dataDir, id, input.placeArtifact(id, a)) })
      for (const d of input.diagnoses) this.repos.diagnoses.add(id, d)
      return id
    })
    return this.getRun(tx.immediate())
  }

  // ---- diagnoses (diagnoses.ts) -----------------------------------------------------------

  addDiagnosis(runId: number, d: Diagnosis): void {
    this.repos.diagnoses.add(runId, d)
  }

  diagnoses(runId: number): Diagnosis[] {
    return this.repos.diagnoses.list(runId)
  }

  truncateDiagnoses(runId: number, afterStep: number): void {
    this.repos.diagnoses.truncate(runId, afterStep)
  }

  // ---- datasets (datasets.ts) -------------------------------------------------------------

  registerDataset(
    runId: number,
    config: ExperimentConfig,
    identity: { sha256: string; content: boolean; count: number | null },
  ): DatasetRecord {
    return this.repos.datasets.register(runId, config, identity)
  }

  listDatasets(): DatasetRecord[] {
    return this.repos.datasets.list()
  }

  // ---- transfer experiments (transfers.ts) ------------------------------------------------

  createTransfer(ganRunId: number, checkpointStep: number, options: TransferOptions): TransferRecord {
    this.getRun(ganRunId)
    return this.repos.transfers.create(ganRunId, checkpointStep, options)
  }

  finishTransfer(id: number, outcome: { results: TransferResults } | { error: string }): TransferRecord {
    return this.repos.transfers.finish(id, outcome)
  }

  getTransfer(id: number): TransferRecord {
    return this.repos.transfers.get(id)
  }

  listTransfers(ganRunId?: number): TransferRecord[] {
    return this.repos.transfers.list(ganRunId)
  }
}
