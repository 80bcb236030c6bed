/** Shared by CLI commands: global options and a registry opened for one command. */
import { resolveHome, homePaths } from '../platform/paths'
import { Registry } from '../registry/registry'
import { isProcessAlive, thisProcess } from '../util/process-identity'
import { secureDataDir } from '../app/data-dir'
import { isDiskFull } from '../util/disk-space'
import { createHandlers, type Handlers } from '../app/services'
import { RunManager } from '../training/run-manager'
import { nodeSpawner } from '../training/spawn-node'

export interface GlobalOptions {
  home?: string
  json?: boolean
}

export async function withRegistry<T>(opts: GlobalOptions, fn: (registry: Registry, home: string) => Promise<T> | T): Promise<T> {
  const home = resolveHome(opts.home)
  secureDataDir(home)
  const registry = await Registry.open(homePaths(home).registry, { owner: thisProcess() })
  try {
    sweepOrphans(registry)
    return await fn(registry, home)
  } finally {
    registry.close()
  }
}

/**
 * A command that a contract request also serves (runs list, show, tag, note, rm, compare, sweeps,
 * pause, stop, resume, train --target queue):
 * it calls the same handler the UI reaches through the dispatch, so a feature is assembled once.
 * The handlers run here for this command only; a training command keeps its own RunManager.
 */
export async function withHandlers<T>(
  opts: GlobalOptions,
  fn: (handlers: Handlers, registry: Registry, home: string) => Promise<T> | T,
): Promise<T> {
  return withRegistry(opts, (registry, home) =>
    fn(cliHandlers(registry, new RunManager(registry, home, nodeSpawner()), home), registry, home),
  )
}

/** The handlers over a command's registry and run manager (a training command's own, whose trainers it drives). */
export function cliHandlers(registry: Registry, runs: RunManager, home: string): Handlers {
  // Headless like server mode; the CLI never asks app.info. It hosts no coordinator: a queue run
  // it records waits in the registry for a `serve --queue` on this data directory, now or later.
  return createHandlers({ registry, runs, home, mode: 'server', remote: { coordinator: null, leftForServe: true } })
}

export function parseId(text: string): number {
  const id = Number(text)
  if (!Number.isInteger(id) || id <= 0) throw new Error(`"${text}" is not a run id (a positive whole number)`)
  return id
}

/**
 * Marks runs whose trainer died as interrupted. On a full disk that write fails: the command goes
 * on reading (`runs list` still works) and a later one records it once there is space.
 */
export function sweepOrphans(registry: Registry): void {
  try {
    registry.markOrphansInterrupted(isProcessAlive)
  } catch (e) {
    if (!isDiskFull(e)) throw e
  }
}
