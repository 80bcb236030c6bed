/**
 * Generator weight averaging (Yazıcı et al. 2019, "The Unusual Effectiveness of Averaging in GAN
 * Training"): beside G, a second copy of its network holds an exponential moving average of G's
 * weights, θ̄ ← β·θ̄ + (1 − β)·θ after every G update, starting from G's initial weights. Every
 * weight is averaged, batch-norm statistics included. The average is what samples, evaluation and
 * export use: it smooths out the oscillation of G around the equilibrium that plain GAN training
 * keeps up to its last step, which on 2D mixtures is most of the samples' spread around a mode.
 *
 * Averaged batch-norm statistics belong to no network: they mix the statistics of G's past weights,
 * not those the averaged weights produce. So before the average is measured or saved its statistics
 * are recomputed from its own batches ("standing statistics", as BigGAN does): on AC-GAN
 * Fashion-MNIST (β 0.998, seed 2) that took the Fréchet distance from 8.3 to 4.6 (without averaging: 4.3).
 */
import * as tf from '@tensorflow/tfjs'
import type { ModelSpec } from '../../src-shared/model/spec'
import { buildModel } from './models'

/** What settling changes in a batch-norm layer (tfjs' BatchNormalization reads it on every call). */
type Norm = tf.layers.Layer & { momentum: number }

export class GeneratorEma {
  /** The averaged generator (same architecture as G; its own variables). */
  readonly model: tf.LayersModel
  private readonly norms: Norm[]
  /** Updated (or restored) since its statistics were last recomputed. */
  private unsettled = true

  constructor(
    spec: ModelSpec,
    private readonly source: tf.LayersModel,
    readonly decay: number,
  ) {
    this.model = buildModel(spec, { prefix: 'g', seed: 0 })
    this.model.setWeights(source.getWeights())
    this.norms = this.model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as Norm[]
  }

  /**
   * Recomputes the batch-norm statistics of the averaged G as the mean of its batch statistics over
   * `passes` batches of its own (G's inputs from `batch`, in training mode): the cumulative average,
   * momentum k/(k+1) on pass k, so the result is the same whatever the statistics were before.
   * Nothing to do without batch norm, or when the weights have not moved since.
   */
  settle(batch: (pass: number) => tf.Tensor | tf.Tensor[], passes: number): void {
    if (this.norms.length === 0 || !this.unsettled) return
    const momenta = this.norms.map((l) => l.momentum)
    try {
      for (let k = 0; k < passes; k++) {
        for (const l of this.norms) l.momentum = k / (k + 1)
        tf.tidy(() => {
          this.model.apply(batch(k), { training: true })
        })
      }
    } finally {
      this.norms.forEach((l, i) => (l.momentum = momenta[i]!))
    }
    this.unsettled = false
  }

  /** After weights were loaded into the average from elsewhere (a checkpoint, a fork). */
  markUnsettled(): void {
    this.unsettled = true
  }

  /** One averaging step, after G's update. */
  update(): void {
    this.unsettled = true
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
