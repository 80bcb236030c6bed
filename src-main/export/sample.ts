/**
 * Samples from a run's generator at its latest checkpoint. Loads only G's weights, on the fastest
 * backend that loads, and gives the same points for the same seed.
 */
import * as tf from '@tensorflow/tfjs'
import { validateExperiment } from '../../src-shared/config/validate'
import { conditionerFor } from '../training/conditions'
import { createDataSource } from '../datasets/data-source'
import { toGraph } from '../../src-shared/model/shape-inference'
import type { Registry } from '../registry/registry'
import { buildModel } from '../training/models'
import { loadCheckpoint, restoreWeights } from '../training/checkpoint'
import { mixSeed } from '../training/seeds'
import { sampleLatent } from '../training/latent'
import { NotFoundError } from '../registry/registry'
import { probeBackendsOnce } from '../training/backend'

/**
 * For conditional models sample i gets class (InfoGAN: categorical code) `labels[i]`, by default
 * i mod classes (every class in turn); unconditional models ignore labels.
 */
export async function sampleRun(registry: Registry, runId: number, n: number, seed: number, labels?: ArrayLike<number>): Promise<Float32Array> {
  const run = registry.getRun(runId)
  const ckpt = registry.latestArtifact(runId, 'checkpoint')
  if (!ckpt) throw new NotFoundError(`run ${runId} has no checkpoint yet (it saves one every ${run.config.training.checkpointEvery} epoch(s) and when it ends)`)
  await probeBackendsOnce()
  const { config } = validateExperiment(run.config)
  const generator = buildModel(config.generator, { prefix: 'g', seed: mixSeed(config.training.seed, 1) })
  const loaded = loadCheckpoint(ckpt.path)
  try {
    restoreWeights(generator, loaded.groups.generator, 'generator')
    const conditioner = conditionerFor(config)
    if (config.conditioning === 'pix2pix') {
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
    for (const g of Object.values(loaded.groups)) for (const w of g) w.tensor.dispose()
    generator.dispose()
  }
}
