/**
 * One queue job on a worker: check the job's signature, claim the run from the coordinator, check
 * everything the claim brings (config, checkpoint, dataset files) before anything is recorded,
 * rebuild the run in the worker's own registry, train it in a trainer process, and hand
 * everything back as it appears: metrics after the last handed-back step, diagnoses, sample grids,
 * checkpoints (only once the metrics up to them are delivered, so the coordinator never holds a
 * checkpoint it cannot resume without a gap), and finally the status.
 */
import path from 'node:path'
import { DelayedError, UnrecoverableError, type Job } from 'bullmq'
import { validateExperiment } from '../../src-shared/config/validate'
import { ConfigError } from '../../src-shared/config/errors'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { RunStatus } from '../../src-shared/domain/run'
import { DiagnosisSync } from './diagnosis-sync'
import type { RunProgressEvent } from '../../src-shared/contract'
import type { Registry } from '../registry/registry'
import type { RunManager } from '../training/run-manager'
import { totalSteps } from '../training/train-run'
import { runDir } from '../platform/paths'
import { sha256 } from '../util/atomic-fs'
import { checkpointDirName, placeCheckpointFiles } from '../training/checkpoint'
import { exportBundle } from '../export/run-bundle'
import { BadAnswerError, CoordinatorClient, CoordinatorUnreachableError, JobLostError } from './coordinator-client'
import {
  CheckpointManifest,
  LIMITS,
  issuesText,
  manifestLayoutProblem,
  type ClaimResponse,
  type JobOutcome,
  type SyncRequest,
} from './protocol'
import { openJob } from './job-signature'
import { receiveDataset, ShipmentError } from './dataset-store'
import { artifactPath } from '../registry/artifact-files'

export type { JobOutcome } from './protocol'

const SYNC_MS = 1000
const PROGRESS_MS = 500

export interface WorkerContext {
  registry: Registry
  runs: RunManager
  home: string
  workerId: string
  /** The queue's worker key: jobs not signed with it are refused unopened. */
  workerKey: Buffer
  /** True once the worker is shutting down: the run goes back to the queue from its checkpoint. */
  closing(): boolean
  /** The job's run as it trains, for the worker's announcements. */
  report(jobId: string, state: { runId: number; step: number; totalSteps: number } | null): void
  /** How long the final hand-back keeps trying before the run is kept as a bundle instead. */
  offlinePatienceMs: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What the claim brought, checked: the config (its data in this worker's own store) and the checkpoint to start from. */
interface Prepared {
  config: ExperimentConfig
  checkpoint: { step: number; epoch: number; manifest: string; weights: Buffer } | null
}

/** Errors that mean "the coordinator sent something this worker will not use": the job is refused, not retried. */
function isRefusal(e: unknown): e is Error {
  return e instanceof BadAnswerError || e instanceof ShipmentError || e instanceof ConfigError
}

export async function runJob(ctx: WorkerContext, job: Job, lockToken?: string): Promise<JobOutcome> {
  // Before anything else, the coordinator URL included: a job nobody with the worker key signed is not opened.
  const { runId, coordinator, token } = openJob(ctx.workerKey, job.id, job.data)
  const jobId = job.id!
  const client = new CoordinatorClient(coordinator, runId, token)
  let claim: ClaimResponse | undefined
  let prepared: Prepared
  try {
    claim = await client.claim(jobId, ctx.workerId)
    prepared = await prepare(ctx, client, claim)
  } catch (e) {
    if (e instanceof JobLostError) return { skipped: e.message } // stopped, deleted or re-queued meanwhile
    if (!isRefusal(e)) throw e
    // Said to the coordinator (when the claim got that far) and to the queue; never retried: the same answer fails the same way.
    const error = `worker ${ctx.workerId} refused the job: ${e.message}`.slice(0, LIMITS.message)
    if (claim) {
      const at = claim.checkpoint ?? { step: 0, epoch: 0 }
      await client
        .sync({ metrics: [], diagnoses: [], ...at, samplesPerSec: null, status: { status: 'failed', error } }, 5_000)
        .catch(() => {})
    }
    throw new UnrecoverableError(error)
  }
  const { config } = prepared
  const local = ctx.registry.createRun({
    config,
    name: `${claim.name}@${new URL(coordinator).host}#${runId}`,
    experiment: 'queue-jobs',
    totalSteps: totalSteps(config),
  })
  const sent = new Set<number>() // local artifact ids handed back
  if (prepared.checkpoint) sent.add(placeCheckpoint(ctx, local.id, prepared.checkpoint))
  let cursor = claim.checkpoint?.step ?? 0 // metrics up to here are the coordinator's
  const sentDiagnoses = new DiagnosisSync()
  let reportedStatus: RunStatus = 'running'

  /** Hands back what is new; returns whether anything was left over for the next round. */
  const syncOnce = async (status?: SyncRequest['status'], patienceMs?: number): Promise<boolean> => {
    const artifacts = ctx.registry.artifacts(local.id).filter((a) => !sent.has(a.id)) // before the metrics: see the header
    const rows = ctx.registry.metricRowsAfter(local.id, cursor)
    const diagnoses = sentDiagnoses.pending(ctx.registry.diagnoses(local.id))
    const run = ctx.registry.getRun(local.id)
    const live = run.status === 'running' || run.status === 'paused' ? run.status : null
    const statusToSend = status ?? (live && live !== reportedStatus ? { status: live, error: null } : undefined)
    const answer = await client.sync(
      {
        metrics: rows,
        diagnoses: diagnoses as unknown as SyncRequest['diagnoses'],
        step: Math.min(run.step, rows.at(-1)?.step ?? cursor),
        epoch: run.epoch,
        samplesPerSec: run.samplesPerSec,
        ...(run.backend ? { backend: { name: run.backend, reason: run.backendReason ?? '' } } : {}),
        ...(statusToSend ? { status: statusToSend } : {}),
      },
      patienceMs,
    )
    if (statusToSend) reportedStatus = statusToSend.status
    if (rows.length) cursor = rows.at(-1)!.step
    sentDiagnoses.markSent(diagnoses)
    const firstUnsent = ctx.registry.metricRowsAfter(local.id, cursor, 40)[0]?.step ?? Infinity
    let leftOver = firstUnsent !== Infinity
    for (const a of artifacts) {
      if (a.step > cursor && a.step >= firstUnsent) {
        leftOver = true
        continue
      }
      // The worker's own rows, confined all the same: every reader of an artifact goes through the one rule.
      const file = artifactPath(ctx.registry.dataDir, a)
      if (a.kind === 'checkpoint') await client.uploadCheckpoint(file, a.step)
      else await client.uploadArtifact(file, { kind: a.kind, epoch: a.epoch, step: a.step, name: path.basename(file), sha256: a.sha256 })
      sent.add(a.id)
    }
    // A pause or stop asked for on the coordinator reaches the trainer through this registry.
    if (!status && live && answer.control !== ctx.registry.control(local.id)) {
      try {
        ctx.registry.requestControl(local.id, answer.control)
      } catch {
        // it just finished: nothing to steer
      }
    }
    return leftOver
  }

  let lastProgress = 0
  const off = ctx.runs.onEvent((name, data) => {
    if (name !== 'run.progress' || (data as RunProgressEvent).runId !== local.id) return
    const e = data as RunProgressEvent
    ctx.report(jobId, { runId, step: e.step, totalSteps: e.totalSteps })
    if (Date.now() - lastProgress < PROGRESS_MS && e.step !== e.totalSteps) return
    lastProgress = Date.now()
    void client.progress({ ...e, runId }).catch(() => {})
  })
  ctx.runs.launchPrepared(local.id)
  let finished = false
  const done = ctx.runs.waitFor(local.id).finally(() => (finished = true))
  try {
    while (!finished) {
      await Promise.race([sleep(SYNC_MS), done])
      if (ctx.closing()) ctx.runs.stop(local.id)
      try {
        await syncOnce(undefined, 5_000)
      } catch (e) {
        if (e instanceof JobLostError) {
          // Another worker owns the run now (we were presumed dead), or it was deleted: let go.
          ctx.runs.stop(local.id)
          await done
          return { skipped: e.message }
        }
        if (!(e instanceof CoordinatorUnreachableError)) throw e
        // Coordinator away: keep training; everything stays here until it answers again.
      }
    }
    const final = await done
    const attempt = job.attemptsMade + 1
    const retries = attempt < (job.opts.attempts ?? 1)
    const requeue = ctx.closing() && final.status === 'stopped'
    const status: SyncRequest['status'] = requeue
      ? { status: 'queued', error: `worker ${ctx.workerId} shut down; another worker resumes the run from its last checkpoint` }
      : final.status === 'failed' || final.status === 'interrupted'
        ? {
            status: retries ? 'queued' : 'failed',
            error: `${retries ? `attempt ${attempt} failed on ${ctx.workerId}, the queue retries it: ` : ''}${final.error ?? final.status}`,
          }
        : { status: final.status, error: final.error }
    try {
      // Everything first, then the status in a last, empty round: the run is complete when it says so.
      for (let round = 0; await syncOnce(undefined, ctx.offlinePatienceMs); round++) if (round > 10_000) break
      await syncOnce(status, ctx.offlinePatienceMs)
    } catch (e) {
      if (e instanceof JobLostError) return { skipped: e.message }
      if (!(e instanceof CoordinatorUnreachableError)) throw e
      const bundle = path.join(ctx.home, 'outbox', `run-${runId}-${jobId}.gwbundle`)
      await exportBundle(ctx.registry, ctx.home, local.id, bundle, { force: true })
      return { bundle, worker: ctx.workerId }
    }
    if (requeue) {
      // Not a failure of the run: back to waiting without using up an attempt.
      await job.moveToDelayed(Date.now() + 1000, lockToken)
      throw new DelayedError()
    }
    if (status.status === 'queued' || status.status === 'failed') throw new Error(status.error ?? 'the run failed')
    return { status: final.status }
  } finally {
    off()
    ctx.report(jobId, null)
  }
}

/** The claim's config, checkpoint and dataset, each checked; nothing is recorded or trained until all hold. */
async function prepare(ctx: WorkerContext, client: CoordinatorClient, claim: ClaimResponse): Promise<Prepared> {
  const { config } = validateExperiment(claim.config)
  const checkpoint = claim.checkpoint && (await fetchCheckpoint(client, claim.checkpoint))
  const dataset = await receiveDataset({
    home: ctx.home,
    config: config.dataset,
    offer: claim.dataset,
    download: () => client.downloadDataset(),
  })
  return { config: validateExperiment({ ...config, dataset }).config, checkpoint }
}

/** The coordinator's checkpoint, in memory: its manifest checked against the schema, the claim and the weights. */
async function fetchCheckpoint(
  client: CoordinatorClient,
  at: { step: number; epoch: number },
): Promise<NonNullable<Prepared['checkpoint']>> {
  const manifestBytes = await client.downloadCheckpoint('manifest.json')
  const weights = await client.downloadCheckpoint('weights.bin')
  let raw: unknown
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'))
  } catch {
    throw new BadAnswerError("the checkpoint's manifest.json is not JSON")
  }
  const parsed = CheckpointManifest.safeParse(raw)
  if (!parsed.success)
    throw new BadAnswerError(`the checkpoint's manifest.json breaks the protocol: ${issuesText(parsed.error, 'manifest')}`)
  const manifest = parsed.data
  if (manifest.step !== at.step || manifest.epoch !== at.epoch)
    throw new BadAnswerError(
      `the checkpoint is of step ${manifest.step}, epoch ${manifest.epoch}; the claim said step ${at.step}, epoch ${at.epoch}`,
    )
  if (sha256(weights) !== manifest.weightsSha256)
    throw new BadAnswerError(`the checkpoint of step ${at.step} arrived damaged (weights.bin does not match its checksum)`)
  const layout = manifestLayoutProblem(manifest, weights.length)
  if (layout) throw new BadAnswerError(`the checkpoint's manifest does not describe its weights: ${layout}`)
  return { ...at, manifest: JSON.stringify(manifest), weights }
}

/** The checked checkpoint, into the local run's folder (temp, fsync, rename) and registry. */
function placeCheckpoint(ctx: WorkerContext, localId: number, c: NonNullable<Prepared['checkpoint']>): number {
  const final = placeCheckpointFiles(path.join(runDir(ctx.home, localId), 'checkpoints'), checkpointDirName(c.step), {
    weights: c.weights,
    manifest: c.manifest,
  })
  ctx.registry.updateProgress(localId, c.step, c.epoch, null)
  return ctx.registry.addArtifact({
    runId: localId,
    kind: 'checkpoint',
    epoch: c.epoch,
    step: c.step,
    path: final,
    sha256: sha256(c.manifest),
    bytes: c.weights.length + c.manifest.length,
  }).id
}
