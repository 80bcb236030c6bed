/** Trainer processes under plain Node (CLI and server mode): child_process.fork. */
import { fork } from 'node:child_process'
import path from 'node:path'
import type { SpawnTrainer, TrainerMessage } from './trainer-protocol'

/** The built trainer entry, beside the bundle that imports this module (out/main). */
export function defaultTrainerEntry(): string {
  return path.join(__dirname, 'trainer.js')
}

export function nodeSpawner(entry = defaultTrainerEntry()): SpawnTrainer {
  return () => {
    const child = fork(entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' })
    // The trainer's own output (tfjs notices) goes to stderr: stdout belongs to the host (--json).
    child.stdout?.pipe(process.stderr)
    child.stderr?.pipe(process.stderr)
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
