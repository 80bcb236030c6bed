/** Draws latent vectors z from the configured prior, deterministically for a given seed. */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig } from '../../src-shared/config/experiment'

export function sampleLatent(latent: ExperimentConfig['latent'], n: number, seed: number): tf.Tensor2D {
  const { dim, distribution, spherical } = latent
  return tf.tidy(() => {
    const z: tf.Tensor2D =
      distribution === 'normal' ? tf.randomNormal([n, dim], 0, 1, 'float32', seed) : tf.randomUniform([n, dim], -1, 1, 'float32', seed)
    // Spherical z (ganhacks): project onto the unit sphere.
    return spherical ? tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-8)) : z
  })
}
