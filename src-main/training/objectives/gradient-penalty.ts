/** WGAN-GP (Gulrajani et al. 2017): λ·E[(‖∇x̂ D(x̂)‖ − 1)²] at random interpolates x̂ of real and generated samples. */
import * as tf from '@tensorflow/tfjs'
import type { CriticConstraint } from './objective'

export function gradientPenalty(lambda: number): CriticConstraint {
  return {
    penalty: (critic, real, fake, seed) => {
      const eps = tf.randomUniform([real.shape[0]!, ...real.shape.slice(1).map(() => 1)], 0, 1, 'float32', seed)
      const mixed = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake))
      const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(mixed)
      const norms = tf.sqrt(
        tf.add(
          tf.sum(
            tf.square(grad),
            grad.shape.slice(1).map((_, i) => i + 1),
          ),
          1e-12,
        ),
      )
      return tf.mul(lambda, tf.mean(tf.square(tf.sub(norms, 1)))) as tf.Scalar
    },
  }
}
