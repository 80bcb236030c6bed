/**
 * Samples from a run's generator at its latest checkpoint. Loads only G's weights, on the fastest
 * backend that loads, and gives the same points for the same seed.
 */
import * as tf from '@tensorflow/tfjs'
import { conditionerFor } from '../training/conditions'
import { createDataSource } from '../datasets/data-source'
import { loadGenerator } from './load-generator'
import { toGraph } from '../../src-shared/model/shape-inference'
import type { Registry } from '../registry/registry'
import { sampleLatent } from '../training/latent'
import { isTranslation } from '../../src-shared/config/experiment'

/**
 * For conditional models sample i gets class (InfoGAN: categorical code) `labels[i]`, by default
 * i mod classes (every class in turn); unconditional models ignore labels.
 */
export async function sampleRun(registry: Registry, runId: number, n: number, seed: number, labels?: ArrayLike<number>): Promise<Float32Array> {
  const { generator, config } = await loadGenerator(registry, runId)
  try {
    const conditioner = conditionerFor(config)
    if (isTranslation(config.conditioning)) {
      // A translator has no z: it translates n condition images of its dataset, drawn with the seed.
      const data = createDataSource(config.dataset, seed)
      const conditions = data.pairSample!(n, seed).conditions
      return tf.tidy(() => (generator.predict(data.conditionTensor!(conditions, n)) as tf.Tensor).dataSync() as Float32Array)
    }
    return tf.tidy(() => {
      const z = sampleLatent(config.latent, n, seed)
      if (!conditioner) return (generator.predict(z) as tf.Tensor).dataSync() as Float32Array
      const condition = conditioner.fixed(Array.from({ length: n }, (_, i) => (labels ? labels[i % labels.length]! : i % conditioner.rows)))
      const roles = toGraph(config.generator, 'latent').inputs.map((i) => i.role)
      return (generator.predict(roles.map((r) => (r === 'latent' ? z : condition))) as tf.Tensor).dataSync() as Float32Array
    })
  } finally {
    generator.dispose()
  }
}
