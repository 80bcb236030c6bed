/**
 * `training.keepCheckpoints`: a run keeps its newest N checkpoints. A 40-epoch InfoGAN run writes
 * about 5.6 GB of them (weights and Adam state every epoch), twice over on the queue (worker and
 * coordinator), and filled the development disk. The rows go first (inside the caller's
 * transaction, if any), then the folders once that is committed: a crash or rollback in between
 * leaves an unrecorded folder (wasted space), never a row pointing at nothing.
 */
import fs from 'node:fs'
import type { Registry } from '../registry/registry'
import { artifactPath } from '../registry/artifact-files'

/** Drops the rows of run `runId`'s checkpoints beyond the newest `keep` (0 keeps all); returns their folders. */
export function dropOldCheckpoints(registry: Registry, home: string, runId: number, keep: number | undefined): string[] {
  if (keep === undefined || !(keep > 0)) return [] // a config stored before the setting existed keeps all
  const old = registry
    .artifacts(runId, 'checkpoint')
    .sort((a, b) => b.step - a.step)
    .slice(keep)
  const dirs = old.map((a) => artifactPath(home, a)) // confined to the run's folder, or refused, before anything is dropped
  for (const a of old) registry.repos.artifacts.remove(runId, 'checkpoint', a.step)
  return dirs
}

/** Deletes the folders `dropOldCheckpoints` returned. */
export function removeCheckpointFolders(dirs: readonly string[]): void {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
}
