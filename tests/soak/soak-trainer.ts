/**
 * The soak's trainer processes: the built trainer (out/main/trainer.js) forked as the app's hosts
 * fork it, with an environment chosen per attempt (a fault point armed, one compute thread), its
 * output drained rather than echoed, and how it ended (exit code or signal) kept for the tally.
 */
import { fork, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { SpawnTrainer, TrainerMessage } from '../../src-main/training/trainer-protocol'

const ROOT = path.resolve(__dirname, '..', '..')
export const TRAINER_ENTRY = path.join(ROOT, 'out', 'main', 'trainer.js')

/**
 * A copy of the build the soak started with (out/main and the native addon), inside the checkout
 * so node_modules still resolves: a rebuild while the soak runs (it takes an hour on a busy
 * machine) must not switch its trainers to other code half-way through its figures.
 */
export function pinBuild(): { entry: string; remove: () => void } {
  const dir = path.join(ROOT, '.cache', `soak-build-${process.pid}`)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.cpSync(path.join(ROOT, 'out', 'main'), path.join(dir, 'out', 'main'), { recursive: true })
  fs.cpSync(path.join(ROOT, 'resources', 'native'), path.join(dir, 'resources', 'native'), { recursive: true })
  return { entry: path.join(dir, 'out', 'main', 'trainer.js'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

export interface Spawned {
  child: ChildProcess
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export function soakSpawner(entry: string, nextEnv: () => Record<string, string>, onSpawn: (s: Spawned) => void): SpawnTrainer {
  return () => {
    const child = fork(entry, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      // One thread per trainer: the soak runs several lanes side by side on a few cores.
      env: { ...process.env, GWB_WASM_THREADS: '1', OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', ...nextEnv() },
    })
    child.stdout!.resume()
    child.stderr!.resume()
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => r({ code, signal })),
    )
    onSpawn({ child, exit })
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
