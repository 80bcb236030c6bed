/**
 * `gan-workbench worker`: takes queue jobs from Redis (BullMQ), trains each in a trainer process
 * with the best backend this machine has, and hands the results back to the coordinator that
 * queued them. Its own data dir keeps a working copy of every run it trained. It announces itself
 * (backend, current jobs) in Redis every few seconds, for the coordinator's Workers view.
 */
import fs from 'node:fs'
import os from 'node:os'
import { UnrecoverableError, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import type { WorkerInfo, WorkerJobInfo } from '../../src-shared/domain/worker'
import { homePaths } from '../platform/paths'
import { acquireInstanceLock } from '../platform/instance-lock'
import { isProcessAlive, thisProcess } from '../util/process-identity'
import { Registry } from '../registry/registry'
import { RunManager } from '../training/run-manager'
import { nodeSpawner } from '../training/spawn-node'
import { probeBackendsOnce } from '../training/backend'
import { QUEUE_NAME, WORKER_HEARTBEAT_MS, WORKER_KEY_PREFIX, WORKER_TTL_SECONDS, type JobOutcome } from './protocol'
import { runJob } from './job-runner'
import { ForgedJobError, openJob } from './job-signature'
import { redactRedisUrl, redisConnection } from './redis-url'

export interface WorkerOptions {
  home: string
  queueUrl: string
  /** The queue's worker key (`gan-workbench worker-key` on the coordinator): only jobs signed with it are taken. */
  workerKey: Buffer
  concurrency: number
  /** A job whose worker stops renewing its lock for this long goes back to the queue. */
  stallTimeoutMs: number
  offlinePatienceMs: number
  log: (line: string) => void
}

export interface RunningWorker {
  id: string
  /** Stops taking jobs; runs in progress checkpoint and go back to the queue for another worker. */
  close(): Promise<void>
}

/** Text from the queue made safe for one log line (job ids are whatever was written to Redis). */
function printable(text: unknown, max = 200): string {
  return String(text)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, max)
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const paths = homePaths(options.home)
  fs.mkdirSync(paths.home, { recursive: true })
  const lock = acquireInstanceLock(paths.lock, 'worker')
  const registry = await Registry.open(paths.registry, { owner: thisProcess() })
  registry.markOrphansInterrupted(isProcessAlive)
  const runs = new RunManager(registry, options.home, nodeSpawner())
  runs.sideBySide = options.concurrency
  const id = `${os.hostname()}/${process.pid}`
  const backend = await probeBackendsOnce()
  const connection = redisConnection(options.queueUrl)
  const redis = new Redis({ ...connection, lazyConnect: true })
  try {
    await redis.connect()
  } catch (e) {
    registry.close()
    lock.release()
    throw new Error(`cannot reach the queue at ${redactRedisUrl(options.queueUrl)}: ${(e as Error).message}`)
  }
  redis.on('error', () => {})
  const jobs = new Map<string, WorkerJobInfo>()
  let lastJob: WorkerInfo['lastJob'] = null
  const startedAt = new Date().toISOString()
  let closing = false
  const announce = async () => {
    const info: WorkerInfo = {
      id,
      host: os.hostname(),
      pid: process.pid,
      backend: backend.name,
      backendReason: backend.reason,
      gpu: backend.probes.find((p) => p.name === 'tensorflow-gpu' && p.available) ? 'CUDA (tfjs-node-gpu)' : null,
      concurrency: options.concurrency,
      jobs: [...jobs.values()],
      lastJob,
      startedAt,
      seenAt: new Date().toISOString(),
    }
    await redis.set(`${WORKER_KEY_PREFIX}${id}`, JSON.stringify(info), 'EX', WORKER_TTL_SECONDS).catch(() => {})
  }
  await announce()
  const heartbeat = setInterval(() => void announce(), WORKER_HEARTBEAT_MS)

  const worker = new Worker<unknown, JobOutcome>(
    QUEUE_NAME,
    async (job, token) => {
      let data
      try {
        data = openJob(options.workerKey, job.id, job.data)
      } catch (e) {
        if (!(e instanceof ForgedJobError)) throw e
        // Anyone who can write to Redis can add a job: refused unopened, logged, never retried.
        options.log(`job ${printable(job.id)}: refused, not a job of this queue's coordinator: ${e.message}`)
        throw new UnrecoverableError(`refused: ${e.message}`)
      }
      options.log(`job ${job.id}: run ${data.runId} of ${data.coordinator} (attempt ${job.attemptsMade + 1})`)
      const outcome = await runJob(
        {
          registry,
          runs,
          home: options.home,
          workerId: id,
          offlinePatienceMs: options.offlinePatienceMs,
          workerKey: options.workerKey,
          closing: () => closing,
          report: (jobId, state) => {
            // A job starting or ending is announced at once, not at the next heartbeat: the Workers
            // view would otherwise miss a short run entirely.
            const known = jobs.get(jobId)
            if (state) jobs.set(jobId, { jobId, ...state })
            else if (known) {
              jobs.delete(jobId)
              lastJob = { runId: known.runId, jobId, endedAt: new Date().toISOString() }
            }
            if (!known !== !state) void announce()
          },
        },
        job,
        token,
      )
      options.log(`job ${job.id}: ${JSON.stringify(outcome)}`)
      return outcome
    },
    {
      connection,
      concurrency: options.concurrency,
      lockDuration: options.stallTimeoutMs,
      stalledInterval: options.stallTimeoutMs,
      // A run is long and resumable: a worker lost mid-run is not the job's fault, so allow several.
      maxStalledCount: 5,
      name: id,
    },
  )
  worker.on('failed', (job, err) => options.log(`job ${printable(job?.id)}: attempt failed: ${printable(err.message, 2000)}`))
  worker.on('error', (err) => options.log(`queue error: ${printable(err.message, 2000)}`))
  await worker.waitUntilReady()
  options.log(
    `worker ${id} takes jobs from ${redactRedisUrl(options.queueUrl)} (concurrency ${options.concurrency}, backend ${backend.name}: ${backend.reason})`,
  )
  return {
    id,
    close: async () => {
      closing = true
      await worker.close() // waits for the jobs in progress: they checkpoint, hand back and re-queue
      clearInterval(heartbeat)
      await redis.del(`${WORKER_KEY_PREFIX}${id}`).catch(() => {})
      redis.disconnect()
      await runs.shutdown()
      registry.close()
      lock.release()
    },
  }
}
