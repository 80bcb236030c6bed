/** Trainer processes under plain Node (CLI and server mode): child_process.fork. */
import { fork } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import type { Readable } from 'node:stream'
import type { SpawnTrainer, TrainerMessage } from './trainer-protocol'

/** The built trainer entry, beside the bundle that imports this module (out/main). */
export function defaultTrainerEntry(): string {
  return path.join(__dirname, 'trainer.js')
}

/**
 * Dawn (the WebGPU probe) prints these when it loads on a software Vulkan driver: harmless, and
 * noise in every run's output on such a machine.
 */
const DAWN_NOISE = /^Warning: maxDynamic\w+PerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/

function forwardLines(from: Readable | null): void {
  if (!from) return
  readline.createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
    if (!DAWN_NOISE.test(line)) process.stderr.write(`${line}\n`)
  })
}

export function nodeSpawner(entry = defaultTrainerEntry()): SpawnTrainer {
  return () => {
    const child = fork(entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' })
    // The trainer's own output (tfjs notices) goes to stderr: stdout belongs to the host (--json).
    forwardLines(child.stdout)
    forwardLines(child.stderr)
    return {
      get pid() {
        return child.pid
      },
      send: (m) => {
        if (child.connected) child.send(m)
      },
      onMessage: (l) => child.on('message', (m) => l(m as TrainerMessage)),
      onExit: (l) => child.on('exit', (code) => l(code)),
      kill: () => child.kill('SIGKILL'),
    }
  }
}
