/**
 * The wasm matrix-product kernels with transposed operands (src-main/training/wasm-matmul.ts)
 * against tfjs' cpu kernels: random shapes, batch dimensions, both transposes, fused bias and
 * activation, gradients of a dense layer; and no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'

// These test the WebAssembly kernels, the fallbacks of the native BLAS ones (native-kernels.test.ts).
process.env.GWB_NATIVE_BLAS = '0'

function values(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1
  return Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5)
}

function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor): number[] {
  tf.setBackend(backend)
  return tf.tidy(() => Array.from(f().dataSync()))
}

describe('wasm matmul with transposed operands', () => {
  beforeAll(async () => {
    await selectBackend('wasm')
    await tf.setBackend('cpu')
    await tf.setBackend('wasm')
  })

  it('BatchMatMul and fused MatMul match the cpu kernels for every transpose', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('linear', 'relu', 'leakyrelu'),
        fc.integer({ min: 1, max: 1e6 }),
        (batch, m, k, n, ta, tb, activation, seed) => {
          const aShape = batch > 1 ? [batch, ...(ta ? [k, m] : [m, k])] : ta ? [k, m] : [m, k]
          const bShape = batch > 1 ? [batch, ...(tb ? [n, k] : [k, n])] : tb ? [n, k] : [k, n]
          const av = values(
            aShape.reduce((x, y) => x * y, 1),
            seed,
          )
          const bv = values(
            bShape.reduce((x, y) => x * y, 1),
            seed + 1,
          )
          const biasV = values(n, seed + 2)
          const plain = () => tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), ta, tb)
          const fused = () =>
            batch > 1
              ? plain()
              : tf.fused.matMul({
                  a: tf.tensor2d(av, aShape as [number, number]),
                  b: tf.tensor2d(bv, bShape as [number, number]),
                  transposeA: ta,
                  transposeB: tb,
                  bias: tf.tensor1d(biasV),
                  activation: activation as tf.fused.Activation,
                  leakyreluAlpha: 0.2,
                })
          for (const f of [plain, fused]) {
            const expected = on('cpu', f)
            const actual = on('wasm', f)
            expect(actual.length).toBe(expected.length)
            actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4))
          }
        },
      ),
      { numRuns: 80, seed: 5 },
    )
    tf.setBackend('wasm')
  })

  it("gives a dense layer's gradients as the cpu backend does, without leaking tensors", () => {
    const grads = (backend: 'cpu' | 'wasm') => {
      tf.setBackend(backend)
      return tf.tidy(() => {
        const x = tf.tensor2d(values(5 * 7, 1), [5, 7])
        const w = tf.tensor2d(values(7 * 3, 2), [7, 3])
        const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(xx, ww))))([x, w])
        return g.map((t) => Array.from(t.dataSync()))
      })
    }
    const before = tf.memory().numTensors
    const [cx, cw] = grads('cpu')
    const [wx, ww] = grads('wasm')
    wx!.forEach((v, i) => expect(v).toBeCloseTo(cx![i]!, 4))
    ww!.forEach((v, i) => expect(v).toBeCloseTo(cw![i]!, 4))
    expect(tf.memory().numTensors).toBe(before)
  })
})
