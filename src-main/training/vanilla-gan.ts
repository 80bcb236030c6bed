/**
 * The unconditional GAN loop: Algorithm 1 of Goodfellow et al. (2014), k discriminator (critic)
 * steps then one generator step, with the objective of the configured family (losses.ts): vanilla
 * (minimax or non-saturating), LSGAN, WGAN with weight clipping, WGAN-GP. Every step runs inside
 * tf.tidy and only scalars leave it, so the tensor count stays flat (tested).
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig, OptimizerConfig } from '../../src-shared/config/experiment'
import { buildModel } from './models'
import { adversarialLoss, type AdversarialLoss } from './losses'
import { registerExtraGradients } from './extra-gradients'
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
  switch (o.type) {
    case 'adam':
      return tf.train.adam(o.learningRate, o.beta1, o.beta2)
    case 'sgd':
      return tf.train.momentum(o.learningRate, o.momentum)
    case 'rmsprop':
      return tf.train.rmsprop(o.learningRate, o.decay)
  }
}

function globalNorm(grads: tf.NamedTensorMap): tf.Scalar {
  return tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar
}

export class VanillaGan {
  readonly generator: tf.Sequential
  readonly discriminator: tf.Sequential
  readonly gOptimizer: tf.Optimizer
  readonly dOptimizer: tf.Optimizer
  private readonly loss: AdversarialLoss

  constructor(
    readonly config: ExperimentConfig,
    private readonly data: DataSource,
  ) {
    const seed = config.training.seed
    this.generator = buildModel(config.generator, { prefix: 'g', seed: mixSeed(seed, 1) })
    // The vanilla loss works on logits: D's final sigmoid is folded into the (stable) loss.
    this.discriminator = buildModel(config.discriminator, { prefix: 'd', seed: mixSeed(seed, 2), finalSigmoidAsLogits: config.gan === 'vanilla' })
    this.loss = adversarialLoss(config)
    if (config.gan === 'wgan-gp') registerExtraGradients()
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

  private d(x: tf.Tensor): tf.Tensor {
    return this.discriminator.apply(x, { training: true }) as tf.Tensor
  }

  /** WGAN-GP: λ·E[(‖∇x̂ D(x̂)‖ − 1)²] at random interpolates x̂ of real and generated samples. */
  private gradientPenalty(real: tf.Tensor, fake: tf.Tensor, seed: number): tf.Scalar {
    const eps = tf.randomUniform([real.shape[0]!, ...real.shape.slice(1).map(() => 1)], 0, 1, 'float32', seed)
    const mixed = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake))
    const grad = tf.grad((x: tf.Tensor) => tf.sum(this.d(x)))(mixed)
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(grad), grad.shape.slice(1).map((_, i) => i + 1)), 1e-12))
    return tf.mul(this.config.loss.gradientPenalty, tf.mean(tf.square(tf.sub(norms, 1)))) as tf.Scalar
  }

  /**
   * One iteration (Algorithm 1 of Goodfellow et al.: k D steps, then one G step). `progress` in
   * [0, 1] drives decaying tricks. Returns scalar tensors the caller reads (and disposes) only on
   * logging steps.
   */
  trainStep(step: number, progress: number): StepMetrics {
    const { batchSize, dSteps, seed } = this.config.training
    const dVars = this.discriminator.trainableWeights.map((w) => w.read() as tf.Variable)
    const gVars = this.generator.trainableWeights.map((w) => w.read() as tf.Variable)
    const clip = this.config.gan === 'wgan' ? this.config.loss.clip : 0
    return tf.tidy(() => {
      let dLoss!: tf.Scalar
      let dReal: tf.Scalar | undefined
      let dFake: tf.Scalar | undefined
      let dGradNorm!: tf.Scalar
      for (let k = 0; k < dSteps; k++) {
        const real = this.data.batch(step, k, batchSize)
        const z = this.latent(batchSize, mixSeed(seed, step, k, 11))
        const { value, grads } = this.dOptimizer.computeGradients(() => {
          // G is not updated here (only D's variables are in the list); no gradient flows into it.
          const fake = this.generator.apply(z, { training: true }) as tf.Tensor
          const realOut = this.d(this.instanceNoise(real, progress, mixSeed(seed, step, k, 12)))
          const fakeOut = this.d(this.instanceNoise(fake, progress, mixSeed(seed, step, k, 13)))
          dReal?.dispose()
          dFake?.dispose()
          dReal = tf.keep(this.loss.summary(realOut))
          dFake = tf.keep(this.loss.summary(fakeOut))
          const loss = this.loss.discriminator(realOut, fakeOut, mixSeed(seed, step, k, 15))
          return this.config.gan === 'wgan-gp' ? tf.add(loss, this.gradientPenalty(real, fake, mixSeed(seed, step, k, 14))) as tf.Scalar : loss
        }, dVars)
        dGradNorm = globalNorm(grads)
        this.dOptimizer.applyGradients(grads)
        // WGAN: keep the critic Lipschitz by clipping its weights after every update.
        if (clip > 0) for (const v of dVars) v.assign(tf.clipByValue(v, -clip, clip))
        dLoss = value
      }
      const z = this.latent(batchSize, mixSeed(seed, step, 99))
      const { value: gLoss, grads: gGrads } = this.gOptimizer.computeGradients(
        () => this.loss.generator(this.d(this.generator.apply(z, { training: true }) as tf.Tensor)),
        gVars,
      )
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
