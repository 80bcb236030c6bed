/**
 * Gradients of gradients (WGAN-GP's penalty, the second-order unrolled GAN) through the ops whose
 * tfjs gradient reads a saved output: with the engine's replacements (extra-gradients.ts) they
 * match the analytic second derivative.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'
import { registerExtraGradients } from '../../src-main/training/extra-gradients'

beforeAll(async () => {
  await selectBackend('auto')
  registerExtraGradients()
})

describe("tfjs' second derivatives", () => {
  it('are right through tanh, sigmoid and exp (their gradients read the input, not a saved output)', () => {
    // h(x) = d/dw f(w·x) = x·f'(wx), so dh/dx = f'(wx) + wx·f''(wx).
    const w = 1.3
    const x = 0.7
    const t = Math.tanh(w * x)
    const s = 1 / (1 + Math.exp(-w * x))
    const e = Math.exp(w * x)
    const cases: [string, (t: tf.Tensor) => tf.Tensor, number][] = [
      ['tanh', tf.tanh, 1 - t * t + w * x * (-2 * t * (1 - t * t))],
      ['sigmoid', tf.sigmoid, s * (1 - s) + w * x * (s * (1 - s) * (1 - 2 * s))],
      ['exp', tf.exp, e + w * x * e],
    ]
    for (const [name, f, expected] of cases) {
      const h = (xt: tf.Tensor) => tf.grads((wt: tf.Tensor) => f(tf.mul(wt, xt)) as tf.Scalar)([tf.scalar(w)])[0]!
      const got = tf.tidy(() => tf.grad(h)(tf.scalar(x)).dataSync()[0]!)
      expect(Math.abs(got - expected), name).toBeLessThan(1e-4 * Math.abs(expected) + 1e-6)
    }
  })
})
