/**
 * The unconditional GAN loop: Algorithm 1 of Goodfellow et al. (2014), k discriminator (critic)
 * steps then one generator step, with the objective of the configured family (losses.ts): vanilla
 * (minimax or non-saturating), LSGAN, WGAN with weight clipping, WGAN-GP. Every step runs inside
 * tf.tidy and only scalars leave it, so the tensor count stays flat (tested).
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig, OptimizerConfig } from '../../src-shared/config/experiment'
import { buildModel } from './models'
import { toGraph } from '../../src-shared/model/shape-inference'
import type { InputRole } from '../../src-shared/model/spec'
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
  /** AC-GAN: share of real / generated samples whose label D's class head gets right. */
  classAccReal?: tf.Scalar
  classAccFake?: tf.Scalar
}

export type MetricValues = { [K in keyof StepMetrics]: number }

interface DOutput {
  score: tf.Tensor
  /** AC-GAN: class logits (the softmax is folded into the loss). */
  classLogits?: tf.Tensor
}

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
  readonly generator: tf.LayersModel
  readonly discriminator: tf.LayersModel
  readonly gOptimizer: tf.Optimizer
  readonly dOptimizer: tf.Optimizer
  /** Conditional models: the number of classes G is asked for. */
  readonly classes: number | undefined
  private readonly loss: AdversarialLoss
  /** Input roles in the order each model takes its inputs. */
  private readonly gRoles: InputRole[]
  private readonly dRoles: InputRole[]

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
    this.gRoles = toGraph(config.generator, 'latent').inputs.map((i) => i.role)
    this.dRoles = toGraph(config.discriminator, 'image').inputs.map((i) => i.role)
    if (config.conditioning !== 'none' && !data.classes) throw new Error(`${config.conditioning} needs a labelled dataset`)
    this.classes = config.conditioning === 'none' ? undefined : data.classes
  }

  private feed(roles: InputRole[], byRole: Partial<Record<InputRole, tf.Tensor>>): tf.Tensor | tf.Tensor[] {
    const list = roles.map((r) => byRole[r]!)
    return list.length === 1 ? list[0]! : list
  }

  /** G(z) or G(z, label). */
  g(z: tf.Tensor, labels: tf.Tensor | undefined, training: boolean): tf.Tensor {
    return this.generator.apply(this.feed(this.gRoles, { latent: z, label: labels }), { training }) as tf.Tensor
  }

  /** Uniformly drawn class indices [n, 1] for generated samples (conditional models). */
  private randomLabels(n: number, seed: number): tf.Tensor2D | undefined {
    if (this.classes === undefined) return undefined
    return tf.minimum(tf.floor(tf.randomUniform([n, 1], 0, this.classes, 'float32', seed)), this.classes - 1) as tf.Tensor2D
  }

  private classLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
    const onehot = tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), this.classes!)
    return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar
  }

  private classAccuracy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
    return tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(tf.reshape(labels, [-1]), 'int32')), 'float32')) as tf.Scalar
  }

  latent(n: number, seed: number): tf.Tensor2D {
    return sampleLatent(this.config.latent, n, seed)
  }

  private instanceNoise(x: tf.Tensor, progress: number, seed: number): tf.Tensor {
    const std = this.config.tricks.instanceNoise * Math.max(0, 1 - progress)
    return std > 0 ? tf.add(x, tf.randomNormal(x.shape, 0, std, 'float32', seed)) : x
  }

  private d(x: tf.Tensor, labels?: tf.Tensor): DOutput {
    const out = this.discriminator.apply(this.feed(this.dRoles, { image: x, label: labels }), { training: true })
    return Array.isArray(out) ? { score: out[0] as tf.Tensor, classLogits: out[1] as tf.Tensor | undefined } : { score: out as tf.Tensor }
  }

  /** WGAN-GP: λ·E[(‖∇x̂ D(x̂)‖ − 1)²] at random interpolates x̂ of real and generated samples. */
  private gradientPenalty(real: tf.Tensor, fake: tf.Tensor, labels: tf.Tensor | undefined, seed: number): tf.Scalar {
    const eps = tf.randomUniform([real.shape[0]!, ...real.shape.slice(1).map(() => 1)], 0, 1, 'float32', seed)
    const mixed = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake))
    // A cGAN critic sees the real batch's labels with the interpolates (the penalty is on x only).
    const grad = tf.grad((x: tf.Tensor) => tf.sum(this.d(x, labels).score))(mixed)
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
      let accReal: tf.Scalar | undefined
      let accFake: tf.Scalar | undefined
      let dGradNorm!: tf.Scalar
      const keepSwap = (old: tf.Scalar | undefined, next: tf.Scalar) => {
        old?.dispose()
        return tf.keep(next)
      }
      for (let k = 0; k < dSteps; k++) {
        const real = this.data.batch(step, k, batchSize)
        const realLabels = this.classes === undefined ? undefined : this.data.labels!(step, k, batchSize)
        const fakeLabels = this.randomLabels(batchSize, mixSeed(seed, step, k, 16))
        const z = this.latent(batchSize, mixSeed(seed, step, k, 11))
        const { value, grads } = this.dOptimizer.computeGradients(() => {
          // G is not updated here (only D's variables are in the list); no gradient flows into it.
          const fake = this.g(z, fakeLabels, true)
          const realOut = this.d(this.instanceNoise(real, progress, mixSeed(seed, step, k, 12)), realLabels)
          const fakeOut = this.d(this.instanceNoise(fake, progress, mixSeed(seed, step, k, 13)), fakeLabels)
          dReal = keepSwap(dReal, this.loss.summary(realOut.score))
          dFake = keepSwap(dFake, this.loss.summary(fakeOut.score))
          let loss = this.loss.discriminator(realOut.score, fakeOut.score, mixSeed(seed, step, k, 15))
          if (this.config.gan === 'wgan-gp') loss = tf.add(loss, this.gradientPenalty(real, fake, realLabels, mixSeed(seed, step, k, 14)))
          if (realOut.classLogits && fakeOut.classLogits) {
            // AC-GAN: D also maximises the log-likelihood of the right class, on real and generated data.
            accReal = keepSwap(accReal, this.classAccuracy(realOut.classLogits, realLabels!))
            accFake = keepSwap(accFake, this.classAccuracy(fakeOut.classLogits, fakeLabels!))
            loss = tf.add(loss, tf.add(this.classLoss(realOut.classLogits, realLabels!), this.classLoss(fakeOut.classLogits, fakeLabels!)))
          }
          return loss as tf.Scalar
        }, dVars)
        dGradNorm = globalNorm(grads)
        this.dOptimizer.applyGradients(grads)
        // WGAN: keep the critic Lipschitz by clipping its weights after every update.
        if (clip > 0) for (const v of dVars) v.assign(tf.clipByValue(v, -clip, clip))
        dLoss = value
      }
      const z = this.latent(batchSize, mixSeed(seed, step, 99))
      const gLabels = this.randomLabels(batchSize, mixSeed(seed, step, 98))
      const { value: gLoss, grads: gGrads } = this.gOptimizer.computeGradients(() => {
        const out = this.d(this.g(z, gLabels, true), gLabels)
        const adversarial = this.loss.generator(out.score)
        // AC-GAN: G also wants its samples classified as the label it was given.
        return (out.classLogits ? tf.add(adversarial, this.classLoss(out.classLogits, gLabels!)) : adversarial) as tf.Scalar
      }, gVars)
      const gGradNorm = globalNorm(gGrads)
      this.gOptimizer.applyGradients(gGrads)
      const acgan = accReal && accFake ? { classAccReal: accReal, classAccFake: accFake } : {}
      return { dLoss, gLoss, dReal: dReal!, dFake: dFake!, dGradNorm, gGradNorm, ...acgan }
    })
  }

  /**
   * Generated samples for a fixed seed, as plain numbers. Conditional models draw sample i with
   * label `labels[i]` (default i mod classes).
   */
  generate(n: number, seed: number, labels?: ArrayLike<number>): Float32Array {
    return tf.tidy(() => this.g(this.latent(n, seed), this.labelTensor(n, labels), false).dataSync() as Float32Array)
  }

  /**
   * A class × z grid for conditional models: row r shows class r, column c the same z in every row,
   * so the grid shows what the label changes and what z changes.
   */
  generateClassGrid(columns: number, seed: number): Float32Array {
    const classes = this.classes ?? 1
    return tf.tidy(() => {
      const z = tf.tile(this.latent(columns, seed), [classes, 1])
      const labels = Array.from({ length: classes * columns }, (_, i) => Math.floor(i / columns))
      return this.g(z, this.labelTensor(classes * columns, labels), false).dataSync() as Float32Array
    })
  }

  private labelTensor(n: number, labels?: ArrayLike<number>): tf.Tensor2D | undefined {
    if (this.classes === undefined) return undefined
    const classes = this.classes
    return tf.tensor2d(Float32Array.from({ length: n }, (_, i) => (labels ? labels[i]! : i % classes)), [n, 1])
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
  const values = await Promise.all(keys.map((k) => m[k]!.data()))
  for (const k of keys) m[k]!.dispose()
  return Object.fromEntries(keys.map((k, i) => [k, values[i]![0]!])) as MetricValues
}

export function disposeMetrics(m: StepMetrics): void {
  for (const t of Object.values(m)) t?.dispose()
}
