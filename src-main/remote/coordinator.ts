/**
 * The coordinator: the host (server or desktop) that owns the registry and dispatches its queue
 * runs as BullMQ jobs on Redis. Retries, stalled-job recovery (a worker that stops renewing its
 * lock loses the job to another) and backoff are the engine's; the coordinator only names jobs,
 * answers workers over /remote/ and reconciles runs whose jobs ended without telling it.
 */
import crypto from 'node:crypto'
import type http from 'node:http'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import type { WorkerInfo, WorkersView } from '../../src-shared/domain/worker'
import type { Registry } from '../registry/registry'
import { RemoteJobs } from '../registry/remote-jobs'
import type { RunManager } from '../training/run-manager'
import { JobOutcome, LIMITS, QUEUE_NAME, WORKER_KEY_PREFIX, WorkerAnnouncement, jobToken } from './protocol'
import { signJob } from './job-signature'
import { workerKeyFromSecret } from './worker-key'
import { loadCoordinatorSecret } from './coordinator-secret'
import { handleRemote } from './coordinator-routes'
import { redactRedisUrl, redisConnection } from './redis-url'

const DISPATCH_MS = 1000
const RECONCILE_MS = 10_000
/** Attempts per job (a failed attempt resumes from the last checkpoint); stalls are counted apart. */
export const JOB_ATTEMPTS = 3

export interface CoordinatorOptions {
  registry: Registry
  runs: RunManager
  home: string
  queueUrl: string
  /** The URL workers reach this host's server at (put into each job). */
  publicUrl: string
}

export class Coordinator {
  private readonly jobs: RemoteJobs
  private readonly secret: Buffer
  /** Signs every job this coordinator puts on the queue (workers hold this key, not the secret). */
  private readonly workerKey: Buffer
  private readonly queue: Queue
  private readonly redis: Redis
  /** Job ids known to be on the queue since this process started (adding again is harmless, but not free). */
  private readonly added = new Set<string>()
  private timers: NodeJS.Timeout[] = []
  private busy = false
  private unsubscribe = () => {}
  /** From the secret: this registry's jobs never share ids with another's on the same queue. */
  private readonly jobPrefix: string

  private constructor(private readonly options: CoordinatorOptions) {
    this.jobs = new RemoteJobs(options.registry)
    this.secret = loadCoordinatorSecret(options.home)
    this.workerKey = workerKeyFromSecret(this.secret)
    this.jobPrefix = crypto.createHash('sha256').update(this.secret).digest('hex').slice(0, 10)
    this.redis = new Redis({ ...redisConnection(options.queueUrl), lazyConnect: true })
    this.queue = new Queue(QUEUE_NAME, { connection: redisConnection(options.queueUrl) })
  }

  /** Connects to Redis (failing clearly when it is not there) and starts dispatching. */
  static async start(options: CoordinatorOptions): Promise<Coordinator> {
    const c = new Coordinator(options)
    try {
      await c.redis.connect()
      await c.queue.waitUntilReady()
    } catch (e) {
      await c.close()
      throw new Error(`cannot reach the queue at ${redactRedisUrl(options.queueUrl)}: ${(e as Error).message}`)
    }
    c.redis.on('error', () => {}) // reconnects by itself; dispatch retries on the next tick
    c.queue.on('error', () => {})
    c.timers.push(
      setInterval(() => void c.dispatch(), DISPATCH_MS),
      setInterval(() => void c.reconcile(), RECONCILE_MS),
    )
    c.unsubscribe = options.runs.onEvent((name, data) => {
      if (name === 'run.status' && (data as { status: string }).status === 'stopped') void c.withdraw((data as { runId: number }).runId)
    })
    for (const t of c.timers) t.unref()
    await c.dispatch()
    return c
  }

  get queueLabel(): string {
    return redactRedisUrl(this.options.queueUrl)
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const { registry, runs, home } = this.options
    return handleRemote({ registry, runs, home, jobs: this.jobs, secret: this.secret }, req, res, url)
  }

  /** Puts every waiting queue run on the queue; re-announces known jobs after a restart. */
  async dispatch(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      for (const runId of this.jobs.undispatched()) this.jobs.assignJob(runId, this.jobPrefix)
      for (const { runId, jobId } of this.jobs.dispatched()) {
        if (this.added.has(jobId)) continue
        const data = signJob(this.workerKey, jobId, {
          runId,
          coordinator: this.options.publicUrl,
          token: jobToken(this.secret, runId, jobId),
        })
        await this.queue.add('train', data, {
          jobId,
          attempts: JOB_ATTEMPTS,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 1000 },
        })
        this.added.add(jobId)
      }
    } catch {
      // Redis away or the registry busy: the next tick tries again.
    } finally {
      this.busy = false
    }
  }

  /**
   * Runs whose job ended without a final word from a worker: failed for good (attempts used up,
   * or stalled too often) → the run fails with the engine's reason; completed without a final
   * status (the worker could not reach us and kept a bundle) → interrupted, resumable.
   */
  async reconcile(): Promise<void> {
    for (const { runId, jobId } of this.jobs.active()) {
      try {
        const job = await this.queue.getJob(jobId)
        if (!job) continue
        const state = await job.getState()
        // What Redis holds is read like any other outside input: bounded, and checked against its schema.
        if (state === 'failed') {
          this.options.registry.setStatus(
            runId,
            'failed',
            `the queue gave up on job ${jobId}: ${String(job.failedReason).slice(0, LIMITS.message)}`,
          )
          this.options.runs.announce(runId)
        } else if (state === 'completed' && this.jobs.get(runId)?.jobId === jobId) {
          const parsed = JobOutcome.safeParse(job.returnvalue)
          const outcome = parsed.success && 'bundle' in parsed.data ? parsed.data : null
          this.options.registry.setStatus(
            runId,
            'interrupted',
            outcome
              ? `worker ${outcome.worker} could not reach this host and kept the run as a bundle there: ${outcome.bundle} (copy it here and \`import\` it)`
              : 'the worker finished its job without reporting the result',
          )
          this.options.runs.announce(runId)
        }
      } catch {
        // Redis away: next time
      }
    }
  }

  /**
   * A queue run stopped before a worker took it: its job leaves the queue (the engine's own
   * removal; a job a worker holds is locked and stays, and that worker finds the run stopped).
   */
  async withdraw(runId: number): Promise<void> {
    const jobId = this.jobs.get(runId)?.jobId
    if (!jobId) return
    try {
      const job = await this.queue.getJob(jobId)
      const state = await job?.getState()
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await this.queue.remove(jobId)
    } catch {
      // taken meanwhile, or Redis away: the worker that takes it finds the run stopped
    }
  }

  /** Workers announcing themselves on this queue (each refreshes its key every few seconds). */
  async workers(): Promise<WorkersView> {
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${WORKER_KEY_PREFIX}*`, 'COUNT', 200)
      keys.push(...batch)
      cursor = next
    } while (cursor !== '0' && keys.length < 1000)
    const values = keys.length ? await this.redis.mget(...keys) : []
    // Anyone with Redis access can write these keys: malformed announcements are left out.
    const workers = values.flatMap((v): WorkerInfo[] => {
      try {
        const parsed = WorkerAnnouncement.safeParse(v ? JSON.parse(v) : null)
        return parsed.success ? [parsed.data] : []
      } catch {
        return []
      }
    })
    return { queue: this.queueLabel, workers: workers.sort((a, b) => a.id.localeCompare(b.id)) }
  }

  async close(): Promise<void> {
    this.unsubscribe()
    for (const t of this.timers) clearInterval(t)
    this.timers = []
    await this.queue.close().catch(() => {})
    this.redis.disconnect()
  }
}
