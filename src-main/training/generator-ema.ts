/**
 * Generator weight averaging (Yazıcı et al. 2019, "The Unusual Effectiveness of Averaging in GAN
 * Training"): beside G, a second copy of its network holds an exponential moving average of G's
 * weights, θ̄ ← β·θ̄ + (1 − β)·θ after every G update, starting from G's initial weights. Every
 * weight is averaged, batch-norm statistics included. The average is what samples, evaluation and
 * export use: it smooths out the oscillation of G around the equilibrium that plain GAN training
 * keeps up to its last step, which on 2D mixtures is most of the samples' spread around a mode.
 */
import * as tf from '@tensorflow/tfjs'
import type { ModelSpec } from '../../src-shared/model/spec'
import { buildModel } from './models'

export class GeneratorEma {
  /** The averaged generator (same architecture as G; its own variables). */
  readonly model: tf.LayersModel

  constructor(
    spec: ModelSpec,
    private readonly source: tf.LayersModel,
    readonly decay: number,
  ) {
    this.model = buildModel(spec, { prefix: 'g', seed: 0 })
    this.model.setWeights(source.getWeights())
  }

  /** One averaging step, after G's update. */
  update(): void {
    const beta = this.decay
    tf.tidy(() => {
      const own = this.model.weights
      this.source.weights.forEach((w, i) => {
        const avg = own[i]!.read() as tf.Variable
        // θ̄ + (1 − β)(θ − θ̄): the same average, one operation fewer.
        avg.assign(tf.add(avg, tf.mul(1 - beta, tf.sub(w.read(), avg))))
      })
    })
  }

  dispose(): void {
    this.model.dispose()
  }
}
