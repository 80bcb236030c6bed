/**
 * Starting a sweep: every member config is built and validated before anything is recorded (one
 * bad combination refuses the whole sweep, naming it); then the sweep and its runs are created
 * and placed, on this machine one after another, or on the queue for the workers.
 */
import { applyOverrides } from '../../src-shared/config/overrides'
import { validateExperiment } from '../../src-shared/config/validate'
import { ConfigError } from '../../src-shared/config/errors'
import { sweepMembers, type SweepAxis } from '../../src-shared/config/sweep'
import type { Placement, RunRecord } from '../../src-shared/domain/run'
import type { SweepRecord } from '../../src-shared/domain/sweep'
import type { Registry } from '../registry/registry'
import { resolveConfig, type RunManager } from '../training/run-manager'
import { totalSteps } from '../training/train-run'

export interface SweepRequest {
  config?: unknown
  preset?: string
  overrides?: string[]
  grid: SweepAxis[]
  random?: number
  seed?: number
  name?: string
  target?: Placement
}

export function startSweep(registry: Registry, runs: RunManager, req: SweepRequest): { sweep: SweepRecord; runs: RunRecord[] } {
  const base = resolveConfig(req)
  const members = sweepMembers({ grid: req.grid, random: req.random, seed: req.seed })
  const configs = members.map((overrides) => {
    try {
      return { overrides, config: validateExperiment(applyOverrides(base, overrides)).config }
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(e.errors.map((f) => ({ ...f, message: `${overrides.join(' ')}: ${f.message}` })))
      throw e
    }
  })
  for (const m of configs) runs.admitConfig(m.config)
  const target = req.target ?? 'local'
  const created = registry.db
    .transaction(() => {
      const id = registry.repos.sweeps.create(req.name ?? 'sweep', { grid: req.grid, random: req.random, seed: req.seed, base })
      const name = req.name ?? `sweep-${id}`
      registry.repos.sweeps.rename(id, name)
      const members = configs.map((m, i) =>
        registry.createRun({
          config: m.config,
          name: `${name}-${i + 1}`,
          experiment: name,
          totalSteps: totalSteps(m.config),
          placement: target,
          sweepId: id,
        }),
      )
      for (const [i, run] of members.entries()) registry.setNotes(run.id, configs[i]!.overrides.join('\n'))
      return { id, runIds: members.map((r) => r.id) }
    })
    .immediate()
  if (target === 'local') runs.enqueueLocal(created.runIds)
  return { sweep: registry.repos.sweeps.get(created.id), runs: created.runIds.map((id) => registry.getRun(id)) }
}
