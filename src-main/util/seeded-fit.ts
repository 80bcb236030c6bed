/**
 * `model.fit` with the batches shuffled from a seed. tfjs' own `shuffle: true` draws from
 * Math.random, so the same data trained twice scored differently (CAS moved by 0.12 between two
 * runs of one test); here each epoch's order comes from `seed`, and the same call gives the same model.
 */
import * as tf from '@tensorflow/tfjs'
import { createRng } from '../../src-shared/util/rng'

export async function fitSeeded(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  options: { epochs: number; batchSize: number; seed: number },
): Promise<void> {
  const rng = createRng(options.seed)
  const n = x.shape[0]!
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = Array.from({ length: n }, (_, i) => i)
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    const index = tf.tensor1d(order, 'int32')
    const [ex, ey] = [tf.gather(x, index), tf.gather(y, index)]
    try {
      await model.fit(ex, ey, { epochs: 1, batchSize: options.batchSize, shuffle: false, verbose: 0 })
    } finally {
      tf.dispose([index, ex, ey])
    }
  }
}
