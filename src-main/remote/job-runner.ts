/**
 * One queue job on a worker: claim the run from the coordinator, rebuild it in the worker's own
 * registry (with the checkpoint it resumes from), train it in a trainer process, and hand
 * everything back as it appears: metrics after the last handed-back step, diagnoses, sample grids,
 * checkpoints (only once the metrics up to them are delivered, so the coordinator never holds a
 * checkpoint it cannot resume without a gap), and finally the status.
 */
import path from 'node:path'
import { DelayedError, type Job } from 'bullmq'
import { validateExperiment } from '../../src-shared/config/validate'
import type { RunStatus } from '../../src-shared/domain/run'
import type { RunProgressEvent } from '../../src-shared/contract'
import type { Registry } from '../registry/registry'
import type { RunManager } from '../training/run-manager'
import { totalSteps } from '../training/train-run'
import { runDir } from '../app/paths'
import { sha256 } from '../util/atomic-fs'
import { checkpointDirName, placeCheckpointFiles } from '../training/checkpoint'
import { exportBundle } from '../export/run-bundle'
import { CoordinatorClient, CoordinatorUnreachableError, JobLostError } from './coordinator-client'
import type { JobData, SyncRequest } from './protocol'

const SYNC_MS = 1000
const PROGRESS_MS = 500

export interface WorkerContext {
  registry: Registry
  runs: RunManager
  home: string
  workerId: string
  /** True once the worker is shutting down: the run goes back to the queue from its checkpoint. */
  closing(): boolean
  /** The job's run as it trains, for the worker's announcements. */
  report(jobId: string, state: { runId: number; step: number; totalSteps: number } | null): void
  /** How long the final hand-back keeps trying before the run is kept as a bundle instead. */
  offlinePatienceMs: number
}

export type JobOutcome = { status: RunStatus } | { skipped: string } | { bundle: string; worker: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function runJob(ctx: WorkerContext, job: Job<JobData>, lockToken?: string): Promise<JobOutcome> {
  const { runId, coordinator, token } = job.data
  const jobId = job.id!
  const client = new CoordinatorClient(coordinator, runId, token)
  let claim
  try {
    claim = await client.claim(jobId, ctx.workerId)
  } catch (e) {
    if (e instanceof JobLostError) return { skipped: e.message } // stopped, deleted or re-queued meanwhile
    throw e
  }
  const { config } = validateExperiment(claim.config)
  const local = ctx.registry.createRun({
    config, name: `${claim.name}@${new URL(coordinator).host}#${runId}`, experiment: 'queue-jobs', totalSteps: totalSteps(config),
  })
  const sent = new Set<number>() // local artifact ids handed back
  if (claim.checkpoint) sent.add(await fetchCheckpoint(ctx, client, local.id, claim.checkpoint))
  let cursor = claim.checkpoint?.step ?? 0 // metrics up to here are the coordinator's
  const sentDiagnoses = new Set<string>()
  let reportedStatus: RunStatus = 'running'

  /** Hands back what is new; returns whether anything was left over for the next round. */
  const syncOnce = async (status?: SyncRequest['status'], patienceMs?: number): Promise<boolean> => {
    const artifacts = ctx.registry.artifacts(local.id).filter((a) => !sent.has(a.id)) // before the metrics: see the header
    const rows = ctx.registry.metricRowsAfter(local.id, cursor)
    const diagnoses = ctx.registry.diagnoses(local.id).filter((d) => !sentDiagnoses.has(d.kind))
    const run = ctx.registry.getRun(local.id)
    const live = run.status === 'running' || run.status === 'paused' ? run.status : null
    const statusToSend = status ?? (live && live !== reportedStatus ? { status: live, error: null } : undefined)
    const answer = await client.sync({
      metrics: rows, diagnoses: diagnoses as unknown as SyncRequest['diagnoses'], step: Math.min(run.step, rows.at(-1)?.step ?? cursor), epoch: run.epoch,
      samplesPerSec: run.samplesPerSec, ...(run.backend ? { backend: { name: run.backend, reason: run.backendReason ?? '' } } : {}),
      ...(statusToSend ? { status: statusToSend } : {}),
    }, patienceMs)
    if (statusToSend) reportedStatus = statusToSend.status
    if (rows.length) cursor = rows.at(-1)!.step
    for (const d of diagnoses) sentDiagnoses.add(d.kind)
    const firstUnsent = ctx.registry.metricRowsAfter(local.id, cursor, 40)[0]?.step ?? Infinity
    let leftOver = firstUnsent !== Infinity
    for (const a of artifacts) {
      if (a.step > cursor && a.step >= firstUnsent) {
        leftOver = true
        continue
      }
      if (a.kind === 'checkpoint') await client.uploadCheckpoint(a.path, a.step, a.epoch)
      else await client.uploadArtifact(a.path, { kind: a.kind, epoch: a.epoch, step: a.step, name: path.basename(a.path), sha256: a.sha256 })
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
        ? { status: retries ? 'queued' : 'failed', error: `${retries ? `attempt ${attempt} failed on ${ctx.workerId}, the queue retries it: ` : ''}${final.error ?? final.status}` }
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

/** The coordinator's checkpoint, into the local run's folder (temp, fsync, rename) and registry. */
async function fetchCheckpoint(ctx: WorkerContext, client: CoordinatorClient, localId: number, at: { step: number; epoch: number }): Promise<number> {
  const manifest = await client.downloadCheckpoint('manifest.json')
  const weights = await client.downloadCheckpoint('weights.bin')
  const parsed = JSON.parse(manifest.toString('utf8')) as { step: number; weightsSha256: string }
  if (parsed.step !== at.step || sha256(weights) !== parsed.weightsSha256) throw new Error(`the checkpoint of step ${at.step} arrived damaged`)
  const final = placeCheckpointFiles(path.join(runDir(ctx.home, localId), 'checkpoints'), checkpointDirName(at.step), { weights, manifest })
  ctx.registry.updateProgress(localId, at.step, at.epoch, null)
  return ctx.registry.addArtifact({ runId: localId, kind: 'checkpoint', epoch: at.epoch, step: at.step, path: final, sha256: sha256(manifest), bytes: weights.length + manifest.length }).id
}
