/** BlurPooling2D against hand-computed cases, and the gradient property it is used for. */
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { blurPool } from '../../src-main/training/blur-pooling'
import { buildModel } from '../../src-main/training/models'
import { fromTfjsFiles, toTfjsFiles } from '../../src-main/util/tfjs-model'
import { ShapeError, summarizeModel } from '../../src-shared/model/shape-inference'
import { modelSpecSchema } from '../../src-shared/model/spec'

/** A 1-image, 1-channel batch whose every row is `row`. */
const rows = (row: number[], height: number) => tf.tensor4d(Array.from({ length: height }, () => row).flat(), [1, height, row.length, 1])

describe('blurPool', () => {
  it('blurs with [1, 3, 3, 1]/8 over reflected edges and keeps every second pixel', () => {
    // [0, 8, 0, 0] reflected: [8, 0, 8, 0, 0, 0]; at 0: (8 + 0 + 24 + 0)/8 = 4; at 2: (8 + 0 + 0 + 0)/8 = 1.
    expect(blurPool(rows([0, 8, 0, 0], 4)).arraySync()).toEqual([
      [
        [[4], [1]],
        [[4], [1]],
      ],
    ])
    // An odd length gets one more reflected pixel at its far end: [0, 8, 0] → [8, 0, 8, 0, 8, 0] → [4, 4].
    const odd = blurPool(rows([0, 8, 0], 3))
    expect(odd.shape).toEqual([1, 2, 2, 1])
    expect(odd.arraySync()).toEqual([
      [
        [[4], [4]],
        [[4], [4]],
      ],
    ])
  })

  it('handles each axis apart: an odd height and an even width', () => {
    // Columns [0, 8, 0] down an odd height, rows constant: [4, 4] down (as above), 2 across.
    const x = tf.tensor4d([0, 0, 0, 0, 8, 8, 8, 8, 0, 0, 0, 0], [1, 3, 4, 1])
    const y = blurPool(x)
    expect(y.shape).toEqual([1, 2, 2, 1])
    expect(Array.from(y.dataSync())).toEqual([4, 4, 4, 4])
    // Transposed: the same values across.
    expect(Array.from(blurPool(tf.transpose(x, [0, 2, 1, 3]) as tf.Tensor4D).dataSync())).toEqual([4, 4, 4, 4])
  })

  it('keeps a constant image constant and each channel apart', () => {
    const x = tf.stack([tf.fill([6, 6], 2), tf.fill([6, 6], -1)], 2).expandDims(0) as tf.Tensor4D
    const y = blurPool(x)
    expect(y.shape).toEqual([1, 3, 3, 2])
    expect(Array.from(y.dataSync())).toEqual(Array.from({ length: 9 }, () => [2, -1]).flat())
  })

  it("gives every pixel the same share of a uniform gradient, where a 3×3 stride-2 convolution's alternates", () => {
    const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 7) as tf.Tensor4D
    const blurred = tf.grad((v: tf.Tensor) => tf.sum(blurPool(v as tf.Tensor4D)))(x)
    // Interior pixels (away from the reflected edges): every one 0.5 × 0.5 of an output's weight.
    const interior = (g: tf.Tensor) =>
      (g.slice([0, 2, 2, 0], [1, 4, 4, 1]).dataSync() as Float32Array).map((v) => Math.round(v * 1e6) / 1e6)
    expect(new Set(interior(blurred))).toEqual(new Set([0.25]))
    const ones = tf.ones([3, 3, 1, 1]) as tf.Tensor4D
    const strided = tf.grad((v: tf.Tensor) => tf.sum(tf.conv2d(v as tf.Tensor4D, ones, 2, 'same')))(x)
    expect(new Set(interior(strided)).size).toBeGreaterThan(1)
  })

  it('builds, runs and saves as a layer, and loads back from its files in the workbench', async () => {
    const spec = modelSpecSchema.parse({ inputShape: [5, 6, 2], layers: [{ type: 'blurPooling2d' }] })
    const model = buildModel(spec, { prefix: 'd', seed: 1 })
    const x = tf.randomUniform([2, 5, 6, 2], 0, 1, 'float32', 3)
    const out = model.predict(x) as tf.Tensor
    expect(out.shape).toEqual([2, 3, 3, 2])
    expect(out.shape.slice(1)).toEqual(summarizeModel(spec, 'latent').outputShape)
    expect(Array.from(out.dataSync())).toEqual(Array.from(blurPool(x as tf.Tensor4D).dataSync()))
    const loaded = await fromTfjsFiles(await toTfjsFiles(model))
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(out.dataSync()))
  })

  it('refuses a side of one pixel, which has nothing to reflect', () => {
    const spec = modelSpecSchema.parse({ inputShape: [1, 4, 3], layers: [{ type: 'blurPooling2d' }] })
    expect(() => summarizeModel(spec, 'latent')).toThrow(ShapeError)
    expect(() => summarizeModel(spec, 'latent')).toThrow(/at least 2×2/)
  })

  it('is a layer of the model specs: no weights, ⌈n/2⌉ per side', () => {
    const spec = modelSpecSchema.parse({
      inputShape: [7, 7, 3],
      layers: [{ type: 'blurPooling2d' }, { type: 'flatten' }],
    })
    const s = summarizeModel(spec, 'latent')
    expect(s.layers[0]!.outputShape).toEqual([4, 4, 3])
    expect(s.totalParams).toBe(0)
  })
})
