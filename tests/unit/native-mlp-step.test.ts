/**
 * The native MLP GAN step (src-main/training/native-mlp-step.ts, src-main/native/gwb_mlp.c) against
 * the generic tfjs step, step for step: the same losses (to 1e-5) and the same weights and Adam
 * slots after hundreds of steps, on several models, seeds, losses and D-step counts, with a
 * learning-rate schedule and generator weight averaging; which configs
 * take it and why the others do not; and that it hands a step back when a tensor shares a weight.
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { validateExperiment } from '../../src-shared/config/validate'
import type { ExperimentConfig, ExperimentConfigInput } from '../../src-shared/config/experiment'
import { selectBackend } from '../../src-main/training/backend'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { readMetrics, type StepMetrics } from '../../src-main/training/step-metrics'
import { nativeMlpIneligibility } from '../../src-main/training/native-mlp-step'
import { nativeBlas } from '../../src-main/training/native-blas'
import { wasmThreadCount } from '../../src-main/training/wasm-threads'
import { requireNativeOrSkip } from '../helpers/native-variant'

const status = nativeBlas(wasmThreadCount())
const skip = requireNativeOrSkip(status, 'native-mlp-step.test')

function configOf(preset: string, overrides: string[] = [], edit?: (c: ExperimentConfigInput) => ExperimentConfigInput): ExperimentConfig {
  const base = requirePreset(preset).config
  return validateExperiment(applyOverrides(edit ? edit(base) : base, overrides)).config
}

/** A run's trace on one path: every step's losses, logged metrics every 3rd step, then the final weights and Adam state. */
async function trace(config: ExperimentConfig, native: boolean, steps: number, between?: (gan: VanillaGan, step: number) => number) {
  process.env.GWB_NATIVE_MLP = native ? '1' : '0'
  const gan = new VanillaGan(config, createDataSource(config.dataset, 7))
  try {
    expect(typeof gan.nativeStep === 'string', `native path ${native ? 'expected' : 'off'}: ${String(gan.nativeStep)}`).toBe(!native)
    const losses: number[][] = []
    let tensors = 0
    let added = 0
    for (let i = 0; i < steps; i++) {
      added += between?.(gan, i) ?? 0
      const m = await readMetrics(gan.trainStep(i, 0, i % 3 === 0) as StepMetrics)
      losses.push(i % 3 === 0 ? [m.dLoss, m.gLoss, m.dGradNorm, m.gGradNorm, m.dReal, m.dFake] : [m.dLoss, m.gLoss])
      if (i === 2) tensors = tf.memory().numTensors
    }
    expect(tf.memory().numTensors - added, 'tensors leaked').toBe(tensors)
    const state = [
      ...gan.generator.getWeights(),
      ...gan.discriminator.getWeights(),
      ...(gan.ema?.model.getWeights() ?? []),
      ...(await gan.gOptimizer.getWeights()).map((w) => w.tensor),
      ...(await gan.dOptimizer.getWeights()).map((w) => w.tensor),
    ]
    // (tfjs-layers numbers the variables of a second model built in a process: kernel_1, …)
    const names = [...(await gan.gOptimizer.getWeights()), ...(await gan.dOptimizer.getWeights())].map((w) =>
      w.name.replace(/_\d+(?=\/)/, ''),
    )
    return { losses, state: state.map((t) => t.dataSync().slice()), names }
  } finally {
    gan.dispose()
    delete process.env.GWB_NATIVE_MLP
  }
}

function expectSameRun(a: Awaited<ReturnType<typeof trace>>, b: Awaited<ReturnType<typeof trace>>): void {
  let worst = 0
  a.losses.forEach((row, i) => {
    expect(row.length, `step ${i}: metrics`).toBe(b.losses[i]!.length)
    row.forEach((v, j) => {
      // The mean D outputs (j ≥ 4) are summed in double natively, in float32 by tfjs' Mean.
      if (j < 4) worst = Math.max(worst, Math.abs(v - b.losses[i]![j]!))
      else expect(Math.abs(v - b.losses[i]![j]!), `step ${i}, metric ${j}`).toBeLessThan(1e-5)
    })
  })
  expect(worst, 'largest difference of a loss or gradient norm').toBeLessThan(1e-5)
  expect(a.names).toEqual(b.names)
  a.state.forEach((values, k) => {
    let diff = 0
    for (let j = 0; j < values.length; j++) diff = Math.max(diff, Math.abs(values[j]! - b.state[k]![j]!))
    expect(diff, `weight or slot ${k} (${a.names[k - (a.state.length - a.names.length)] ?? 'a model weight'})`).toBeLessThan(1e-5)
  })
}

describe.skipIf(skip)('the native MLP GAN step', () => {
  beforeAll(async () => {
    await selectBackend('wasm')
  })
  afterAll(() => {
    delete process.env.GWB_NATIVE_MLP
  })

  it('trains mlp-2d-ring8 as the generic step does, step for step, for 300 steps', async () => {
    const config = configOf('mlp-2d-ring8')
    expectSameRun(await trace(config, true, 300), await trace(config, false, 300))
  })

  it('and other MLPs: ReLU and tanh, fused and separate activations, minimax, two D steps, uniform z, another seed and batch', async () => {
    const config = configOf(
      'mlp-2d-grid25',
      [
        'training.batchSize=64',
        'training.dSteps=2',
        'training.seed=5',
        'loss.generator=minimax',
        'latent.distribution=uniform',
        'latent.dim=3',
      ],
      (c) => ({
        ...c,
        generator: {
          inputShape: [3],
          layers: [
            { type: 'dense', units: 48, activation: 'relu' },
            { type: 'dense', units: 32 },
            { type: 'activation', activation: 'tanh' },
            { type: 'dense', units: 2, useBias: false },
          ],
        },
        discriminator: {
          inputShape: [2],
          layers: [
            { type: 'dense', units: 40 },
            { type: 'activation', activation: 'leakyRelu', alpha: 0.1 },
            { type: 'dense', units: 24, activation: 'tanh' },
            { type: 'dense', units: 1, activation: 'sigmoid' },
          ],
        },
        optimizers: {
          generator: { type: 'adam', learningRate: 2e-3, beta1: 0.9, beta2: 0.99 },
          discriminator: { type: 'adam', learningRate: 5e-4 },
        },
      }),
    )
    expectSameRun(await trace(config, true, 150), await trace(config, false, 150))
  })

  it('with a learning-rate schedule and generator weight averaging (the PacGAN-ring recipe), as the generic step: same rates, same average', async () => {
    // 300 steps of a 300-step run: the rates decay to 1/300 of the configured ones, with a warm-up over the first 20.
    const config = configOf('mlp-2d-pacgan-ring8-decay-ema', ['training.epochs=3', 'training.warmupSteps=20', 'training.generatorEma=0.9'])
    const native = await trace(config, true, 300)
    const generic = await trace(config, false, 300)
    expect(native.state.length, 'G, D, the averaged G, then the Adam slots').toBe(generic.state.length)
    expectSameRun(native, generic)
  })

  it('hands a step back to tfjs when another tensor shares a weight (writing in place would change it too)', async () => {
    const config = configOf('mlp-2d-ring8')
    const kept: tf.Tensor[] = []
    // At step 5 a clone of G's first kernel is taken and kept: from then on every step is generic, and the clone keeps its values.
    const cloneAt5 = (gan: VanillaGan, step: number) => {
      if (step !== 5) return 0
      kept.push(tf.keep(tf.clone(gan.generator.trainableWeights[0]!.read())))
      return 1
    }
    const before = await trace(config, false, 5)
    const mixed = await trace(config, true, 20, cloneAt5)
    expect(Array.from(kept[0]!.dataSync())).toEqual(Array.from(before.state[0]!))
    tf.dispose(kept)
    expectSameRun(mixed, await trace(config, false, 20))
  })

  it('takes the configs it implements and says why not for the others', () => {
    expect(nativeMlpIneligibility(configOf('mlp-2d-ring8'))).toBeNull()
    expect(nativeMlpIneligibility(configOf('mlp-2d-spiral'))).toBeNull()
    expect(nativeMlpIneligibility(configOf('mlp-2d-pacgan-ring8-decay-ema'))).toBeNull()
    // The unrolled twin of the second-order preset (unrollSteps 0): nothing unrolls, so nothing is missing.
    expect(nativeMlpIneligibility(configOf('mlp-2d-ring8-unrolled', ['training.unrollSteps=0']))).toBeNull()
    const reasons: Array<[string, string[], RegExp]> = [
      ['mlp-2d-ring8-lsgan', [], /lsgan/],
      ['mlp-2d-ring8-wgan', [], /wgan/],
      ['mlp-2d-ring8', ['tricks.labelSmoothing=0.1'], /tricks\.labelSmoothing/],
      ['mlp-2d-ring8', ['tricks.instanceNoise=0.1'], /tricks\.instanceNoise/],
      ['mlp-2d-ring8-feature-matching', [], /tricks\.featureMatching/],
      ['mlp-2d-ring8-unrolled', [], /training\.unrollSteps/],
      ['dcgan-mnist', [], /image data/],
    ]
    for (const [preset, overrides, reason] of reasons)
      expect(nativeMlpIneligibility(configOf(preset, overrides)), `${preset} ${overrides.join(' ')}`).toMatch(reason)
    const sgd = configOf('mlp-2d-ring8', [], (c) => ({
      ...c,
      optimizers: { ...c.optimizers, generator: { type: 'sgd', learningRate: 0.01 } },
    }))
    expect(nativeMlpIneligibility(sgd)).toMatch(/sgd/)
  })

  it('keeps the generic step for a model that is not an MLP of dense layers', () => {
    process.env.GWB_NATIVE_MLP = '1'
    const config = configOf('mlp-2d-ring8', [], (c) => ({
      ...c,
      discriminator: {
        inputShape: [2],
        layers: [{ type: 'dense', units: 16 }, { type: 'batchNorm' }, { type: 'dense', units: 1, activation: 'sigmoid' }],
      },
    }))
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    expect(gan.nativeStep).toMatch(/D has .*BatchNormalization/)
    gan.dispose()
  })
})
