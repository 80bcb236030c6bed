/**
 * The vanilla GAN of Goodfellow et al. (2014), Algorithm 1: k discriminator steps, then one
 * generator step, with the minimax or the non-saturating generator loss. Every step runs inside
 * tf.tidy and only scalars leave it, so the tensor count stays flat (tested).
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig, OptimizerConfig } from '../../src-shared/config/experiment'
import { buildModel, endsInSigmoid } from './models'
import { mixSeed } from './seeds'
import { sampleLatent } from './latent'
import type { DataSource } from '../datasets/data-source'

export interface StepMetrics {
  dLoss: tf.Scalar
  gLoss: tf.Scalar
  /** Mean D(x) on the real batch and D(G(z)) on the generated one (probabilities). */
  dReal: tf.Scalar
  dFake: tf.Scalar
  dGradNorm: tf.Scalar
  gGradNorm: tf.Scalar
}

export type MetricValues = { [K in keyof StepMetrics]: number }

function makeOptimizer(o: OptimizerConfig): tf.Optimizer {
  return o.type === 'adam' ? tf.train.adam(o.learningRate, o.beta1, o.beta2) : tf.train.momentum(o.learningRate, o.momentum)
}

function globalNorm(grads: tf.NamedTensorMap): tf.Scalar {
  return tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar
}

export class VanillaGan {
  readonly generator: tf.Sequential
  readonly discriminator: tf.Sequential
  readonly gOptimizer: tf.Optimizer
  readonly dOptimizer: tf.Optimizer
  private readonly dLogits: boolean

  constructor(
    readonly config: ExperimentConfig,
    private readonly data: DataSource,
  ) {
    const seed = config.training.seed
    this.generator = buildModel(config.generator, { prefix: 'g', seed: mixSeed(seed, 1) })
    this.dLogits = endsInSigmoid(config.discriminator)
    this.discriminator = buildModel(config.discriminator, { prefix: 'd', seed: mixSeed(seed, 2), finalSigmoidAsLogits: this.dLogits })
    if (!this.dLogits) {
      throw new Error('discriminator: the vanilla GAN needs D to end in a sigmoid (its output is a probability)')
    }
    this.gOptimizer = makeOptimizer(config.optimizers.generator)
    this.dOptimizer = makeOptimizer(config.optimizers.discriminator)
  }

  latent(n: number, seed: number): tf.Tensor2D {
    return sampleLatent(this.config.latent, n, seed)
  }

  private instanceNoise(x: tf.Tensor, progress: number, seed: number): tf.Tensor {
    const std = this.config.tricks.instanceNoise * Math.max(0, 1 - progress)
    return std > 0 ? tf.add(x, tf.randomNormal(x.shape, 0, std, 'float32', seed)) : x
  }

  /**
   * One iteration. `progress` in [0, 1] drives decaying tricks. Returns scalar tensors the caller
   * reads (and disposes) only on logging steps.
   */
  trainStep(step: number, progress: number): StepMetrics {
    const { batchSize, dSteps, seed } = this.config.training
    const realTarget = 1 - this.config.tricks.labelSmoothing
    const dVars = this.discriminator.trainableWeights.map((w) => w.read() as tf.Variable)
    const gVars = this.generator.trainableWeights.map((w) => w.read() as tf.Variable)
    return tf.tidy(() => {
      let dLoss!: tf.Scalar
      let dReal: tf.Scalar | undefined
      let dFake: tf.Scalar | undefined
      let dGradNorm!: tf.Scalar
      for (let k = 0; k < dSteps; k++) {
        const real = this.data.batch(step, k, batchSize)
        const z = this.latent(batchSize, mixSeed(seed, step, k, 11))
        const { value, grads } = this.dOptimizer.computeGradients(() => {
          const fake = this.generator.apply(z, { training: true }) as tf.Tensor
          const realLogits = this.discriminator.apply(this.instanceNoise(real, progress, mixSeed(seed, step, k, 12)), { training: true }) as tf.Tensor
          const fakeLogits = this.discriminator.apply(this.instanceNoise(fake, progress, mixSeed(seed, step, k, 13)), { training: true }) as tf.Tensor
          dReal?.dispose()
          dFake?.dispose()
          dReal = tf.keep(tf.mean(tf.sigmoid(realLogits)) as tf.Scalar)
          dFake = tf.keep(tf.mean(tf.sigmoid(fakeLogits)) as tf.Scalar)
          // L_D = −½ E log D(x) − ½ E log(1 − D(G(z)))  (the lecture's discriminator loss)
          const lossReal = tf.losses.sigmoidCrossEntropy(tf.fill(realLogits.shape, realTarget), realLogits)
          const lossFake = tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits)
          return tf.mul(0.5, tf.add(lossReal, lossFake)) as tf.Scalar
        }, dVars)
        dGradNorm = globalNorm(grads)
        this.dOptimizer.applyGradients(grads)
        dLoss = value
      }
      const z = this.latent(batchSize, mixSeed(seed, step, 99))
      const { value: gLoss, grads: gGrads } = this.gOptimizer.computeGradients(() => {
        const fakeLogits = this.discriminator.apply(this.generator.apply(z, { training: true }), { training: true }) as tf.Tensor
        if (this.config.loss.generator === 'non-saturating') {
          // maximise log D(G(z))  ⇔  minimise −log D(G(z))
          return tf.losses.sigmoidCrossEntropy(tf.onesLike(fakeLogits), fakeLogits) as tf.Scalar
        }
        // minimax: minimise log(1 − D(G(z))) = −BCE(0, logits)
        return tf.neg(tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits)) as tf.Scalar
      }, gVars)
      const gGradNorm = globalNorm(gGrads)
      this.gOptimizer.applyGradients(gGrads)
      return { dLoss, gLoss, dReal: dReal!, dFake: dFake!, dGradNorm, gGradNorm }
    })
  }

  /** Generated samples for a fixed seed, as plain numbers. */
  generate(n: number, seed: number): Float32Array {
    return tf.tidy(() => (this.generator.apply(this.latent(n, seed), { training: false }) as tf.Tensor).dataSync() as Float32Array)
  }

  dispose(): void {
    this.generator.dispose()
    this.discriminator.dispose()
    this.gOptimizer.dispose()
    this.dOptimizer.dispose()
  }
}

export async function readMetrics(m: StepMetrics): Promise<MetricValues> {
  const keys = Object.keys(m) as (keyof StepMetrics)[]
  const values = await Promise.all(keys.map((k) => m[k].data()))
  for (const k of keys) m[k].dispose()
  return Object.fromEntries(keys.map((k, i) => [k, values[i]![0]!])) as MetricValues
}

export function disposeMetrics(m: StepMetrics): void {
  for (const t of Object.values(m)) t.dispose()
}
