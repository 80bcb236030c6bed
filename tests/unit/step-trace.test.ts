import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { specLayers } from '../../src-shared/model/spec'
import { selectBackend } from '../../src-main/training/backend'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { readMetrics } from '../../src-main/training/step-metrics'
import { checkTraceDir, TraceError, traceSteps, withoutDropout, writeTrace, type StepTrace } from '../../src-main/training/step-trace'
import { tmpDir } from '../helpers/tmp'

const config = (preset: string, overrides: string[] = []) =>
  validateExperiment(applyOverrides(requirePreset(preset).config, overrides)).config
const mlp = () => config('mlp-2d-ring8', ['training.batchSize=32'])
const acgan = () => withoutDropout(config('acgan-mnist', ['training.batchSize=4', 'dataset.limit=64']))

const t = tmpDir('gwb-trace-')
afterAll(() => t.cleanup())
beforeAll(async () => {
  await selectBackend('auto')
})

/** A traced tensor by name (chunk i holds tensor i's values). */
function tensor(trace: StepTrace, name: string): { shape: number[]; values: Float32Array } {
  const i = trace.index.tensors.findIndex((e) => e.name === name)
  if (i < 0) throw new Error(`no ${name} in the trace`)
  return { shape: trace.index.tensors[i]!.shape, values: trace.chunks[i]! }
}

/** Losses of the first n steps as the training loop computes them (no observer). */
async function trainedLosses(c: ReturnType<typeof mlp>, n: number): Promise<{ dLoss: number; gLoss: number }[]> {
  // The generic step, as a trace takes it (an MLP GAN trains on the native step where the addon
  // is built; that step is checked against this one in native-mlp-step.test.ts).
  process.env.GWB_NATIVE_MLP = '0'
  const gan = new VanillaGan(c, createDataSource(c.dataset, c.training.seed))
  delete process.env.GWB_NATIVE_MLP
  const total = c.training.epochs * c.training.stepsPerEpoch
  const out: { dLoss: number; gLoss: number }[] = []
  for (let s = 0; s < n; s++) {
    const m = await readMetrics(gan.trainStep(s, s / total))
    out.push({ dLoss: m.dLoss, gLoss: m.gLoss })
  }
  gan.dispose()
  return out
}

describe('step trace', () => {
  it("records training's own steps: the same losses, bit for bit, as the loop that trains (observing changes nothing)", async () => {
    const c = mlp()
    const trace = await traceSteps(c, 6)
    expect(trace.index.metrics.map((m) => ({ dLoss: m.dLoss, gLoss: m.gLoss }))).toEqual(await trainedLosses(c, 6))
    // The observed loss terms are what the losses add up to (no aux terms in a vanilla GAN).
    for (const m of trace.index.metrics) {
      expect(m['d0.adversarial']).toBe(m.dLoss)
      expect(m['g.adversarial']).toBe(m.gLoss)
    }
  })

  it('holds the initial weights, every batch and latent a step drew, and the state where asked', async () => {
    const c = acgan()
    const trace = await traceSteps(c, 4, { stateEvery: 2, stateFirst: 1 })
    expect(trace.index.states).toEqual([0, 2, 4])
    const gan = new VanillaGan(c, createDataSource(c.dataset, c.training.seed))
    // state0 is the GAN a run with this config starts from (built from the seed), by variable name.
    for (const w of [...gan.generator.weights, ...gan.discriminator.weights]) {
      const model = w.originalName.startsWith('g') ? 'generator' : 'discriminator'
      const traced = tensor(trace, `state0/${model}/${w.originalName}`)
      expect(traced.shape).toEqual(w.shape)
      expect(traced.values).toEqual(w.read().dataSync())
    }
    // Step 3's real batch and labels are the data source's for (step 3, slot 0).
    const data = createDataSource(c.dataset, c.training.seed)
    expect(tensor(trace, 'step3/d0.real').values).toEqual(data.batch(3, 0, 4).dataSync())
    expect(tensor(trace, 'step3/d0.realCondition').values).toEqual(data.labels!(3, 0, 4).dataSync())
    for (const name of ['d0.z', 'd0.fakeCondition', 'g.z', 'g.condition']) expect(tensor(trace, `step3/${name}`).shape[0]).toBe(4)
    // Adam's moments from the second state on (none before the first update), under tfjs' slot names.
    expect(trace.index.tensors.some((e) => e.name.startsWith('state0/gOptimizer/') && e.name.endsWith('/m'))).toBe(false)
    expect(tensor(trace, 'state2/gOptimizer/g_project/kernel/m').shape).toEqual([100, 6272])
    expect(tensor(trace, 'state4/dOptimizer/d_class/bias/v').shape).toEqual([10])
    expect(tensor(trace, 'state4/gOptimizer/iter').values[0]).toBe(4)
    // AC-GAN's class-loss terms add up to D's and G's losses.
    for (const m of trace.index.metrics) {
      expect(m['d0.adversarial']! + m['d0.classReal']! + m['d0.classFake']!).toBeCloseTo(m.dLoss!, 5)
      expect(m['g.adversarial']! + m['g.aux']!).toBeCloseTo(m.gLoss!, 5)
    }
    expect(trace.index.optimizers.generator).toMatchObject({ type: 'adam', epsilon: tf.backend().epsilon() })
    gan.dispose()
  })

  it('sets every dropout rate to 0 and nothing else when asked', () => {
    const before = config('acgan-mnist')
    const after = withoutDropout(before)
    const rates = (s: typeof before.discriminator) =>
      specLayers(s)
        .filter((l) => l.type === 'dropout')
        .map((l) => (l as { rate: number }).rate)
    expect(rates(before.discriminator)).toEqual([0.25, 0.25, 0.25, 0.25])
    expect(rates(after.discriminator)).toEqual([0, 0, 0, 0])
    const withoutRates = (s: typeof before.discriminator) => JSON.stringify(s).replace(/"rate":[\d.]+/g, '')
    expect(withoutRates(after.discriminator)).toBe(withoutRates(before.discriminator))
    expect(after.generator).toEqual(before.generator)
    // Sequential specs too (the Keras-style DCGAN's D: dropout 0.4 twice).
    const keras = withoutDropout(config('dcgan-mnist'))
    expect(rates(keras.discriminator)).toEqual([0, 0])
    expect(specLayers(keras.discriminator)).toHaveLength(specLayers(config('dcgan-mnist').discriminator).length)
  })

  it('refuses what it cannot trace, and writes only into a new, empty or trace directory', async () => {
    await expect(traceSteps(mlp(), 0)).rejects.toThrow(TraceError)
    await expect(traceSteps(mlp(), 1001)).rejects.toThrow(/from 1 to 1000/)
    await expect(traceSteps(config('cyclegan-mnist-edges'), 1)).rejects.toThrow(/CycleGAN/)
    const trace = await traceSteps(mlp(), 2)
    const dir = path.join(t.dir, 'trace')
    const { bytes } = writeTrace(dir, trace)
    expect(fs.readdirSync(dir).sort()).toEqual(['tensors.f32', 'trace.json'])
    const total = trace.index.tensors.reduce((n, e) => n + e.length, 0)
    expect(fs.statSync(path.join(dir, 'tensors.f32')).size).toBe(total * 4)
    expect(bytes).toBe(total * 4 + fs.statSync(path.join(dir, 'trace.json')).size)
    writeTrace(dir, trace) // a previous trace is replaced
    const other = path.join(t.dir, 'other')
    fs.mkdirSync(other)
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine')
    expect(() => writeTrace(other, trace)).toThrow(/already holds other files \(notes.txt\)/)
    expect(() => checkTraceDir(other)).toThrow(TraceError)
    expect(() => checkTraceDir(path.join(other, 'notes.txt'))).toThrow(/not a directory/)
    expect(fs.readFileSync(path.join(other, 'notes.txt'), 'utf8')).toBe('mine')
  })
})
