/**
 * tricks.translate (DiffAugment's translation): each image is its reflect-padded self cropped at
 * its own offset in [0, 2n]², the gradient is that crop's adjoint, the same seed draws the same
 * shifts; validation keeps it to image GANs whose D sees only the sample; an AC-GAN step with it
 * trains and leaves no tensor behind.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { randomTranslate } from '../../src-main/training/translate'
import { selectBackend } from '../../src-main/training/backend'
import { validateExperiment } from '../../src-shared/config/validate'
import type { ConfigError } from '../../src-shared/config/errors'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { disposeMetrics, readMetrics } from '../../src-main/training/step-metrics'

// Counts the shifts a training step asks for (the function itself runs unchanged).
const shifts = vi.hoisted(() => ({ sizes: [] as number[], blank: false }))
vi.mock('../../src-main/training/translate', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src-main/training/translate')>()
  return {
    randomTranslate: (x: tf.Tensor4D, n: number, seed: number) => {
      if (n > 0) shifts.sizes.push(x.shape[0])
      // `blank`: every shifted image comes back black, to see whether D is fed what the shift returns.
      return shifts.blank && n > 0 ? tf.zerosLike(x) : real.randomTranslate(x, n, seed)
    },
  }
})

beforeAll(async () => {
  await selectBackend('auto')
})

const reflectPad = (x: tf.Tensor4D, n: number) =>
  tf.mirrorPad(
    x,
    [
      [0, 0],
      [n, n],
      [n, n],
      [0, 0],
    ],
    'reflect',
  )

/** For each image of `out`, the offsets (dy, dx) at which its padded input crops to it exactly. */
function offsetsOf(x: tf.Tensor4D, out: tf.Tensor4D, n: number): [number, number][][] {
  const [b, h, w] = x.shape
  const padded = reflectPad(x, n)
  const found: [number, number][][] = []
  for (let i = 0; i < b; i++) {
    const o = out.slice([i], [1])
    const matches: [number, number][] = []
    for (let dy = 0; dy <= 2 * n; dy++)
      for (let dx = 0; dx <= 2 * n; dx++) {
        const crop = padded.slice([i, dy, dx, 0], [1, h, w, -1])
        if (tf.max(tf.abs(tf.sub(crop, o))).dataSync()[0] === 0) matches.push([dy, dx])
      }
    found.push(matches)
  }
  return found
}

describe('randomTranslate', () => {
  // Distinct values everywhere, so a crop matches at exactly one offset.
  const x = tf.tidy(() => tf.randomUniform([16, 9, 7, 2], -1, 1, 'float32', 3)) as tf.Tensor4D

  it('shifts each image by its own offset in [−n, n]² with reflected edges; n = 0 is the identity', () => {
    expect(randomTranslate(x, 0, 1)).toBe(x)
    const out = randomTranslate(x, 2, 11)
    expect(out.shape).toEqual(x.shape)
    const offsets = offsetsOf(x, out, 2)
    for (const m of offsets) expect(m).toHaveLength(1)
    // Sixteen images do not all share one shift, and shifts reach both sides.
    const keys = new Set(offsets.map((m) => m[0]!.join(',')))
    expect(keys.size).toBeGreaterThan(4)
    const dys = offsets.map((m) => m[0]![0])
    expect(Math.min(...dys)).toBeLessThan(2)
    expect(Math.max(...dys)).toBeGreaterThan(2)
  })

  it('draws the same shifts from the same seed, others from another', () => {
    const a = randomTranslate(x, 2, 11)
    expect(Array.from(randomTranslate(x, 2, 11).dataSync())).toEqual(Array.from(a.dataSync()))
    expect(Array.from(randomTranslate(x, 2, 12).dataSync())).not.toEqual(Array.from(a.dataSync()))
  })

  it("passes the gradient back through the shift: the crop's adjoint at each image's offset", () => {
    const weights = tf.randomNormal(x.shape, 0, 1, 'float32', 5)
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(randomTranslate(v as tf.Tensor4D, 2, 11), weights)))(x)
    const offsets = offsetsOf(x, randomTranslate(x, 2, 11), 2).map((m) => m[0]!)
    const [, h, w] = x.shape
    const expected = tf.grad((v: tf.Tensor) => {
      const padded = reflectPad(v as tf.Tensor4D, 2)
      const crops = offsets.map(([dy, dx], i) => padded.slice([i, dy, dx, 0], [1, h, w, -1]))
      return tf.sum(tf.mul(tf.concat(crops), weights))
    })(x)
    expect(tf.max(tf.abs(tf.sub(grad, expected))).dataSync()[0]).toBeLessThan(1e-5)
    // Not trivially zero: most pixels stay in view (those shifted out of the frame get none).
    expect(tf.mean(tf.cast(tf.greater(tf.abs(grad), 0), 'float32')).dataSync()[0]).toBeGreaterThan(0.5)
  })
})

describe('tricks.translate in a config', () => {
  const config = (preset: string, overrides: string[]) => () => validateExperiment(applyOverrides(requirePreset(preset).config, overrides))
  const refusal = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return (e as ConfigError).errors.find((x) => x.path === 'tricks.translate')?.message
    }
    return undefined
  }

  it('is taken by image GANs, refused for points, pix2pix, CycleGAN and the gradient penalty', () => {
    expect(config('acgan-fashion-mnist', ['tricks.translate=2'])().config.tricks.translate).toBe(2)
    expect(refusal(config('mlp-2d-ring8', ['tricks.translate=1']))).toMatch(/points/)
    expect(refusal(config('pix2pix-mnist-edges', ['tricks.translate=1']))).toMatch(/pix2pix/)
    expect(refusal(config('cyclegan-mnist-edges', ['tricks.translate=1']))).toMatch(/CycleGAN/)
    expect(refusal(config('dcgan-radford-mnist', ['gan=wgan-gp', 'tricks.translate=1']))).toMatch(/gradient penalty/)
  })

  it("shifts every batch D sees in a step: D's real and generated batches, and G's batch in G's step", () => {
    const { config: c } = config('acgan-fashion-mnist', [
      'training.batchSize=4',
      'dataset.limit=32',
      'training.dSteps=2',
      'tricks.translate=1',
    ])()
    const gan = new VanillaGan(c, createDataSource(c.dataset, 1))
    shifts.sizes.length = 0
    disposeMetrics(gan.trainStep(0, 0))
    // Two D steps × (real, generated), then G's own generated batch.
    expect(shifts.sizes).toEqual([4, 4, 4, 4, 4])
    gan.dispose()
  })

  it("feeds D what the shift returns: with every shifted image blanked, G's step has nothing to learn from", async () => {
    const { config: c } = config('acgan-fashion-mnist', ['training.batchSize=4', 'dataset.limit=32', 'tricks.translate=1'])()
    const gan = new VanillaGan(c, createDataSource(c.dataset, 1))
    shifts.blank = true
    try {
      const m = await readMetrics(gan.trainStep(0, 0))
      // D sees only black images, whatever G draws: no gradient reaches G; D still learns (its biases).
      expect(m.gGradNorm).toBe(0)
      expect(m.dGradNorm).toBeGreaterThan(0)
    } finally {
      shifts.blank = false
      gan.dispose()
    }
  })

  it('an AC-GAN step with it trains G and D and leaves no tensor behind', async () => {
    const { config: c } = config('acgan-fashion-mnist', ['training.batchSize=4', 'dataset.limit=32', 'tricks.translate=2'])()
    const gan = new VanillaGan(c, createDataSource(c.dataset, 1))
    disposeMetrics(gan.trainStep(0, 0))
    const before = tf.memory().numTensors
    const m = await readMetrics(gan.trainStep(1, 0))
    expect(tf.memory().numTensors).toBe(before)
    expect(Number.isFinite(m.dLoss) && Number.isFinite(m.gLoss) && m.gGradNorm > 0 && m.dGradNorm > 0).toBe(true)
    gan.dispose()
  })
})
