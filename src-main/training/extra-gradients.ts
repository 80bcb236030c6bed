/**
 * Gradients tfjs 4.22 lacks. WGAN-GP differentiates through D's input gradient, i.e. through the
 * gradient of LeakyReLU, which uses `greater`: a comparison, piecewise constant, so its gradient is
 * zero (tfjs registers exactly this for GreaterEqual, but not for Greater).
 */
import * as tf from '@tensorflow/tfjs'

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
}
