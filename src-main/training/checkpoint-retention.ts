/**
 * `training.keepCheckpoints`: a run keeps its newest N checkpoints. A 40-epoch InfoGAN run writes
 * about 5.6 GB of them (weights and Adam state every epoch), twice over on the queue (worker and
 * coordinator), and filled the development disk. The rows go first, then the folders: a crash in
 * between leaves an unrecorded folder (wasted space), never a row pointing at nothing.
 */
import fs from 'node:fs'
import type { Registry } from '../registry/registry'
import { artifactPath } from '../registry/artifact-files'

/** Deletes run `runId`'s checkpoints beyond the newest `keep` (0 keeps all); returns the steps deleted. */
export function pruneCheckpoints(registry: Registry, home: string, runId: number, keep: number | undefined): number[] {
  if (keep === undefined || !(keep > 0)) return [] // a config stored before the setting existed keeps all
  const old = registry
    .artifacts(runId, 'checkpoint')
    .sort((a, b) => b.step - a.step)
    .slice(keep)
  const dirs = old.map((a) => artifactPath(home, a)) // confined to the run's folder, or refused, before anything is deleted
  for (const a of old) registry.repos.artifacts.remove(runId, 'checkpoint', a.step)
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  return old.map((a) => a.step)
}
