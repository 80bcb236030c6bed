/**
 * `reproduce --reuse` takes a run only when it is the same experiment: a completed run of the same
 * entry, from a reproduction of the same budget, whose validated config (seed included) equals the
 * one this reproduction would train. Anything else is trained again.
 */
import { describe, expect, it } from 'vitest'
import { findReusableRun } from '../../src-main/reproductions/reproduction-service'
import { findReproduction, recipeConfig, recipeSteps } from '../../src-shared/reproductions/catalog'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import type { RunStatus } from '../../src-shared/domain/run'
import { useTempRegistry } from '../helpers/temp-registry'

const entry = findReproduction('pacgan-ring8')!
const ctx = useTempRegistry()

/** A run as a reproduction (`quick` or not) would have left it, with the recipe's config for `seed` plus `overrides`. */
function storedRun(o: { seed: number; quick?: boolean; status?: RunStatus; overrides?: string[]; name?: string; beforeTricks?: string[] }) {
  const { registry } = ctx
  const quick = o.quick ?? false
  const raw = applyOverrides(recipeConfig(entry.recipe, { quick, quickOverrides: entry.quick.overrides, seed: o.seed }), o.overrides ?? [])
  const record = registry.repos.reproductions.create({
    entry,
    quick,
    seeds: 1,
    target: 'local',
    command: 'test',
    commit: 'abcdef123456',
    machine: 'test',
    steps: recipeSteps(entry, quick),
    samples: 2500,
    results: [],
  })
  const config = validateExperiment(raw).config
  // A run stored before these tricks existed has no such fields in its config.
  for (const key of o.beforeTricks ?? []) delete (config.tricks as Record<string, unknown>)[key]
  const run = registry.createRun({ name: 'r', experiment: 'e', config, totalSteps: 1 })
  registry.setStatus(run.id, o.status ?? 'completed')
  registry.tag(run.id, [`reproduction:${o.name ?? entry.name}`, `reproduction-id:${record.id}`])
  return { runId: run.id, reproductionId: record.id }
}

const find = (seed: number, quick = false, exclude = -1) => findReusableRun(ctx.registry, entry, entry.recipe, quick, seed, exclude)

describe('reproduce --reuse: which runs count as the same experiment', () => {
  it('the latest completed run with the exact config, and where it came from', () => {
    const older = storedRun({ seed: 2 })
    const newer = storedRun({ seed: 2 })
    expect(find(2)).toEqual({
      run: expect.objectContaining({ id: newer.runId }),
      from: { reproductionId: newer.reproductionId, commit: 'abcdef123456' },
    })
    expect(older.runId).toBeLessThan(newer.runId)
  })

  it('a run stored before a setting existed is the same experiment when the setting defaults to what it trained (off)', () => {
    const old = storedRun({ seed: 4, beforeTricks: ['translate'] })
    expect(find(4)?.run.id).toBe(old.runId)
    storedRun({ seed: 5, overrides: ['tricks.instanceNoise=0.1'], beforeTricks: ['translate'] })
    expect(find(5)).toBeNull()
  })

  it('never another seed, another setting, another budget, an unfinished run, another entry or the reproduction itself', () => {
    storedRun({ seed: 1 })
    storedRun({ seed: 2, overrides: ['optimizers.generator.learningRate=2e-3'] })
    storedRun({ seed: 2, quick: true })
    storedRun({ seed: 2, status: 'stopped' })
    storedRun({ seed: 2, name: 'toy-ring8' })
    expect(find(2)).toBeNull()
    const own = storedRun({ seed: 3 })
    expect(find(3, false, own.reproductionId)).toBeNull()
    expect(find(3)?.run.id).toBe(own.runId)
    // The quick run is found for a quick reproduction only.
    expect(find(2, true)?.run.config.training.seed).toBe(2)
  })
})
