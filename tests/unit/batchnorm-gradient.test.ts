/**
 * The replacement FusedBatchNorm gradient (extra-gradients.ts) against tfjs' own: the same
 * numbers for every input, on random shapes of rank 2 and 4. (tfjs cannot differentiate a batch
 * norm without a scale at all; tfjs-layers always passes one.)
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'
import { registerExtraGradients } from '../../src-main/training/extra-gradients'

type Grads = Record<'x' | 'mean' | 'variance' | 'offset' | 'scale', Float32Array>

function gradients(shape: number[], seed: number): Grads {
  return tf.tidy(() => {
    const channels = shape.at(-1)!
    const x = tf.randomNormal(shape, 0, 1, 'float32', seed)
    const w = tf.randomNormal(shape, 0, 1, 'float32', seed + 1)
    const mean = tf.randomNormal([channels], 0, 1, 'float32', seed + 2)
    const variance = tf.randomUniform([channels], 0.1, 2, 'float32', seed + 3)
    const offset = tf.randomNormal([channels], 0, 1, 'float32', seed + 4)
    const scale = tf.randomNormal([channels], 1, 0.3, 'float32', seed + 5)
    const f = (xv: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(xv, m, v, o, s, 1e-3), w)) as tf.Scalar
    const [gx, gm, gv, go, gs] = tf.grads(f)([x, mean, variance, offset, scale])
    return { x: gx!.dataSync(), mean: gm!.dataSync(), variance: gv!.dataSync(), offset: go!.dataSync(), scale: gs!.dataSync() } as Grads
  })
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)

describe('FusedBatchNorm gradient without the tile', () => {
  beforeAll(async () => {
    await selectBackend('wasm')
  })

  it("gives tfjs' gradients for x, mean, variance, offset and scale", () => {
    const shapes = fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 7 }),
        )
        .map((s) => [...s]),
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })).map((s) => [...s]),
    )
    const cases = fc.sample(fc.tuple(shapes, fc.integer({ min: 1, max: 1e6 })), { numRuns: 40, seed: 7 })
    const before = cases.map(([shape, seed]) => gradients(shape, seed))
    const tfjsOwn = tf.getGradient('FusedBatchNorm')!.gradFunc
    registerExtraGradients()
    expect(tf.getGradient('FusedBatchNorm')!.gradFunc).not.toBe(tfjsOwn)
    const start = tf.memory().numTensors
    cases.forEach(([shape, seed], i) => {
      const after = gradients(shape, seed)
      for (const key of ['x', 'mean', 'variance', 'offset', 'scale'] as const) {
        expect(maxDiff(after[key], before[i]![key]), `${key} of [${shape}]`).toBeLessThan(1e-5)
      }
    })
    expect(tf.memory().numTensors).toBe(start)
  })
})
