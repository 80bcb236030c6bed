/**
 * Gradients tfjs 4.22 lacks or computes wastefully.
 *  - WGAN-GP differentiates through D's input gradient, i.e. through the gradient of LeakyReLU,
 *    which uses `greater`: a comparison, piecewise constant, so its gradient is zero (tfjs
 *    registers exactly this for GreaterEqual, but not for Greater).
 *  - FusedBatchNorm's gradient for x tiles 1/√(var + ε) out to the whole activation before
 *    multiplying, where broadcasting gives the same numbers: on wasm that Tile was a fifth of a
 *    CycleGAN step (CPU profile). The replacement is tfjs' own formula with the tile left out.
 *  - The cpu backend's UpSampling2D gradient is wrong from batch 2 on (cpu-resize-grad.ts).
 *  - Tanh, Sigmoid and Exp: tfjs' gradients read the op's saved output, a copy made inside the
 *    kernel and not on the tape, so a gradient of such a gradient misses the path through it
 *    (tfjs' second derivative of exp(w·x) in x came out as e^wx, not (1 + wx)·e^wx). These read
 *    the input and apply the op again: the same numbers (the same kernel on the same input) and a
 *    correct second derivative, which WGAN-GP's penalty and the second-order unrolled GAN take.
 */
import * as tf from '@tensorflow/tfjs'
import { registerCpuResizeNearestGrad } from './cpu-resize-grad'

let registered = false

export function registerExtraGradients(): void {
  if (registered) return
  registered = true
  for (const kernelName of ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual']) {
    if (tf.getGradient(kernelName)) continue
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor]
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) }
      },
    })
  }
  // The same expressions as tfjs' own (operand order kept), with the output recomputed from x.
  const fromInput = (kernelName: string, grad: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor) =>
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ({ x: () => grad(dy as tf.Tensor, saved[0]!) }),
    })
  fromInput('Tanh', (dy, x) => tf.mul(tf.sub(tf.scalar(1), tf.square(tf.tanh(x))), dy))
  fromInput('Sigmoid', (dy, x) => {
    const y = tf.sigmoid(x)
    return tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)))
  })
  fromInput('Exp', (dy, x) => tf.mul(dy, tf.exp(x)))
  tf.registerGradient({ kernelName: 'FusedBatchNorm', inputsToSave: ['x', 'mean', 'variance', 'scale'], gradFunc: batchNormGradient })
  registerCpuResizeNearestGrad()
}

/** d/dx, d/dmean, d/dvariance, d/dscale, d/doffset of (x − mean)·scale/√(variance + ε) + offset. */
function batchNormGradient(dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  const dy = dyIn as tf.Tensor
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number }
  const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined]
  const scaleValue = scale ?? tf.scalar(1)
  // Per-channel statistics (rank 1) are summed over every axis but the last.
  const perChannel = mean.rank === 1
  const reduce = (t: tf.Tensor) =>
    tf.reshape(
      perChannel
        ? tf.sum(
            t,
            x.shape.slice(0, -1).map((_, i) => i),
          )
        : t,
      mean.shape,
    )
  const xMinusMean = tf.sub(x, mean)
  const dyTimesScale = tf.mul(dy, scaleValue)
  const rsqrt = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)))
  const minusHalfRCube = tf.mul(tf.mul(tf.mul(rsqrt, rsqrt), rsqrt), tf.scalar(-0.5))
  return {
    x: () => tf.reshape(tf.mul(tf.mul(dy, rsqrt), scaleValue), x.shape),
    mean: () => reduce(tf.mul(tf.mul(rsqrt, tf.scalar(-1)), dyTimesScale)),
    variance: () => reduce(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScale)),
    scale: () => reduce(tf.mul(dy, tf.mul(xMinusMean, rsqrt))),
    offset: () => reduce(dy),
  }
}
