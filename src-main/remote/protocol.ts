/**
 * What queue workers and the coordinator say to each other, as schemas: the one place where every
 * message between them is checked. A job on the queue carries only a run id, the coordinator's URL,
 * a job token and its signature (see job-signature.ts); everything else (config, dataset files,
 * checkpoints, results) goes over the coordinator's HTTP routes under /remote/. Each side parses
 * what it receives with these schemas before using any of it: integers are integers, and a path
 * never comes over the wire (dataset files arrive as names inside the worker's own store).
 */
import crypto from 'node:crypto'
import { z } from 'zod'
import { RUN_STATUSES } from '../../src-shared/domain/run'
import { CHECKPOINT_FORMAT } from '../training/checkpoint'

export const QUEUE_NAME = 'gan-workbench-runs'
/** Redis keys where workers announce themselves (with a time to live, so a dead worker fades out). */
export const WORKER_KEY_PREFIX = 'gan-workbench:workers:'
export const WORKER_TTL_SECONDS = 15
export const WORKER_HEARTBEAT_MS = 5000

/** Upper bounds of what either side accepts from the other. */
export const LIMITS = {
  json: 64 * 1024 ** 2,
  /** One checkpoint's weights (a long DCGAN's are tens of MB). */
  weights: 2 * 1024 ** 3,
  file: 4 * 1024 ** 3,
  datasetFiles: 1_000_000,
  datasetBytes: 8 * 1024 ** 3,
  /** An error text relayed from the other side. */
  message: 5000,
} as const

const base64url43 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 43 base64url characters (an HMAC-SHA-256)')
export const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256')
/** Steps, epochs, leases: whole numbers, never strings, never past what a run can reach. */
const count = z.int().min(0).max(1e12)

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text)
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password
  } catch {
    return false
  }
}

/** A queue job's payload as it sits in Redis; `sig` is checked before anything else (job-signature.ts). */
export const JobData = z.strictObject({
  runId: z.int().min(1).max(1e12),
  /** Base URL of the coordinator's server, e.g. http://10.0.0.5:7860. */
  coordinator: z.string().max(2048).refine(isHttpUrl, 'must be an http(s) URL without credentials'),
  /** HMAC of the run and job ids under the coordinator's secret: good for this job of this run only. */
  token: base64url43,
  /** HMAC of the whole payload and the job id under the queue's worker key. */
  sig: base64url43,
})
export type JobData = z.infer<typeof JobData>

/** The job token: derived, not stored, so a coordinator restart never strands a job in the queue. */
export function jobToken(secret: Buffer, runId: number, jobId: string): string {
  return crypto.createHmac('sha256', secret).update(`${runId}:${jobId}`).digest('base64url')
}

export const ClaimRequest = z.strictObject({ jobId: z.string().min(1).max(200), worker: z.string().min(1).max(300) })

const metricRow = z.strictObject({
  key: z.string().min(1).max(100),
  step: count,
  epoch: count,
  // NaN/Inf never leave a trainer as metrics (a diverged run says so in its status)
  value: z.number(),
  wallTime: z.number(),
})

/** Diagnoses as the trainer records them; their shape is the trainer's own, so only the keys the registry uses are checked. */
const diagnosis = z.looseObject({
  kind: z.string().min(1).max(100),
  step: count,
  detectedAt: count,
  // A mode collapse's end (the registry's truncate and the Health panel read it).
  recovered: z
    .strictObject({ step: count, detectedAt: count, evidence: z.string().max(LIMITS.message) })
    .nullable()
    .optional(),
})

export const SyncRequest = z.strictObject({
  lease: z.int().min(1),
  metrics: z.array(metricRow).max(50_000),
  diagnoses: z.array(diagnosis).max(100),
  step: count,
  epoch: count,
  samplesPerSec: z.number().nonnegative().nullable(),
  backend: z.strictObject({ name: z.string().max(100), reason: z.string().max(2000) }).optional(),
  /** The attempt's status as its trainer reports it; `queued` means "this attempt failed, the queue retries it". */
  status: z.strictObject({ status: z.enum(RUN_STATUSES), error: z.string().max(LIMITS.message).nullable() }).optional(),
})
export type SyncRequest = z.infer<typeof SyncRequest>

export const SyncResponse = z.strictObject({
  /** A pause or stop the user asked for, which the worker passes to its trainer. */
  control: z.enum(['pause', 'stop']).nullable(),
})
export type SyncResponse = z.infer<typeof SyncResponse>

export const ProgressRequest = z.strictObject({
  lease: z.int().min(1),
  event: z.looseObject({ step: count, totalSteps: count, epoch: count }),
})

/**
 * A name inside a dataset's folder, as the coordinator lists it and the worker recreates it:
 * relative, '/'-separated, no empty, '.', '..' or hidden segment (the image loaders skip hidden
 * files), no backslash or control character, at most 32 levels.
 */
export function isDatasetFileName(name: string): boolean {
  if (name.length === 0 || name.length > 1024 || /[\\\u0000-\u001f\u007f]/.test(name)) return false
  const segments = name.split('/')
  return segments.length <= 32 && segments.every((s) => s.length > 0 && s.length <= 255 && !s.startsWith('.'))
}

const datasetFile = z.strictObject({
  name: z.string().refine(isDatasetFileName, 'must be a plain relative name inside the dataset'),
  bytes: z.int().min(0).max(LIMITS.datasetBytes),
  sha256: hex64,
})

/**
 * The files of a run's dataset, each named by its place in the dataset's folder and keyed by its
 * SHA-256; none for built-in and generated data. The worker fetches them (in this order, one
 * stream) into a store keyed by the list's own hash, verifying every file.
 */
export const DatasetOffer = z.strictObject({ files: z.array(datasetFile).max(LIMITS.datasetFiles) }).superRefine((offer, ctx) => {
  const names = new Set<string>()
  let total = 0
  for (const f of offer.files) {
    if (names.has(f.name)) ctx.addIssue({ code: 'custom', message: `${f.name} is listed twice`, path: ['files'] })
    names.add(f.name)
    total += f.bytes
  }
  // A file cannot also be a folder of another one (a and a/b).
  for (const f of offer.files) {
    const parts = f.name.split('/')
    for (let i = 1; i < parts.length; i++) {
      if (names.has(parts.slice(0, i).join('/'))) ctx.addIssue({ code: 'custom', message: `${f.name} is inside a file`, path: ['files'] })
    }
  }
  if (total > LIMITS.datasetBytes)
    ctx.addIssue({ code: 'custom', message: `the dataset is over ${LIMITS.datasetBytes} bytes`, path: ['files'] })
})
export type DatasetOffer = z.infer<typeof DatasetOffer>

export const CheckpointAt = z.strictObject({ step: count, epoch: count })

export const ClaimResponse = z.strictObject({
  lease: z.int().min(1),
  name: z.string().min(1).max(500),
  /** Checked with the experiment schema every door uses (validateExperiment). */
  config: z.unknown(),
  /** The checkpoint the attempt starts from (fetched from /checkpoint/…), or null for a fresh start. */
  checkpoint: CheckpointAt.nullable(),
  dataset: DatasetOffer,
})
export type ClaimResponse = z.infer<typeof ClaimResponse>

/** A checkpoint's manifest.json, as workers upload it and download it. */
export const CheckpointManifest = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  step: count,
  epoch: count,
  weightsSha256: hex64,
  tensors: z
    .array(
      z.strictObject({
        group: z.string().min(1).max(200),
        name: z.string().max(500),
        shape: z.array(z.int().min(0).max(1e9)).max(8),
        dtype: z.enum(['float32', 'int32']),
        offset: z.int().min(0),
        length: z.int().min(0),
      }),
    )
    .max(100_000),
})
export type CheckpointManifest = z.infer<typeof CheckpointManifest>

/** Where the manifest does not describe `weightsBytes` bytes of float32 values: a message, else null. */
export function manifestLayoutProblem(manifest: CheckpointManifest, weightsBytes: number): string | null {
  for (const [i, t] of manifest.tensors.entries()) {
    const values = t.shape.reduce((a, b) => a * b, 1)
    if (t.length !== values * 4) return `tensors[${i}]: ${t.length} bytes do not hold a [${t.shape.join(', ')}] tensor`
    if (t.offset + t.length > weightsBytes)
      return `tensors[${i}]: bytes ${t.offset}–${t.offset + t.length} are past the end of weights.bin (${weightsBytes} bytes)`
  }
  return null
}

/** Sample artifacts a worker may upload: the names its trainer gives them (samples/epoch-00001.png). */
export const ARTIFACT_NAME = /^epoch-\d{1,9}\.(png|json)$/

const text = (max: number) => z.string().max(max)

/** A worker's announcement in Redis, as the coordinator reads it back for its Workers view. */
export const WorkerAnnouncement = z.strictObject({
  id: text(300),
  host: text(300),
  pid: z.int().min(0),
  backend: text(100),
  backendReason: text(2000),
  gpu: text(200).nullable(),
  concurrency: z.int().min(1).max(1000),
  jobs: z.array(z.strictObject({ runId: z.int().min(1), jobId: text(200), step: count, totalSteps: count })).max(1000),
  lastJob: z
    .strictObject({ runId: z.int().min(1), jobId: text(200), endedAt: text(40) })
    .nullable()
    .optional(),
  startedAt: text(40),
  seenAt: text(40),
})

/** What a worker's job returns to the queue (BullMQ keeps it in Redis; the coordinator reads it). */
export const JobOutcome = z.union([
  z.strictObject({ status: z.enum(RUN_STATUSES) }),
  z.strictObject({ skipped: text(LIMITS.message) }),
  z.strictObject({ bundle: text(4096), worker: text(300) }),
])
export type JobOutcome = z.infer<typeof JobOutcome>

/** Zod issues as one line naming each field, for errors sent back or logged. */
export function issuesText(error: z.ZodError, root = 'body'): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ')
}
