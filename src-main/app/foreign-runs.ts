/**
 * Runs trained by other processes (a terminal's `train`, another window) write only to the
 * registry. A host watches it so its UIs see those runs move too: status changes as `run.status`,
 * steps as `run.progress` (without metrics: the run view reads those from the registry).
 */
import type { Registry } from '../registry/registry'
import type { RunManager } from '../training/run-manager'

export const FOREIGN_RUNS_POLL_MS = 1000
/**
 * How far back each poll looks again. A writer stamps `updated_at` before its write commits, and it
 * may wait up to the registry's busy timeout (10 s) for the lock: a change stamped before one poll
 * and committed after it would be missed for good if the next poll looked only after that poll.
 * Rows read again change nothing: a status or step is passed on only when it differs from the last seen.
 */
export const FOREIGN_RUNS_OVERLAP_MS = 15_000

export function watchForeignRuns(registry: Registry, runs: RunManager): () => void {
  const lookBack = () => new Date(Date.now() - FOREIGN_RUNS_OVERLAP_MS).toISOString()
  let since = lookBack()
  const seen = new Map<number, { status: string; step: number }>()
  const timer = setInterval(() => {
    try {
      const checkedAt = lookBack()
      for (const r of registry.runsUpdatedSince(since)) {
        if (runs.isActive(r.id)) continue
        const before = seen.get(r.id)
        seen.set(r.id, { status: r.status, step: r.step })
        if (before?.status !== r.status) runs.announce(r.id)
        if (before?.step !== r.step) {
          runs.emit('run.progress', {
            runId: r.id,
            step: r.step,
            totalSteps: r.totalSteps,
            epoch: r.epoch,
            metrics: {},
            ...(r.samplesPerSec ? { samplesPerSec: r.samplesPerSec } : {}),
          })
        }
      }
      since = checkedAt
    } catch {
      // a busy or closing database: the next poll catches up
    }
  }, FOREIGN_RUNS_POLL_MS)
  timer.unref()
  return () => clearInterval(timer)
}
