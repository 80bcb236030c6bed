/** Trainer processes under Electron: utilityProcess, Electron's Node child process for services. */
import path from 'node:path'
import { utilityProcess } from 'electron'
import type { SpawnTrainer, TrainerMessage } from '../training/trainer-protocol'

export function utilitySpawner(entry = path.join(__dirname, 'trainer.js')): SpawnTrainer {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'GAN Workbench trainer', stdio: 'inherit' })
    return {
      get pid() {
        return child.pid
      },
      send: (m) => child.postMessage(m),
      onMessage: (l) => child.on('message', (m: unknown) => l(m as TrainerMessage)),
      onExit: (l) => child.on('exit', (code) => l(code)),
      kill: () => void child.kill(),
    }
  }
}
