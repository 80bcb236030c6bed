/**
 * Entry point of a trainer process (built as out/main/trainer.js). Runs under Node's
 * child_process.fork or Electron's utilityProcess; talks to its host over the parent channel.
 */
import { homePaths } from '../app/paths'
import { Registry } from '../registry/registry'
import { trainRun } from './train-run'
import type { HostMessage, TrainerMessage } from './trainer-protocol'

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

function send(message: TrainerMessage): void {
  if (parentPort) parentPort.postMessage(message)
  else if (process.send && process.connected) process.send(message)
}

let stop = false
let started = false

async function start(runId: number, home: string, nativeBinding?: string, pauseAtStep?: number): Promise<void> {
  const registry = await Registry.open(homePaths(home).registry, { nativeBinding })
  try {
    const status = await trainRun(registry, home, runId, {
      progress: (event) => send({ type: 'progress', event }),
      status: (event) => send({ type: 'status', event }),
      stopRequested: () => stop,
      pauseAtStep,
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
      .catch((e: unknown) => send({ type: 'fatal', message: e instanceof Error ? e.message : String(e) }))
      .finally(() => setImmediate(() => process.exit(0)))
  }
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data))
else process.on('message', onMessage)
// A killed host closes our output pipes: writing to them must not crash a run mid-checkpoint.
process.stdout.on('error', () => {})
process.stderr.on('error', () => {})
// The host going away (closed window, killed server) stops the run cleanly at its next iteration.
process.on('disconnect', () => (stop = true))
process.on('SIGTERM', () => (stop = true))
process.on('SIGINT', () => (stop = true))
