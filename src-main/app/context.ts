/**
 * Wires the services for a long-lived host (server mode or the Electron main process): the
 * instance lock, the registry, orphan recovery, the run manager and the dispatcher.
 */
import { homePaths } from '../platform/paths'
import { secureDataDir } from './data-dir'
import { acquireInstanceLock, type InstanceLock } from '../platform/instance-lock'
import { isProcessAlive, thisProcess } from '../util/process-identity'
import { Registry } from '../registry/registry'
import { RunManager } from '../training/run-manager'
import { assertRemoteDatasetAllowed } from '../datasets/dataset-access'
import type { SpawnTrainer } from '../training/trainer-protocol'
import { createHandlers } from './services'
import { ReproductionManager } from '../reproductions/reproduction-manager'
import { watchForeignRuns } from './foreign-runs'
import { createDispatch, type Dispatch } from '../ipc/dispatch'
import type { AppInfo } from '../../src-shared/contract'
import type { Coordinator } from '../remote/coordinator'

export interface AppContext {
  home: string
  registry: Registry
  runs: RunManager
  dispatch: Dispatch
  lock: InstanceLock
  /** Runs found orphaned at start-up and marked interrupted. */
  recovered: number[]
  /** Data dir and secret files whose permissions were too open and were tightened at start-up. */
  tightened: string[]
  /** Makes this host the coordinator of a job queue (server mode's --queue); closed with the context. */
  attachCoordinator(coordinator: Coordinator): void
  close(): Promise<void>
}

const ORPHAN_SWEEP_MS = 5000

export interface ContextOptions {
  home: string
  mode: AppInfo['mode']
  spawn: SpawnTrainer
  nativeBinding?: string
  /** The desktop opens remote workbenches in windows of their own (see `app.attach`). */
  openRemote?: (url: string) => { origin: string }
  /** Serving browsers on other machines (`serve --allow-remote`): their configs may name only some datasets (datasets/dataset-access.ts). */
  remoteClients?: boolean
}

export async function createAppContext(options: ContextOptions): Promise<AppContext> {
  const paths = homePaths(options.home)
  const tightened = secureDataDir(options.home)
  const lock = acquireInstanceLock(paths.lock, options.mode)
  let registry: Registry
  try {
    registry = await Registry.open(paths.registry, { owner: thisProcess(), nativeBinding: options.nativeBinding })
  } catch (e) {
    lock.release()
    throw e
  }
  const recovered = registry.markOrphansInterrupted(isProcessAlive)
  const runs = new RunManager(registry, options.home, options.spawn, options.nativeBinding)
  if (options.remoteClients) runs.admitConfig = (config) => assertRemoteDatasetAllowed(config, { home: options.home, registry })
  // A trainer can die after this start-up check (killed, crashed with its host): sweep again
  // now and then, so no run stays "running" with nobody training it.
  const sweep = setInterval(() => {
    try {
      for (const id of registry.markOrphansInterrupted(isProcessAlive)) {
        runs.announce(id)
      }
    } catch {
      // a busy or closing database: the next sweep retries
    }
  }, ORPHAN_SWEEP_MS)
  sweep.unref()
  const stopWatching = watchForeignRuns(registry, runs)
  const remote: { coordinator: Coordinator | null } = { coordinator: null }
  const reproductions = new ReproductionManager(registry, runs)
  const dispatch = createDispatch(
    createHandlers({ registry, runs, home: options.home, mode: options.mode, remote, openRemote: options.openRemote, reproductions }),
  )
  return {
    home: options.home,
    registry,
    runs,
    dispatch,
    lock,
    recovered,
    tightened,
    attachCoordinator: (c) => (remote.coordinator = c),
    close: async () => {
      clearInterval(sweep)
      stopWatching()
      await remote.coordinator?.close()
      const stopping = reproductions.shutdown() // its current run stops with the others below
      await runs.shutdown()
      await stopping
      registry.close()
      lock.release()
    },
  }
}
