/**
 * A host follows runs other processes train through the registry. A trainer stamps a change before
 * its write commits (and may wait for the write lock meanwhile): a status stamped before one of the
 * host's polls and committed after it must still reach the UI. Missing it left the UI of a server
 * showing "running" for a run a terminal had paused (the pause e2e test, under CI load).
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { watchForeignRuns, FOREIGN_RUNS_POLL_MS } from '../../src-main/app/foreign-runs'
import type { RunManager } from '../../src-main/training/run-manager'
import { requirePreset } from '../../src-shared/config/presets'
import { validateExperiment } from '../../src-shared/config/validate'
import { useTempRegistry } from '../helpers/temp-registry'

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('runs trained by other processes', () => {
  const t = useTempRegistry()

  it('a status change stamped before a poll and committed after it is still announced', async () => {
    const run = t.registry.createRun({ config: validateExperiment(requirePreset('mlp-2d-ring8').config).config, totalSteps: 10 })
    const announced: number[] = []
    const manager = { isActive: () => false, announce: (id: number) => announced.push(id), emit: () => {} } as unknown as RunManager
    const stop = watchForeignRuns(t.registry, manager)
    try {
      await wait(FOREIGN_RUNS_POLL_MS * 2.5) // the host has polled, and seen the run as it is
      const before = announced.length
      // Another process's write, stamped 3 s ago (before the host's last poll), committed now.
      const trainer = new Database(path.join(t.dir, 'registry.sqlite'))
      const stamped = new Date(Date.now() - 3000).toISOString()
      trainer.prepare("UPDATE runs SET status = 'paused', updated_at = ? WHERE id = ?").run(stamped, run.id)
      trainer.close()
      await wait(FOREIGN_RUNS_POLL_MS * 2.5)
      expect(announced.slice(before)).toEqual([run.id])
    } finally {
      stop()
    }
  }, 20_000)
})
