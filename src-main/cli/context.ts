/** Shared by CLI commands: global options and a registry opened for one command. */
import { resolveHome, homePaths } from '../platform/paths'
import { Registry } from '../registry/registry'
import { isProcessAlive, thisProcess } from '../util/process-identity'
import { secureDataDir } from '../app/data-dir'
import { isDiskFull } from '../util/disk-space'

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
