/**
 * Entry point of a trainer process (built as out/main/trainer.js). Runs under Node's
 * child_process.fork or Electron's utilityProcess; talks to its host over the parent channel.
 */
import { homePaths } from '../platform/paths'
import { Registry } from '../registry/registry'
import { trainRun, UnrecordedEndError } from './train-run'
import type { HostMessage, TrainerMessage } from './trainer-protocol'
import { watchParent } from '../util/parent-process'
import { thisProcess } from '../util/process-identity'

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

/**
 * Tells the host, if it is still there. A send to a host that just died fails (EPIPE): without a
 * callback Node raises that as an 'error' event on process, which would kill the trainer before
 * it saves its checkpoint; hostGone() notices the death instead.
 */
function send(message: TrainerMessage): void {
  try {
    if (parentPort) parentPort.postMessage(message)
    else if (process.send && process.connected) process.send(message, undefined, undefined, () => {})
  } catch {
    // the channel closed between the check and the send
  }
}

let stop = false
let started = false
let disconnected = false
const parent = watchParent()

/** Why the host is gone (killed, crashed, closed the channel), or null while it is there. */
function hostGone(): string | null {
  if (!disconnected && !parent.gone()) return null
  return `the process that started this trainer (pid ${parent.parentPid}) ended`
}

async function start(runId: number, home: string, nativeBinding?: string, pauseAtStep?: number): Promise<void> {
  const registry = await Registry.open(homePaths(home).registry, { owner: thisProcess(), nativeBinding })
  try {
    const status = await trainRun(registry, home, runId, {
      progress: (event) => send({ type: 'progress', event }),
      status: (event) => send({ type: 'status', event }),
      stopRequested: () => stop,
      pauseAtStep,
      hostGone,
    })
    send({ type: 'done', status })
  } finally {
    registry.close()
  }
}

function onMessage(raw: unknown): void {
  const message = raw as HostMessage
  if (message.type === 'stop') stop = true
  else if (message.type === 'start' && !started) {
    started = true
    // A thread count the user set (GWB_WASM_THREADS) wins over the host's share.
    if (message.wasmThreads && process.env.GWB_WASM_THREADS === undefined) process.env.GWB_WASM_THREADS = String(message.wasmThreads)
    start(message.runId, message.home, message.nativeBinding, message.pauseAtStep)
      .catch((e: unknown) =>
        send({
          type: 'fatal',
          message: e instanceof Error ? e.message : String(e),
          ...(e instanceof UnrecordedEndError ? { status: e.status } : {}),
        }),
      )
      .finally(() => setImmediate(() => process.exit(0)))
  }
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data))
else process.on('message', onMessage)
// A killed host closes our output pipes: writing to them must not crash a run mid-checkpoint.
process.stdout.on('error', () => {})
process.stderr.on('error', () => {})
// The host going away (closed window, killed server or CLI) stops the run at its next iteration,
// with a checkpoint, as `interrupted`; a signal to the trainer itself (Ctrl-C reaches the whole
// process group, a closed terminal sends SIGHUP) is a stop.
process.on('disconnect', () => (disconnected = true))
process.on('SIGTERM', () => (stop = true))
process.on('SIGINT', () => (stop = true))
process.on('SIGHUP', () => (stop = true))
