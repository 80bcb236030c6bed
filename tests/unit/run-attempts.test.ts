/**
 * The registry holds each step and each artifact of a run once, whatever its attempts did: a
 * resume with no checkpoint drops what the abandoned attempt recorded past the new start (0),
 * and stopping right after a resume keeps the checkpoint already recorded at that step.
 */
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { selectBackend } from '../../src-main/training/backend'
import { trainRun, totalSteps, type TrainHooks } from '../../src-main/training/train-run'
import { useTempRegistry } from '../helpers/temp-registry'

const config = validateExperiment(
  applyOverrides(requirePreset('mlp-2d-ring8').config, [
    'training.epochs=2',
    'training.stepsPerEpoch=20',
    'training.batchSize=32',
    'training.logEvery=1',
    'training.checkpointEvery=1',
    'training.evalSamples=0',
  ]),
).config

/** Asks to stop once `stopAfter` iterations have run (trainRun asks once per iteration). */
function hooks(stopAfter = Infinity): TrainHooks {
  let polls = 0
  return { progress: () => {}, status: () => {}, stopRequested: () => ++polls > stopAfter }
}

beforeAll(async () => {
  await selectBackend('auto')
})

describe('each step and artifact recorded once across attempts', () => {
  const ctx = useTempRegistry()

  it("a resume with no checkpoint drops the abandoned attempt's metrics, diagnoses and samples past its start", async () => {
    const run = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    // What a first attempt SIGKILLed at step 33, before its first checkpoint (20) was recorded, left behind.
    ctx.registry.writeMetrics(
      run.id,
      Array.from({ length: 33 }, (_, i) => ({ key: 'dLoss', step: i + 1, epoch: Math.ceil((i + 1) / 20), value: 9, wallTime: i })),
    )
    ctx.registry.addArtifact({
      runId: run.id,
      kind: 'samples-2d',
      epoch: 1,
      step: 20,
      path: path.join(ctx.dir, 'old.json'),
      sha256: 'x',
      bytes: 1,
    })
    ctx.registry.addDiagnosis(run.id, { kind: 'mode-collapse', step: 25, detectedAt: 30 } as never)
    ctx.registry.updateProgress(run.id, 33, 2, null)
    ctx.registry.setStatus(run.id, 'interrupted', 'killed')

    // The next attempt starts from 0 and is stopped at step 7.
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks(7))).toBe('stopped')
    const after = ctx.registry.getRun(run.id)
    expect(after.step).toBe(7)
    expect(ctx.registry.metrics(run.id).dLoss!.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(ctx.registry.metrics(run.id).dLoss!.every((p) => p.value !== 9)).toBe(true)
    expect(after.lastMetrics.dLoss).not.toBe(9)
    expect(ctx.registry.artifacts(run.id).map((a) => `${a.kind}@${a.step}`)).toEqual(['checkpoint@7'])
    expect(ctx.registry.diagnoses(run.id)).toEqual([])
  })

  it('stopping right after a resume keeps the checkpoint recorded at that step, once', async () => {
    const run = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks(25))).toBe('stopped')
    const first = ctx.registry.artifacts(run.id, 'checkpoint')
    expect(first.map((a) => a.step)).toEqual([20, 25])
    // Resumed, and stopped before a single step.
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks(0))).toBe('stopped')
    expect(ctx.registry.artifacts(run.id, 'checkpoint')).toEqual(first)
    // Stopped exactly at an epoch's checkpoint (step 40 is the last): still once.
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks())).toBe('completed')
    expect(
      ctx.registry
        .artifacts(run.id)
        .map((a) => `${a.kind}@${a.step}`)
        .sort(),
    ).toEqual(['checkpoint@20', 'checkpoint@25', 'checkpoint@40', 'samples-2d@20', 'samples-2d@40'])
  })

  it('an artifact recorded again at the same step replaces the first (unique per run, kind and step)', () => {
    const run = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    const a = ctx.registry.addArtifact({ runId: run.id, kind: 'samples-grid', epoch: 1, step: 20, path: '/x/1.png', sha256: 'a', bytes: 1 })
    const b = ctx.registry.addArtifact({ runId: run.id, kind: 'samples-grid', epoch: 1, step: 20, path: '/x/2.png', sha256: 'b', bytes: 2 })
    expect(b.id).toBe(a.id)
    expect(ctx.registry.artifacts(run.id)).toMatchObject([{ id: a.id, path: '/x/2.png', sha256: 'b', bytes: 2 }])
    ctx.registry.addArtifact({ runId: run.id, kind: 'checkpoint', epoch: 1, step: 20, path: '/x/c', sha256: 'c', bytes: 3 })
    expect(ctx.registry.artifacts(run.id)).toHaveLength(2)
  })
})
