/**
 * Starts, stops and resumes runs, each in its own trainer process, and relays their progress and
 * status as contract events. Knows nothing of Electron or HTTP: the hosts plug in a spawner.
 */
import os from 'node:os'
import { EventEmitter } from 'node:events'
import { validateExperiment } from '../../src-shared/config/validate'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { ConflictError } from '../util/errors'
import { ACTIVE_STATUSES, type Placement, type RunRecord, type RunStatus } from '../../src-shared/domain/run'
import { RemoteJobs } from '../registry/remote-jobs'
import type { EventName, Events } from '../../src-shared/contract'
import type { Registry } from '../registry/registry'
import path from 'node:path'
import { runDir } from '../platform/paths'
import { copyCheckpoint } from './checkpoint'
import { artifactPath } from '../registry/artifact-files'
import { totalSteps } from './train-run'
import type { SpawnTrainer, TrainerChild } from './trainer-protocol'

export interface StartRequest {
  config?: unknown
  preset?: string
  overrides?: string[]
  name?: string
  experiment?: string
  /** 'queue': recorded for the coordinator to dispatch to queue workers, not trained here. */
  target?: Placement
  /** Local runs: wait until nothing else trains here instead of starting at once. */
  lineUp?: boolean
  /** Local runs: pause on reaching this step (its trainer waits; `resume` goes on). */
  pauseAtStep?: number
}

export { ConflictError }

/** Resolves a start request to a raw config: a preset's config or the given one, plus overrides. */
export function resolveConfig(req: Pick<StartRequest, 'config' | 'preset' | 'overrides'>): unknown {
  if (req.config !== undefined && req.preset) throw new ConflictError('give either a config or a preset, not both')
  const base = req.preset ? requirePreset(req.preset).config : req.config
  if (base === undefined) throw new ConflictError('give a config or a preset')
  return applyOverrides(base, req.overrides ?? [])
}

/** A pause point must be a step the run will still train: from where it starts to before its end. */
function checkPauseAt(step: number | undefined, from: number, total: number): void {
  if (step === undefined) return
  if (!Number.isInteger(step) || step < from || step >= total) {
    throw new ConflictError(
      `the pause step must be a whole number from ${from} (where the run starts) to ${total - 1} (its last step); got ${step}`,
    )
  }
}

/**
 * A paused run: its trainer, in this process or another, waits with everything in memory (or is
 * about to, a pause being asked); `resume` tells it through the registry to go on.
 */
export function waitsPaused(registry: Registry, run: RunRecord): boolean {
  return run.status === 'paused' || (run.status === 'running' && registry.control(run.id) === 'pause')
}

interface Active {
  child: TrainerChild
  done: Promise<RunStatus>
}

export class RunManager {
  private readonly active = new Map<number, Active>()
  private readonly events = new EventEmitter()
  /** Runs waiting to train here one after another (sweep members): a few cores, one run at a time. */
  private readonly localQueue: number[] = []
  private shuttingDown = false
  private readonly unrecordedEnds = new Map<number, string>()

  constructor(
    private readonly registry: Registry,
    private readonly home: string,
    private readonly spawn: SpawnTrainer,
    private readonly nativeBinding?: string,
  ) {}

  /**
   * Every config a request starts a run with (start, fork, each sweep member) passes here before
   * anything is recorded; a host that serves remote browsers refuses datasets they may not read.
   */
  admitConfig: (config: ExperimentConfig) => void = () => {}

  /**
   * How many runs this host means to train at once (a queue worker's --concurrency). Each run
   * gets its share of the cores from its start: a trainer cannot give threads back, so a worker
   * whose first run took every core would run its second beside it oversubscribed.
   */
  sideBySide = 1

  onEvent<K extends EventName>(listener: (name: K, data: Events[K]) => void): () => void {
    const l = listener as (name: EventName, data: unknown) => void
    this.events.on('event', l)
    return () => this.events.off('event', l)
  }

  /** Every UI transport listens here; other services (exports) publish their progress through it too. */
  emit<K extends EventName>(name: K, data: Events[K]): void {
    this.events.emit('event', name, data)
  }

  /** Validates, records the run as queued, and starts its trainer process. */
  start(req: StartRequest): RunRecord {
    if (req.pauseAtStep !== undefined && (req.target === 'queue' || req.lineUp))
      throw new ConflictError('a pause step is for a run that starts training on this machine at once (not on the job queue, not lined up)')
    const { config } = validateExperiment(resolveConfig(req))
    checkPauseAt(req.pauseAtStep, 0, totalSteps(config))
    this.admitConfig(config)
    const run = this.registry.createRun({
      config,
      name: req.name,
      experiment: req.experiment,
      totalSteps: totalSteps(config),
      placement: req.target,
    })
    if (run.placement === 'local') {
      if (req.lineUp) this.enqueueLocal([run.id])
      else this.launch(run.id, req.pauseAtStep)
    }
    return this.registry.getRun(run.id)
  }

  /**
   * Lines runs up on this machine: each starts when nothing else trains in this host (a few
   * cores, one run at a time), in order; they wait as `queued`. Sweeps go through here.
   */
  enqueueLocal(ids: number[]): void {
    this.localQueue.push(...ids)
    this.pumpLocalQueue()
  }

  private pumpLocalQueue(): void {
    // After shutdown nothing new starts: the registry may already be closed.
    if (this.shuttingDown) return
    while (this.active.size === 0 && this.localQueue.length > 0) {
      const id = this.localQueue.shift()!
      if (this.registry.findRun(id)?.status !== 'queued') continue // stopped or deleted while it waited
      this.launch(id)
    }
  }

  /**
   * Starts a child run from a checkpoint of `parentId` (the last one at or before `epoch`), with
   * config changes; the architecture must stay the same, since the child starts from its weights.
   */
  fork(parentId: number, options: { epoch?: number; overrides?: string[]; name?: string }): RunRecord {
    const parent = this.registry.getRun(parentId)
    const checkpoints = this.registry.artifacts(parentId, 'checkpoint')
    const from = options.epoch === undefined ? checkpoints.at(-1) : checkpoints.filter((c) => c.epoch <= options.epoch!).at(-1)
    if (!from)
      throw new ConflictError(
        `run ${parentId} has no checkpoint${options.epoch === undefined ? '' : ` at or before epoch ${options.epoch}`}`,
      )
    const { config } = validateExperiment(applyOverrides(parent.config, options.overrides ?? []))
    this.admitConfig(config)
    for (const part of ['generator', 'discriminator', 'latent'] as const) {
      if (JSON.stringify(config[part]) !== JSON.stringify(parent.config[part])) {
        throw new ConflictError(`a fork keeps the parent's ${part} (it starts from its weights); start a new run to change it`)
      }
    }
    if (totalSteps(config) <= from.step) {
      throw new ConflictError(
        `the fork would end at step ${totalSteps(config)}, before the checkpoint's step ${from.step}: raise training.epochs`,
      )
    }
    const child = this.registry.createRun({
      config,
      name: options.name ?? `${parent.name}-fork-e${from.epoch}`,
      experiment: parent.experiment,
      totalSteps: totalSteps(config),
      parentRunId: parentId,
      parentEpoch: from.epoch,
    })
    const dir = copyCheckpoint(artifactPath(this.home, from), path.join(runDir(this.home, child.id), 'checkpoints'))
    this.registry.addArtifact({
      runId: child.id,
      kind: 'checkpoint',
      epoch: from.epoch,
      step: from.step,
      path: dir,
      sha256: from.sha256,
      bytes: from.bytes,
    })
    this.registry.updateProgress(child.id, from.step, from.epoch, null)
    this.launch(child.id)
    return this.registry.getRun(child.id)
  }

  /** Asks a running run to pause (its trainer process waits, holding everything in memory). */
  pause(id: number): RunRecord {
    const run = this.registry.getRun(id)
    if (run.status === 'paused') return run
    if (run.status !== 'running') throw new ConflictError(`run ${id} is ${run.status}: only a running run can pause`)
    return this.registry.requestControl(id, 'pause')
  }

  /** Continues a paused run where it waits, or a stopped, interrupted or failed run from its last checkpoint. */
  async resume(id: number, options: { pauseAtStep?: number } = {}): Promise<RunRecord> {
    const run = this.registry.getRun(id)
    if (waitsPaused(this.registry, run)) {
      if (options.pauseAtStep !== undefined)
        throw new ConflictError(`run ${id} is paused in memory and goes on from there; a pause step is for a run resumed from a checkpoint`)
      return this.registry.requestControl(id, null)
    }
    if (ACTIVE_STATUSES.includes(run.status)) throw new ConflictError(`run ${id} is ${run.status}`)
    if (run.status === 'completed') throw new ConflictError(`run ${id} already completed`)
    if (run.placement === 'queue') {
      if (options.pauseAtStep !== undefined)
        throw new ConflictError(`run ${id} trains on the job queue: a pause step is for runs trained on this machine`)
      // Back on the queue: the coordinator dispatches it and a worker resumes from the last checkpoint.
      new RemoteJobs(this.registry).requeue(id)
      this.announce(id)
      return this.registry.getRun(id)
    }
    // A run reports `stopped` a moment before its trainer process exits: wait for that exit.
    await this.active.get(id)?.done
    if (this.active.has(id)) throw new ConflictError(`run ${id} is still being trained`)
    const last = this.registry.latestArtifact(id, 'checkpoint')
    checkPauseAt(options.pauseAtStep, last?.step ?? 0, run.totalSteps)
    this.registry.setStatus(id, 'queued')
    this.launch(id, options.pauseAtStep)
    return this.registry.getRun(id)
  }

  /** Starts the trainer of a queued run its caller prepared (a worker's copy of a queue run, with its checkpoint). */
  launchPrepared(id: number): void {
    const run = this.registry.getRun(id)
    if (run.status !== 'queued' || this.active.has(id)) throw new ConflictError(`run ${id} is ${run.status}, not waiting to start`)
    this.launch(id)
  }

  /**
   * Records how a run ended when its trainer could not, and tells the UIs either way. The
   * registry may refuse the write too (a full disk): the run then shows as `interrupted` at the
   * next orphan sweep, and unrecorded() keeps the reason for this host to report.
   */
  private recordEnd(runId: number, status: RunStatus, error: string): void {
    try {
      this.registry.setStatus(runId, status, error)
      this.unrecordedEnds.delete(runId)
    } catch (e) {
      this.unrecordedEnds.set(runId, `${error} (the registry could not record it either: ${e instanceof Error ? e.message : String(e)})`)
    }
    this.emit('run.status', { runId, status, error })
  }

  /** Why the end of a run this host trained is not in the registry, if it is not. */
  unrecorded(id: number): string | undefined {
    return this.unrecordedEnds.get(id)
  }

  private launch(runId: number, pauseAtStep?: number): void {
    const child = this.spawn()
    let finalStatus: RunStatus | undefined
    const done = new Promise<RunStatus>((resolve) => {
      child.onMessage((m) => {
        if (m.type === 'progress') this.emit('run.progress', m.event)
        else if (m.type === 'status') this.emit('run.status', m.event)
        else if (m.type === 'done') finalStatus = m.status
        else if (m.type === 'fatal') {
          finalStatus = m.status ?? 'failed'
          this.recordEnd(runId, finalStatus, m.message)
        }
      })
      child.onExit((code) => {
        this.active.delete(runId)
        setImmediate(() => this.pumpLocalQueue())
        if (!finalStatus) {
          // The process died without reporting (killed, out of memory, native crash).
          finalStatus = 'interrupted'
          try {
            const current = this.registry.findRun(runId)
            if (current && ACTIVE_STATUSES.includes(current.status)) {
              this.recordEnd(runId, 'interrupted', `the trainer process exited unexpectedly (code ${code ?? 'signal'})`)
            }
            finalStatus = this.registry.findRun(runId)?.status ?? 'interrupted'
          } catch {
            // an unreadable registry: recordEnd kept what there is to say
          }
        }
        resolve(finalStatus)
      })
    })
    this.active.set(runId, { child, done })
    // Runs started side by side share the cores rather than each spreading over all of them
    // (oversubscribed thread pools slow everyone); a run started alone gets them all, unless the
    // host means to run several at once.
    const wasmThreads = Math.max(1, Math.floor(os.availableParallelism() / Math.max(this.active.size, this.sideBySide)))
    child.send({ type: 'start', runId, home: this.home, nativeBinding: this.nativeBinding, wasmThreads, pauseAtStep })
  }

  /** Asks a run to stop; it checkpoints and ends as `stopped`. */
  stop(id: number): RunRecord {
    const run = this.registry.getRun(id)
    const active = this.active.get(id)
    if (!active) {
      // Trained by another process (a terminal's `train`, another window, a queue worker): ask it through the registry.
      if (run.status === 'running' || run.status === 'paused') return this.registry.requestControl(id, 'stop')
      if (run.status === 'queued' && (run.placement === 'queue' || this.localQueue.includes(id))) {
        // Not started yet: it simply never will be (a worker that takes its job finds it stopped).
        const at = this.localQueue.indexOf(id)
        if (at >= 0) this.localQueue.splice(at, 1)
        this.registry.setStatus(id, 'stopped')
        this.announce(id)
        return this.registry.getRun(id)
      }
      if (run.status === 'queued') throw new ConflictError(`run ${id} is being started by another process; stop it there`)
      return run
    }
    active.child.send({ type: 'stop' })
    return run
  }

  /** Tells the UIs about a status change made outside a trainer (e.g. an orphan sweep). */
  announce(id: number): void {
    const run = this.registry.findRun(id)
    if (run) this.emit('run.status', { runId: id, status: run.status, error: run.error })
  }

  isActive(id: number): boolean {
    return this.active.has(id)
  }

  async waitFor(id: number): Promise<RunRecord> {
    await this.active.get(id)?.done
    return this.registry.getRun(id)
  }

  /** Stops every active run and waits for them (bounded), killing stragglers. */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    this.shuttingDown = true
    this.localQueue.length = 0
    const all = [...this.active.values()]
    for (const a of all) a.child.send({ type: 'stop' })
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref())
    const result = await Promise.race([Promise.all(all.map((a) => a.done)), timer])
    if (result === 'timeout') for (const a of this.active.values()) a.child.kill()
  }
}
