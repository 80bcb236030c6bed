/**
 * Runs one training run to its end inside the current process (the trainer process): picks the
 * backend, resumes from the last checkpoint if there is one, trains, logs metrics in batched
 * transactions, writes checkpoints and per-epoch samples, and records the final status.
 */
import fs from 'node:fs'
import path from 'node:path'
import { isPointData, validateExperiment } from '../../src-shared/config/validate'
import type { RunProgressEvent, RunStatusEvent } from '../../src-shared/contract'
import type { RunStatus } from '../../src-shared/domain/run'
import type { Registry, MetricRow } from '../registry/registry'
import { diskReserveFile, runDir } from '../platform/paths'
import { isConvolutional, selectBackend } from './backend'
import { createDataSource } from '../datasets/create-data-source'
import { disposeMetrics, readMetrics, type StepMetrics } from './step-metrics'
import { createGan } from './create-gan'
import type { GanModel } from './gan-model'
import { loadCheckpointArtifact, saveCheckpoint } from './checkpoint'
import { mixSeed } from '../../src-shared/util/seeds'
import { sha256, writeFileAtomic } from '../util/atomic-fs'
import { CLASS_GRID_COLUMNS, createPreview, PREVIEW_Z_SEED } from './previews'
import { decisionSurface } from './decision-surface'
import { diversityRatio } from '../../src-shared/metrics/diversity'
import { GanDiagnostics } from '../../src-shared/metrics/diagnostics'
import { createEpochImageEval } from '../scoring/epoch-image-metrics'
import { createEpochPointEval, pointModes } from '../scoring/point-metrics'
import { dropOldCheckpoints, removeCheckpointFolders } from './checkpoint-retention'
import { faultPoint } from '../util/faults'
import { datasetIdentity } from '../datasets/dataset-identity'
import { confinedPath } from '../util/confined-path'
import { DiskReserve, diskFullText, isDiskFull } from '../util/disk-space'

export interface TrainHooks {
  progress(e: RunProgressEvent): void
  status(e: RunStatusEvent): void
  /** Polled between iterations: true once the user asked to stop. */
  stopRequested(): boolean
  /** Pause (as a `pause` request would) on reaching this step, before training it. */
  pauseAtStep?: number
  /**
   * Polled between iterations: why the process that started this trainer is gone (killed, closed),
   * or null while it lives. The run then stops with a checkpoint and records itself `interrupted`.
   */
  hostGone?(): string | null
}

const PROGRESS_INTERVAL_MS = 100
/** Samples behind the per-epoch diversity ratio (pairwise distances: n² / 2 of them). */
export const DIVERSITY_SAMPLES = 256
const FLUSH_INTERVAL_MS = 1000
/**
 * The longest the loop runs without letting the event loop turn: a logged step awaits only
 * promises, so without this a stop message or a signal would wait for the end of the run.
 */
const YIELD_INTERVAL_MS = 50
/** How often a trainer looks for a pause or stop request in the registry (one indexed read). */
const CONTROL_POLL_MS = 250

export function totalSteps(config: { training: { epochs: number; stepsPerEpoch: number } }): number {
  return config.training.epochs * config.training.stepsPerEpoch
}

/** Storage errors in words a user can act on; what was recorded up to the last checkpoint stays. */
export function failureMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e)
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  const keep = 'everything up to the last checkpoint is kept; `resume` continues from there'
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return `cannot write to the data directory (${message}); ${keep}`
  if (code === 'EIO') return `a disk read or write failed (${message}); ${keep}`
  return message
}

/** How a run ended when its end could not be written to the registry (the host tries again, or says so). */
export class UnrecordedEndError extends Error {
  override name = 'UnrecordedEndError'
  constructor(
    readonly status: RunStatus,
    message: string,
  ) {
    super(message)
  }
}

export async function trainRun(registry: Registry, home: string, runId: number, hooks: TrainHooks): Promise<RunStatus> {
  const run = registry.getRun(runId)
  const setStatus = (status: RunStatus, error: string | null = null) => {
    registry.setStatus(runId, status, error)
    hooks.status({ runId, status, error })
    return status
  }
  let gan: GanModel | undefined
  let disposeImageEval = () => {}
  const reserve = new DiskReserve(diskReserveFile(home, runId))
  try {
    const { config } = validateExperiment(run.config)
    const backend = await selectBackend(config.backend, { convolutional: isConvolutional(config), training: true })
    registry.markStarted(runId, backend.name, backend.reason)
    hooks.status({ runId, status: 'running' })
    reserve.ensure()

    const data = createDataSource(config.dataset, config.training.seed)
    registry.registerDataset(runId, config, datasetIdentity(config.dataset))
    gan = createGan(config, data)
    const dir = runDir(home, runId)
    // Where the trainer writes, confined like every read: a checkpoints/ or samples/ folder that a
    // symlink turned into somewhere else is refused, not written into.
    const checkpointsDir = confinedPath(dir, 'checkpoints', `run ${runId}'s checkpoints folder`)
    const total = totalSteps(config)
    const { stepsPerEpoch, logEvery, checkpointEvery, batchSize } = config.training
    const previewSeed = PREVIEW_Z_SEED

    // A trainer killed mid-checkpoint leaves its temporary directory behind: never a checkpoint.
    if (fs.existsSync(checkpointsDir)) {
      for (const entry of fs.readdirSync(checkpointsDir))
        if (entry.startsWith('.tmp-')) fs.rmSync(path.join(checkpointsDir, entry), { recursive: true, force: true })
    }
    let step = 0
    const last = registry.latestArtifact(runId, 'checkpoint')
    if (last) {
      const ckpt = loadCheckpointArtifact(home, last)
      try {
        await gan.restoreCheckpoint(ckpt.groups)
      } finally {
        for (const g of Object.values(ckpt.groups)) for (const w of g) w.tensor.dispose()
      }
      step = ckpt.manifest.step
    }
    // What an abandoned attempt recorded past this point (metrics, diagnoses, samples) is
    // recomputed by this one: dropped now, with or without a checkpoint to start from.
    registry.beginAttempt(runId, step, Math.ceil(step / stepsPerEpoch))

    const pending: MetricRow[] = []
    let lastFlush = Date.now()
    let lastProgress = 0
    let lastPreview = 0
    let started = Date.now()
    const startStep = step
    const flush = () => {
      registry.writeMetrics(runId, pending.splice(0))
      const sps = ((step - startStep) * batchSize) / Math.max((Date.now() - started) / 1000, 1e-3)
      registry.updateProgress(runId, step, Math.ceil(step / stepsPerEpoch), step > startStep ? sps : null)
      lastFlush = Date.now()
    }
    const checkpoint = async (epoch: number) => {
      // Stopped again before a step since the last checkpoint: that one stands (rewriting it
      // would record it twice, and delete a recorded checkpoint for a moment).
      if (registry.latestArtifact(runId, 'checkpoint')?.step === step) return flush()
      const saved = await saveCheckpoint(checkpointsDir, step, epoch, await gan!.checkpointGroups())
      flush() // metrics up to this step are durable before the checkpoint is recorded
      registry.addArtifact({ runId, kind: 'checkpoint', epoch, step, path: saved.dir, sha256: saved.manifestSha256, bytes: saved.bytes })
      removeCheckpointFolders(dropOldCheckpoints(registry, home, runId, config.training.keepCheckpoints))
    }
    const preview = createPreview(data, {
      generate: (n) => gan!.generate(n, previewSeed),
      classGrid: gan.previewRows(CLASS_GRID_COLUMNS, previewSeed),
      surface: decisionSurface(data, gan),
    })
    const saveSamples = async (epoch: number) => {
      const { kind, ext, data: bytes } = await preview.artifact(epoch, step)
      const file = confinedPath(dir, `samples/epoch-${String(epoch).padStart(5, '0')}.${ext}`, `run ${runId}'s sample file`)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      faultPoint('artifact-write')
      writeFileAtomic(file, bytes)
      registry.addArtifact({ runId, kind, epoch, step, path: file, sha256: sha256(bytes), bytes: bytes.length })
    }

    /** Metrics measured once per epoch, on a fixed z sample of fixed size so epochs and runs compare. */
    const dim = data.shape.reduce((a, b) => a * b, 1)
    const realForDiversity = data.sample(DIVERSITY_SAMPLES, mixSeed(config.training.seed, 4343))
    // Point data: mode coverage under each labelled definition (known modes), else precision/recall and SWD.
    const pointEval = isPointData(config) ? createEpochPointEval(data, config.training.seed, (n, s) => gan!.generate(n, s)) : null
    const epochMetrics = async (): Promise<Record<string, number>> => {
      const diversity = diversityRatio(await gan!.generate(DIVERSITY_SAMPLES, mixSeed(config.training.seed, 4242)), realForDiversity, dim)
      if (pointEval) return { ...(await pointEval()), diversity }
      return { diversity, ...(await gan!.epochMetrics()), ...(imageEval ? await imageEval.measure() : {}) }
    }
    // Where the data's modes are known, a mode collapse is over only when every mode is back.
    const diagnostics = new GanDiagnostics({ gan: config.gan, modes: pointEval ? pointModes(data)?.centres.length : undefined })
    diagnostics.resumeFrom(registry.diagnoses(runId))
    const imageEval = await createEpochImageEval(config, (n) => gan!.generate(n, mixSeed(config.training.seed, 4545)))
    disposeImageEval = () => imageEval?.dispose()

    // Pause and cross-process stop requests arrive through the registry (see Registry.requestControl).
    let lastControlCheck = 0
    let control: 'pause' | 'stop' | null = null
    /** The run was deleted (a paused run, with --force): its trainer ends without writing anything more. */
    let deleted = false
    const readControl = () => {
      const row = registry.runControl(runId)
      deleted = row === undefined
      control = row?.control ?? null
    }
    const pollControl = () => {
      if (Date.now() - lastControlCheck < CONTROL_POLL_MS) return
      lastControlCheck = Date.now()
      readControl()
    }
    /** `pauseAtStep`: recorded like a user's request, so `resume` from any terminal or window clears it. */
    const requestPause = () => {
      registry.requestControl(runId, 'pause')
      control = 'pause'
    }
    /** Waits, holding models and optimizer state in memory, until resumed or stopped. */
    const pause = async () => {
      flush()
      setStatus('paused')
      const pausedAt = Date.now()
      while (!hooks.stopRequested() && !hooks.hostGone?.()) {
        await new Promise((r) => setTimeout(r, CONTROL_POLL_MS))
        readControl()
        if (control !== 'pause' || deleted) break
      }
      started += Date.now() - pausedAt // throughput counts training time only
      if (!hooks.stopRequested() && control !== 'stop' && !deleted) setStatus('running')
    }

    let lastYield = Date.now()
    while (step < total) {
      pollControl()
      if (step === hooks.pauseAtStep && control === null) requestPause()
      if (control === 'pause') await pause()
      if (deleted) return 'stopped'
      const hostGone = hooks.hostGone?.()
      if (hostGone) {
        await checkpoint(Math.ceil(step / stepsPerEpoch))
        return setStatus('interrupted', `${hostGone}: stopped at step ${step} with a checkpoint; \`resume ${runId}\` continues from there`)
      }
      if (hooks.stopRequested() || control === 'stop') {
        await checkpoint(Math.ceil(step / stepsPerEpoch))
        return setStatus('stopped')
      }
      const logged = (step + 1) % logEvery === 0 || (step + 1) % stepsPerEpoch === 0
      const metrics = gan.trainStep(step, step / total, logged)
      step++
      const epoch = Math.ceil(step / stepsPerEpoch)
      const endOfEpoch = step % stepsPerEpoch === 0
      if (endOfEpoch) gan.settleAverage?.()
      if (logged) {
        const stepValues = await readMetrics(metrics as StepMetrics)
        const epochValues = endOfEpoch ? await epochMetrics() : {}
        const values: Record<string, number> = { ...stepValues, ...epochValues }
        const diagnoses = [
          ...diagnostics.observeStep(step, stepValues),
          ...(endOfEpoch ? diagnostics.observeEpoch(step, epoch, epochValues) : []),
        ]
        for (const d of diagnoses) registry.addDiagnosis(runId, d)
        const bad = Object.entries(values).find(([, v]) => !Number.isFinite(v))
        const wallTime = Date.now() / 1000
        for (const [key, value] of Object.entries(values)) if (Number.isFinite(value)) pending.push({ key, step, epoch, value, wallTime })
        if (bad) {
          flush()
          return setStatus('diverged', `${bad[0]} became ${bad[1]} at step ${step}; lower the learning rates or add label smoothing`)
        }
        const now = Date.now()
        if (now - lastProgress >= PROGRESS_INTERVAL_MS || endOfEpoch || diagnoses.length > 0) {
          lastProgress = now
          const withPreview = now - lastPreview >= preview.intervalMs || endOfEpoch
          if (withPreview) lastPreview = now
          hooks.progress({
            runId,
            step,
            totalSteps: total,
            epoch,
            metrics: values,
            ...(withPreview ? await preview.live() : {}),
            samplesPerSec: ((step - startStep) * batchSize) / Math.max((now - started) / 1000, 1e-3),
            ...(diagnoses.length > 0 ? { diagnoses } : {}),
          })
        }
      } else {
        disposeMetrics(metrics)
        // Let the stop message through without paying for a macrotask every iteration.
        if (step % 8 === 0) await new Promise((r) => setImmediate(r))
      }
      if (endOfEpoch) {
        await saveSamples(epoch)
        if (epoch % checkpointEvery === 0 || step === total) await checkpoint(epoch)
      }
      if (Date.now() - lastFlush >= FLUSH_INTERVAL_MS) flush()
      if (Date.now() - lastYield >= YIELD_INTERVAL_MS) {
        await new Promise((r) => setImmediate(r))
        lastYield = Date.now()
      }
    }
    flush()
    return setStatus('completed')
  } catch (e) {
    // A full disk is not the run's fault: it stops where it is, resumable once there is space.
    // The reserve gives back the room the registry needs to record that.
    const where = (e as { code?: unknown }).code === 'SQLITE_FULL' ? registry.db.name : home
    const [status, message]: [RunStatus, string] = isDiskFull(e)
      ? ['interrupted', `${diskFullText(e, where)}: free some space, then resume; everything up to the last checkpoint is kept`]
      : ['failed', failureMessage(e)]
    reserve.release()
    try {
      return setStatus(status, message)
    } catch (recordError) {
      throw new UnrecordedEndError(
        status,
        `${message} (and the registry could not record it: ${recordError instanceof Error ? recordError.message : String(recordError)})`,
      )
    }
  } finally {
    reserve.release()
    disposeImageEval()
    gan?.dispose()
  }
}
