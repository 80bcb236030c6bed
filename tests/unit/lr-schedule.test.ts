import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { selectBackend } from '../../src-main/training/backend'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { disposeMetrics } from '../../src-main/training/step-metrics'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { learningRateFactor, setLearningRate } from '../../src-main/training/lr-schedule'

/** 2 epochs of 20 steps: 40 steps in all. */
const tiny = (overrides: string[] = []) =>
  validateExperiment(
    applyOverrides(requirePreset('mlp-2d-ring8').config, [
      'training.epochs=2',
      'training.stepsPerEpoch=20',
      'training.batchSize=32',
      ...overrides,
    ]),
  ).config

const rateOf = (o: tf.Optimizer) => (o as unknown as { learningRate: number }).learningRate

beforeAll(async () => {
  await selectBackend('auto')
})

describe('learning-rate schedule', () => {
  it('linear decay: 1 at the first step, half way at the middle, 1/total at the last', () => {
    const s = { lrSchedule: 'linear' as const, warmupSteps: 0 }
    expect(learningRateFactor(s, 0, 1000)).toBe(1)
    expect(learningRateFactor(s, 500, 1000)).toBe(0.5)
    expect(learningRateFactor(s, 999, 1000)).toBeCloseTo(0.001, 12)
    expect(learningRateFactor({ lrSchedule: 'constant', warmupSteps: 0 }, 999, 1000)).toBe(1)
  })

  it('warm-up ramps up over its steps, then hands over to the schedule', () => {
    const warm = { lrSchedule: 'constant' as const, warmupSteps: 10 }
    expect(learningRateFactor(warm, 0, 1000)).toBeCloseTo(0.1, 12)
    expect(learningRateFactor(warm, 4, 1000)).toBeCloseTo(0.5, 12)
    expect(learningRateFactor(warm, 9, 1000)).toBe(1)
    expect(learningRateFactor(warm, 500, 1000)).toBe(1)
    expect(learningRateFactor({ lrSchedule: 'linear', warmupSteps: 10 }, 4, 100)).toBeCloseTo(0.5 * 0.96, 12)
  })

  it('each training step gives both optimizers the scheduled rate (G 1e-3, D 4e-3, linear over 40 steps)', () => {
    const config = tiny(['training.lrSchedule=linear', 'optimizers.discriminator.learningRate=0.004'])
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    for (const step of [0, 1, 10, 39]) {
      disposeMetrics(gan.trainStep(step, step / 40, false))
      expect(rateOf(gan.gOptimizer)).toBeCloseTo(1e-3 * (1 - step / 40), 12)
      expect(rateOf(gan.dOptimizer)).toBeCloseTo(4e-3 * (1 - step / 40), 12)
    }
    gan.dispose()
  })

  it('a smaller rate makes a smaller step: the same SGD step at 1/4 of the rate moves G 1/4 as far', async () => {
    // Measured on the weights, so the test fails if the rate is set but never reaches the update.
    /** How far one step moves G's first weight tensor, with both optimizers SGD at `rate`. */
    const moved = async (rate: number, step: number, overrides: string[] = []): Promise<number[]> => {
      const sgd = `{"type":"sgd","learningRate":${rate}}`
      const config = tiny([`optimizers.generator=${sgd}`, `optimizers.discriminator=${sgd}`, ...overrides])
      const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
      const before = Array.from(await gan.generator.getWeights()[0]!.data())
      disposeMetrics(gan.trainStep(step, step / 40, false))
      const after = Array.from(await gan.generator.getWeights()[0]!.data())
      gan.dispose()
      return before.map((b, i) => after[i]! - b)
    }
    // Step 30 of 40 under linear decay runs at 1/4 of the rate: exactly a constant-rate step at 0.0125.
    const scheduled = await moved(0.05, 30, ['training.lrSchedule=linear'])
    const constant = await moved(0.0125, 30)
    const norm = (v: number[]) => Math.hypot(...v)
    expect(norm(scheduled)).toBeGreaterThan(0)
    scheduled.forEach((d, i) => expect(d).toBeCloseTo(constant[i]!, 6))
    // …and 4 times shorter than the same step at the full rate.
    expect(norm(await moved(0.05, 30))).toBeCloseTo(4 * norm(scheduled), 4)
  })

  it('sets the rate of Adam, RMSProp, SGD and momentum optimizers', () => {
    for (const o of [tf.train.adam(0.1), tf.train.rmsprop(0.1), tf.train.sgd(0.1), tf.train.momentum(0.1, 0.9)]) {
      setLearningRate(o, 0.025)
      expect(rateOf(o)).toBe(0.025)
      o.dispose()
    }
    // SGD and momentum multiply by a kept scalar −rate: it must follow.
    const m = tf.train.momentum(0.1, 0.9)
    setLearningRate(m, 0.025)
    expect((m as unknown as { c: tf.Scalar }).c.dataSync()[0]).toBeCloseTo(-0.025, 7)
    m.dispose()
  })

  it('leaves the optimizers alone without a schedule, and keeps the tensor count flat with one', async () => {
    const plain = tiny()
    const gan = new VanillaGan(plain, createDataSource(plain.dataset, 1))
    disposeMetrics(gan.trainStep(20, 0.5, false))
    expect(rateOf(gan.gOptimizer)).toBe(1e-3)
    gan.dispose()
    const sgd = '{"type":"sgd","learningRate":0.01,"momentum":0.5}'
    const config = tiny(['training.lrSchedule=linear', 'training.warmupSteps=5', `optimizers.generator=${sgd}`])
    const scheduled = new VanillaGan(config, createDataSource(config.dataset, 1))
    disposeMetrics(scheduled.trainStep(0, 0, false))
    const count = tf.memory().numTensors
    for (let s = 1; s < 12; s++) disposeMetrics(scheduled.trainStep(s, s / 40, false))
    expect(tf.memory().numTensors).toBe(count)
    scheduled.dispose()
  })
})
