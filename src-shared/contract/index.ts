/**
 * The one contract between the UI and the services: every request (name, payload schema, result
 * type) and every event stream. The main side validates payloads with these schemas; Electron IPC
 * and the WebSocket server both dispatch through it, and the renderer's client is typed by it.
 */
import { z } from 'zod'
import { PLACEMENTS, RUN_STATUSES, type ArtifactRecord, type MetricSeries, type RunComparison, type RunRecord } from '../domain/run'
import type { Preset } from '../config/presets'
import type { ModelSummary } from '../model/shape-inference'
import type { FieldError } from '../config/errors'
import type { Diagnosis } from '../metrics/diagnostics'
import type { TransferRecord } from '../domain/transfer'
import type { SweepRecord } from '../domain/sweep'
import type { WorkersView } from '../domain/worker'
import type { EvalReport } from '../domain/eval'
import type { ModelTemplate } from '../domain/template'
import type { ReproductionProgressEvent, ReproductionRecord } from '../domain/reproduction'
import type { ReproductionEntry } from '../reproductions/catalog'
import type { DecisionSurface } from '../plots/decision-surface'
import { SweepAxisSchema, MAX_SWEEP_MEMBERS } from '../config/sweep'

/** Declares a request: its payload schema (validated at runtime) and its result type (static). */
function request<O>() {
  return <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O })
}

const runId = z.int().positive()
const id = z.strictObject({ id: runId })

export interface BackendInfo {
  name: string
  available: boolean
  /** Why it is used, or why it was skipped. */
  reason: string
}
export interface AppInfo {
  version: string
  mode: 'electron' | 'server'
  home: string
  backends: BackendInfo[]
  /** The backend `auto` picks for new runs, and why. */
  defaultBackend: string
  defaultBackendReason: string
}

export interface ValidationResult {
  ok: boolean
  errors: FieldError[]
  generator?: ModelSummary
  discriminator?: ModelSummary
}

/** What a run can be exported as from the UI (the CLI's `export --format`). */
export const EXPORT_KINDS = ['tfjs', 'sampler', 'savedmodel', 'discriminator', 'bundle'] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

/** Whether a run can be exported as a format, and if not, why (in words for the dialog). */
export interface ExportOption {
  format: ExportKind
  available: boolean
  reason: string | null
}

export interface ExportOutcome {
  runId: number
  format: ExportKind
  /** Where it was written, on the machine the workbench runs on (inside the data dir's exports/). */
  path: string
  bytes: number
  files: string[]
  /** One file to download through server mode's `/exports/<name>` (a folder export is also zipped). */
  download: string
}

export interface SynthOutcome {
  dir: string
  count: number
  /** How samples got their labels: the class requested (conditional G), the classifier's guess, or none. */
  labels: 'requested' | 'classifier' | 'none'
  perClass: number[]
  /** The dataset field of a config that trains on these samples. */
  dataset: Record<string, unknown>
}

/** The Reproductions page's catalog: every entry with its budgets, and the last result of each. */
export interface ReproductionCatalog {
  entries: (ReproductionEntry & { steps: number; quickSteps: number })[]
  /** The latest full reproduction of each entry that has one, and the latest quick (test-budget) one. */
  latest: ReproductionRecord[]
  latestQuick: ReproductionRecord[]
}

export const requests = {
  'app.info': request<AppInfo>()(z.strictObject({})),
  /** Desktop only: opens a remote `gan-workbench serve` (its printed URL, with the token) in a window of its own. */
  'app.attach': request<{ origin: string }>()(z.strictObject({ url: z.string().trim().min(1).max(2000) })),
  'presets.list': request<Preset[]>()(z.strictObject({})),
  'config.validate': request<ValidationResult>()(z.strictObject({ config: z.unknown() })),
  'runs.list': request<RunRecord[]>()(
    z.strictObject({
      status: z.enum(RUN_STATUSES).optional(),
      search: z.string().max(200).optional(),
      tag: z.string().max(100).optional(),
      experiment: z.string().max(200).optional(),
      limit: z.int().min(1).max(10_000).optional(),
      offset: z.int().min(0).optional(),
    }),
  ),
  'runs.get': request<RunRecord>()(id),
  /** GAN health diagnoses of a run, in the order their evidence began. */
  'runs.diagnoses': request<Diagnosis[]>()(id),
  'runs.metrics': request<MetricSeries>()(
    z.strictObject({
      id: runId,
      keys: z.array(z.string().max(100)).max(100).optional(),
      maxPoints: z.int().min(10).max(100_000).optional(),
    }),
  ),
  'runs.artifacts': request<ArtifactRecord[]>()(id),
  'runs.compare': request<RunComparison>()(
    z.strictObject({
      ids: z.array(runId).min(2).max(50),
      /**
       * false: `metrics` comes back empty, for a caller that reads each run's curves with
       * runs.metrics (one message per run: no single message of megabytes blocks the page).
       */
      curves: z.boolean().optional(),
    }),
  ),
  'runs.start': request<RunRecord>()(
    z.strictObject({
      /** A full config, or a preset name plus `key=value` overrides. */
      config: z.unknown().optional(),
      preset: z.string().max(100).optional(),
      overrides: z.array(z.string().max(1000)).max(100).optional(),
      name: z.string().trim().min(1).max(200).optional(),
      experiment: z.string().trim().min(1).max(200).optional(),
      /** 'local' (default): this machine's trainer; 'queue': the coordinator's job queue. */
      target: z.enum(PLACEMENTS).optional(),
      /** Local runs: line up behind whatever trains here, instead of starting at once. */
      lineUp: z.boolean().optional(),
      /** A run that starts here at once: pause on reaching this step (its trainer waits; `runs.resume` goes on). */
      pauseAtStep: z.int().min(0).optional(),
    }),
  ),
  /** Runs a grid (or `random` draws of it) of a base config as one group, here or on the queue. */
  'sweeps.start': request<{ sweep: SweepRecord; runs: RunRecord[] }>()(
    z.strictObject({
      config: z.unknown().optional(),
      preset: z.string().max(100).optional(),
      overrides: z.array(z.string().max(1000)).max(100).optional(),
      grid: z.array(SweepAxisSchema).min(1).max(10),
      random: z.int().min(1).max(MAX_SWEEP_MEMBERS).optional(),
      seed: z
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .optional(),
      name: z.string().trim().min(1).max(200).optional(),
      target: z.enum(PLACEMENTS).optional(),
    }),
  ),
  'sweeps.list': request<SweepRecord[]>()(z.strictObject({})),
  /** The model builder's saved templates (a generator and discriminator pair each). */
  'templates.list': request<ModelTemplate[]>()(z.strictObject({})),
  /** Saves or replaces a template; both models are checked by shape inference first. */
  'templates.save': request<ModelTemplate>()(
    z.strictObject({
      name: z.string().trim().min(1).max(80),
      generator: z.unknown(),
      discriminator: z.unknown(),
      basePreset: z.string().max(100).nullable(),
    }),
  ),
  'templates.delete': request<{ deleted: string }>()(z.strictObject({ name: z.string().min(1).max(80) })),
  /** The queue workers connected to this host's queue (empty, with queue null, when it has none). */
  'workers.list': request<WorkersView>()(z.strictObject({})),
  'runs.stop': request<RunRecord>()(id),
  /** A child run from a checkpoint of a run (its last at or before `epoch`), with config changes. */
  'runs.fork': request<RunRecord>()(
    z.strictObject({
      id: runId,
      epoch: z.int().min(0).optional(),
      overrides: z.array(z.string().max(1000)).max(100).optional(),
      name: z.string().trim().min(1).max(200).optional(),
    }),
  ),
  /**
   * Continues a paused run where its trainer waits, or a stopped, interrupted or failed run from its
   * last checkpoint; `pauseAtStep` (a run resumed from a checkpoint here) pauses it again on that step.
   */
  'runs.resume': request<RunRecord>()(z.strictObject({ id: runId, pauseAtStep: z.int().min(0).optional() })),
  /** Pauses a running run: its trainer waits with everything in memory; `runs.resume` goes on. */
  'runs.pause': request<RunRecord>()(id),
  'runs.tag': request<RunRecord>()(
    z.strictObject({
      id: runId,
      add: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
      remove: z.array(z.string().max(100)).max(50).optional(),
    }),
  ),
  'runs.note': request<RunRecord>()(z.strictObject({ id: runId, notes: z.string().max(20_000) })),
  /** Refused while the run trains anywhere; a paused run only with `force` (the UI asks first). */
  'runs.delete': request<{ deleted: number }>()(z.strictObject({ id: runId, force: z.boolean().optional() })),
  /** The export formats this run can be exported as, each with the reason when it cannot. */
  'runs.exportOptions': request<ExportOption[]>()(id),
  /** Exports a run into the data dir's exports/ folder; `export.progress` events report how far. */
  'runs.export': request<ExportOutcome>()(z.strictObject({ id: runId, format: z.enum(EXPORT_KINDS), step: z.int().min(0).optional() })),
  /** A transfer experiment from the run's discriminator (`transfer.progress` events while it trains). */
  'runs.transfer': request<TransferRecord>()(
    z.strictObject({
      id: runId,
      labelsPerClass: z.array(z.int().min(1).max(6000)).min(1).max(6),
      steps: z.int().min(1).max(20_000).optional(),
      freeze: z.boolean().optional(),
    }),
  ),
  /** The transfer experiments made from a run, oldest first. */
  'runs.transfers': request<TransferRecord[]>()(id),
  /** Writes n generated samples as a labelled dataset (points: a CSV) into the data dir's datasets/ folder. */
  'runs.synth': request<SynthOutcome>()(
    z.strictObject({ id: runId, n: z.int().min(10).max(100_000), format: z.enum(['idx', 'png', 'csv']) }),
  ),
  /** Generated samples from a point run's latest checkpoint (2D points as [x, y] pairs). */
  'runs.sample': request<{ points: [number, number][] }>()(
    z.strictObject({
      id: runId,
      n: z.int().min(1).max(10_000),
      seed: z
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .optional(),
    }),
  ),
  /** The per-epoch fixed-z sample grids of an image run: epochs available, and one as a PNG data URL. */
  'runs.grid': request<{ epochs: number[]; epoch: number | null; dataUrl: string | null }>()(
    z.strictObject({ id: runId, epoch: z.int().min(0).optional() }),
  ),
  /**
   * `eval` from the UI and the CLI: sample-quality metrics of the last checkpoint (stored as eval.*
   * metrics too), on `samples` draws from the latent `seed`. Point runs may give mode centres and
   * their σ (a CSV's modes, `source` naming where they came from) for mode coverage. A run still
   * training is refused unless `whileTraining` (the CLI's `eval`: its latest checkpoint is scored).
   */
  'runs.eval': request<EvalReport>()(
    z.strictObject({
      id: runId,
      samples: z.int().min(50).max(10_000).optional(),
      seed: z
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .optional(),
      modes: z
        .strictObject({
          centres: z
            .array(z.tuple([z.number(), z.number()]))
            .min(1)
            .max(10_000),
          std: z.number().gt(0).max(1e6),
          source: z.string().trim().min(1).max(1000).optional(),
        })
        .optional(),
      whileTraining: z.boolean().optional(),
    }),
  ),
  /**
   * A trained generator's latent space: a row of images between the z of two seeds, or (for
   * conditional models) one image per class / categorical code for a seed's z, with InfoGAN's
   * continuous codes set.
   */
  'runs.explore': request<{ dataUrl: string; captions: string[]; step: number }>()(
    z.discriminatedUnion('kind', [
      z.strictObject({
        id: runId,
        kind: z.literal('interpolate'),
        seeds: z.tuple([
          z
            .int()
            .min(0)
            .max(2 ** 31 - 1),
          z
            .int()
            .min(0)
            .max(2 ** 31 - 1),
        ]),
        steps: z.int().min(2).max(16),
        label: z.int().min(0).max(10_000).optional(),
      }),
      z.strictObject({
        id: runId,
        kind: z.literal('codes'),
        seed: z
          .int()
          .min(0)
          .max(2 ** 31 - 1),
        continuous: z.array(z.number().min(-3).max(3)).max(16).optional(),
      }),
    ]),
  ),
  /**
   * A 2D run's fixed-z generated points saved at the end of each epoch: epochs available, and one
   * epoch's points, the seed of their z (runs with the same one share it), and D's decision surface then.
   */
  'runs.points': request<{
    epochs: number[]
    epoch: number | null
    points: [number, number][] | null
    zSeed: number | null
    surface: DecisionSurface | null
  }>()(z.strictObject({ id: runId, epoch: z.int().min(0).optional() })),
  /** The reproductions catalog (paper, recipe, protocol, goals) and each entry's last result. */
  'reproductions.catalog': request<ReproductionCatalog>()(z.strictObject({})),
  /** One reproduction (its per-seed results as far as they go). */
  'reproductions.get': request<ReproductionRecord>()(z.strictObject({ id: z.int().positive() })),
  /**
   * Trains a catalog recipe over `seeds` seeds (here one after another, or as a sweep on the job
   * queue) and scores each run with the paper's protocol; answers at once with the running record,
   * then `reproduction.progress` events; `quick` uses the entry's tiny test budget.
   */
  'reproductions.start': request<ReproductionRecord>()(
    z.strictObject({
      name: z.string().min(1).max(100),
      seeds: z.int().min(1).max(20).optional(),
      quick: z.boolean().optional(),
      target: z.enum(PLACEMENTS).optional(),
    }),
  ),
  /** Stops a running reproduction: its current run checkpoints, no more start, the record ends stopped. */
  'reproductions.stop': request<ReproductionRecord>()(z.strictObject({ id: z.int().positive() })),
  /** Samples of a dataset as configured in a run (the real side of a real-vs-generated plot). */
  'datasets.sample': request<{ points: [number, number][] }>()(z.strictObject({ runId, n: z.int().min(1).max(10_000) })),
} as const

export type Requests = typeof requests
export type RequestName = keyof Requests
export type RequestInput<K extends RequestName> = z.input<Requests[K]['input']>
export type ParsedInput<K extends RequestName> = z.output<Requests[K]['input']>
export type RequestOutput<K extends RequestName> = Requests[K]['output']

export interface RunProgressEvent {
  runId: number
  step: number
  totalSteps: number
  epoch: number
  metrics: Record<string, number>
  /** A fixed-z batch of generated 2D points for live plots, when the run is 2D. */
  points?: [number, number][]
  /** With the points: D's output on a grid under them (its decision surface). */
  surface?: DecisionSurface
  /** A fixed-z grid of generated images as a PNG data URL, when the run makes images. */
  grid?: string
  samplesPerSec?: number
  /** Diagnoses recognised since the last event (also stored; `runs.diagnoses` lists them all). */
  diagnoses?: Diagnosis[]
}

export interface RunStatusEvent {
  runId: number
  status: RunRecord['status']
  error?: string | null
}

export interface ExportProgressEvent {
  runId: number
  format: ExportKind
  stage: 'exporting' | 'bundling' | 'zipping' | 'done'
  /** Bytes (bundles) or steps done of `total`. */
  done: number
  total: number
}

export interface TransferProgressEvent {
  runId: number
  transferId: number
  labelsPerClass: number
  model: 'transfer' | 'scratch'
  done: number
  total: number
}

export interface Events {
  'run.progress': RunProgressEvent
  'run.status': RunStatusEvent
  'export.progress': ExportProgressEvent
  'transfer.progress': TransferProgressEvent
  'reproduction.progress': ReproductionProgressEvent
}
export type EventName = keyof Events

/** Errors crossing the contract: a code for programs and a message for people. */
export interface RpcError {
  code: 'invalid_input' | 'not_found' | 'conflict' | 'unknown_request' | 'unauthorized' | 'internal'
  message: string
  fields?: FieldError[]
}

export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: RpcError }

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name)
}

/** What the preload exposes on `window.ganWorkbench` and what the WebSocket transport mimics. */
export interface Bridge {
  invoke(name: string, payload: unknown): Promise<RpcResult<unknown>>
  /** Subscribes to all contract events; returns an unsubscribe function. */
  onEvent(listener: (name: EventName, data: unknown) => void): () => void
}

/** WebSocket frames. */
export type ClientFrame = { type: 'request'; id: number; name: string; payload: unknown }
export type ServerFrame = { type: 'response'; id: number; result: RpcResult<unknown> } | { type: 'event'; name: EventName; data: unknown }
