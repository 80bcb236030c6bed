/**
 * The data directory at start-up: 0700, and its secret-holding files 0600 (see
 * util/private-files.ts). Returns what it had to tighten, for the host to say so.
 */
import path from 'node:path'
import { homePaths } from '../platform/paths'
import { ensurePrivateDir, ensurePrivateFile } from '../util/private-files'

/** Files of the data dir that hold a secret. */
export const SECRET_FILES = ['instance.lock', 'coordinator.secret'] as const

export function secureDataDir(home: string): string[] {
  const changed = [ensurePrivateDir(homePaths(home).home)]
  for (const name of SECRET_FILES) changed.push(ensurePrivateFile(path.join(home, name)))
  return changed.filter((c): c is string => c !== null)
}
