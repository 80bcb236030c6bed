/**
 * Samples from a run's generator at its latest checkpoint. Loads only G's weights, on the fastest
 * backend that loads, and gives the same points for the same seed.
 */
import * as tf from '@tensorflow/tfjs'
import { conditionerFor } from '../training/conditions'
import { createDataSource } from '../datasets/create-data-source'
import { loadGenerator } from './load-generator'
import { toGraph } from '../../src-shared/model/shape-inference'
import type { Registry } from '../registry/registry'
import { sampleLatent } from '../training/latent'
import { isTranslation } from '../../src-shared/config/experiment'
import { infoganCodes } from '../../src-shared/config/validate'
import { createRng } from '../../src-shared/util/rng'
import { mixSeed } from '../../src-shared/util/seeds'

/**
 * For conditional models sample i gets class (InfoGAN: categorical code) `labels[i]`, by default
 * i mod classes (every class in turn); unconditional models ignore labels. InfoGAN's continuous
 * codes are 0 unless `randomCodes`: then drawn from U(−1, 1) (as in training) with the seed.
 */
export async function sampleRun(
  registry: Registry,
  runId: number,
  n: number,
  seed: number,
  labels?: ArrayLike<number>,
  options: { randomCodes?: boolean } = {},
): Promise<Float32Array> {
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
      const rows = Array.from({ length: n }, (_, i) => (labels ? labels[i % labels.length]! : i % conditioner.rows))
      const continuous = config.conditioning === 'infogan' ? infoganCodes(config).continuous : 0
      const rng = createRng(mixSeed(seed, 0xc0de))
      const condition = conditioner.fixed(
        rows,
        options.randomCodes && continuous > 0 ? Float32Array.from({ length: n * continuous }, () => 2 * rng() - 1) : undefined,
      )
      const roles = toGraph(config.generator, 'latent').inputs.map((i) => i.role)
      return (generator.predict(roles.map((r) => (r === 'latent' ? z : condition))) as tf.Tensor).dataSync() as Float32Array
    })
  } finally {
    generator.dispose()
  }
}
