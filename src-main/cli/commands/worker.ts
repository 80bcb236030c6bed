/**
 * `worker`: train queue runs for a coordinator (`serve --queue`), on this machine, until Ctrl-C.
 * `worker-key`: on the coordinator, the key that enrols workers (they take only jobs it signed).
 */
import type { Command } from 'commander'
import { resolveHome } from '../../platform/paths'
import { startWorker } from '../../remote/worker-host'
import { redisConnection } from '../../remote/redis-url'
import { loadCoordinatorSecret } from '../../remote/coordinator-secret'
import {
  WORKER_KEY_ENV,
  WORKER_KEY_FILE,
  formatWorkerKey,
  loadWorkerKey,
  workerKeyFromSecret,
  writeWorkerKeyFile,
} from '../../remote/worker-key'
import { CliError, dropFailedOutputWrites } from '../output'
import type { GlobalOptions } from '../context'

function positive(text: string, what: string, max: number): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${what} must be a whole number from 1 to ${max}`, 2)
  return n
}

export function registerWorker(program: Command, globals: () => GlobalOptions): void {
  program
    .command('worker')
    .description('take queue runs from Redis and train them here, reporting to the coordinator that queued them')
    .requiredOption('--queue <redis-url>', 'the job queue, e.g. redis://10.0.0.5:6379 (as given to `serve --queue`)')
    .option(
      '--key-file <file>',
      `the queue's worker key (\`worker-key\` on the coordinator prints it; default: ${WORKER_KEY_FILE} in the data directory, or ${WORKER_KEY_ENV})`,
    )
    .option('--concurrency <n>', 'runs trained at once (each in its own trainer process)', '1')
    .option('--stall-timeout <seconds>', 'a job whose worker is silent this long goes to another worker', '30')
    .option(
      '--offline-patience <seconds>',
      'how long a finished run waits for an unreachable coordinator before it is kept as a bundle in <data>/outbox/',
      '600',
    )
    .action(async (o: { queue: string; keyFile?: string; concurrency: string; stallTimeout: string; offlinePatience: string }) => {
      dropFailedOutputWrites()
      const home = resolveHome(globals().home)
      let workerKey: Buffer
      try {
        redisConnection(o.queue)
        workerKey = loadWorkerKey({ keyFile: o.keyFile, home })
      } catch (e) {
        throw new CliError((e as Error).message, 2)
      }
      let worker
      try {
        worker = await startWorker({
          home,
          queueUrl: o.queue,
          workerKey,
          concurrency: positive(o.concurrency, '--concurrency', 64),
          stallTimeoutMs: positive(o.stallTimeout, '--stall-timeout', 3600) * 1000,
          offlinePatienceMs: positive(o.offlinePatience, '--offline-patience', 7 * 24 * 3600) * 1000,
          log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
        })
      } catch (e) {
        if (e instanceof CliError) throw e
        throw new CliError((e as Error).message)
      }
      console.log(`worker ${worker.id} is running; data directory: ${home}. Ctrl-C stops it (runs in progress go back to the queue).`)
      let closing = false
      const shutdown = () => {
        if (closing) return void process.exit(130)
        closing = true
        process.stderr.write('stopping: runs in progress checkpoint and go back to the queue (Ctrl-C again to abandon)…\n')
        void worker.close().then(() => process.exit(0))
      }
      process.on('SIGINT', shutdown)
      process.on('SIGTERM', shutdown)
    })

  program
    .command('worker-key')
    .description("print the key workers need to take this coordinator's queue jobs (from its data directory's secret)")
    .option('--out <file>', 'write it to a file readable by its owner only (0600) instead of printing it')
    .action((o: { out?: string }) => {
      const key = workerKeyFromSecret(loadCoordinatorSecret(resolveHome(globals().home)))
      if (!o.out) return void console.log(formatWorkerKey(key))
      writeWorkerKeyFile(o.out, key)
      console.log(`wrote the worker key to ${o.out} (0600): copy it to each worker and start it with --key-file`)
    })
}
