/**
 * The cpu backend's gradient of nearest-neighbour resizing (UpSampling2D) is the exact adjoint of
 * its forward pass: ⟨resize(x), dy⟩ = ⟨x, ∂/∂x⟩ for every image of a batch. tfjs 4.22's own kernel
 * fails this from batch 2 on (it offsets dy by the image's batch stride); cpu-resize-grad.ts
 * replaces it.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { registerCpuResizeNearestGrad } from '../../src-main/training/cpu-resize-grad'

function values(n: number, seed: number): Float32Array {
  let s = seed
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648 - 0.5
  })
}

describe('cpu backend: UpSampling2D gradient', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu')
    registerCpuResizeNearestGrad()
  })

  const cases: [string, [number, number, number, number], [number, number], boolean, boolean][] = [
    ['AC-GAN up-sampling, batch 3 (14 → 28)', [3, 14, 14, 4], [28, 28], false, false],
    ['odd sizes, scale 2, batch 2', [2, 5, 7, 3], [10, 14], false, false],
    ['scale 3, batch 4', [4, 4, 4, 2], [12, 12], false, false],
    ['align corners, batch 2', [2, 3, 3, 1], [5, 5], true, false],
    ['half-pixel centres, batch 2', [2, 3, 5, 2], [7, 9], false, true],
  ]
  it.each(cases)('is the adjoint of the forward resize: %s', (_name, shape, size, alignCorners, halfPixelCenters) => {
    const count = shape.reduce((a, b) => a * b, 1)
    const x = tf.tensor4d(values(count, 1), shape)
    const dy = tf.tensor4d(values(shape[0] * size[0] * size[1] * shape[3], 2), [shape[0], size[0], size[1], shape[3]])
    const forward = tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x, size, alignCorners, halfPixelCenters), dy)).dataSync()[0]!
    const grad = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners, halfPixelCenters), dy)),
    )(x)
    const adjoint = tf.sum(tf.mul(x, grad)).dataSync()[0]!
    expect(Math.abs(adjoint - forward)).toBeLessThan(1e-4 * Math.max(1, Math.abs(forward)))
    // And image by image: the last image's gradient comes from its own dy alone.
    const last = shape[0] - 1
    const lastForward = tf
      .sum(tf.mul(tf.image.resizeNearestNeighbor(x.slice(last, 1), size, alignCorners, halfPixelCenters), dy.slice(last, 1)))
      .dataSync()[0]!
    const lastAdjoint = tf.sum(tf.mul(x.slice(last, 1), grad.slice(last, 1))).dataSync()[0]!
    expect(Math.abs(lastAdjoint - lastForward)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lastForward)))
  })
})
