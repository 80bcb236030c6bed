/**
 * Deleting a run removes its registry rows (metrics, tags and artifacts cascade) and its files,
 * refused while anything trains it (see Registry.deleteRun; `force` for a paused run).
 */
import fs from 'node:fs'
import type { Registry } from '../registry/registry'
import { diskReserveFile, runDir } from '../platform/paths'

export function deleteRunWithFiles(registry: Registry, home: string, id: number, options: { force?: boolean } = {}): void {
  registry.deleteRun(id, options)
  fs.rmSync(runDir(home, id), { recursive: true, force: true })
  fs.rmSync(diskReserveFile(home, id), { force: true }) // left by a trainer that was killed
}
