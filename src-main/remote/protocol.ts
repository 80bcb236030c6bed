/**
 * What queue workers and the coordinator say to each other. A job on the queue carries only a
 * run id, the coordinator's URL and a job token; everything else (config, checkpoints, results)
 * goes over the coordinator's HTTP routes under /remote/, each payload checked with these schemas.
 */
import crypto from 'node:crypto'
import { z } from 'zod'
import { RUN_STATUSES } from '../../src-shared/domain/run'

export const QUEUE_NAME = 'gan-workbench-runs'
/** Redis keys where workers announce themselves (with a time to live, so a dead worker fades out). */
export const WORKER_KEY_PREFIX = 'gan-workbench:workers:'
export const WORKER_TTL_SECONDS = 15
export const WORKER_HEARTBEAT_MS = 5000

export interface JobData {
  runId: number
  /** Base URL of the coordinator's server, e.g. http://10.0.0.5:7860. */
  coordinator: string
  /** HMAC of the run and job ids under the coordinator's secret: good for this job of this run only. */
  token: string
}

/** The job token: derived, not stored, so a coordinator restart never strands a job in the queue. */
export function jobToken(secret: Buffer, runId: number, jobId: string): string {
  return crypto.createHmac('sha256', secret).update(`${runId}:${jobId}`).digest('base64url')
}

export const ClaimRequest = z.strictObject({ jobId: z.string().min(1).max(200), worker: z.string().min(1).max(300) })

const metricRow = z.strictObject({
  key: z.string().min(1).max(100),
  step: z.int().min(0),
  epoch: z.int().min(0),
  // NaN/Inf never leave a trainer as metrics (a diverged run says so in its status)
  value: z.number(),
  wallTime: z.number(),
})

/** Diagnoses as the trainer records them; their shape is the trainer's own, so only the keys the registry uses are checked. */
const diagnosis = z.looseObject({ kind: z.string().min(1).max(100), step: z.int().min(0), detectedAt: z.int().min(0) })

export const SyncRequest = z.strictObject({
  lease: z.int().min(1),
  metrics: z.array(metricRow).max(50_000),
  diagnoses: z.array(diagnosis).max(100),
  step: z.int().min(0),
  epoch: z.int().min(0),
  samplesPerSec: z.number().nonnegative().nullable(),
  backend: z.strictObject({ name: z.string().max(100), reason: z.string().max(2000) }).optional(),
  /** The attempt's status as its trainer reports it; `queued` means "this attempt failed, the queue retries it". */
  status: z.strictObject({ status: z.enum(RUN_STATUSES), error: z.string().max(5000).nullable() }).optional(),
})
export type SyncRequest = z.infer<typeof SyncRequest>

export interface SyncResponse {
  /** A pause or stop the user asked for, which the worker passes to its trainer. */
  control: 'pause' | 'stop' | null
}

export const ProgressRequest = z.strictObject({ lease: z.int().min(1), event: z.looseObject({ step: z.int().min(0), totalSteps: z.int().min(0), epoch: z.int().min(0) }) })

export interface ClaimResponse {
  lease: number
  name: string
  config: unknown
  /** The checkpoint the attempt starts from (fetched from /checkpoint/…), or null for a fresh start. */
  checkpoint: { step: number; epoch: number } | null
}

/** Sample artifacts a worker may upload: the names its trainer gives them (samples/epoch-00001.png). */
export const ARTIFACT_NAME = /^epoch-\d{1,9}\.(png|json)$/
