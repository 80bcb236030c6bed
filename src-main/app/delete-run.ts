/** Deleting a run removes its registry rows (metrics, tags and artifacts cascade) and its files. */
import fs from 'node:fs'
import type { Registry } from '../registry/registry'
import { runDir } from './paths'

export function deleteRunWithFiles(registry: Registry, home: string, id: number): void {
  registry.deleteRun(id)
  fs.rmSync(runDir(home, id), { recursive: true, force: true })
}
