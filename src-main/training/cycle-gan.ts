/**
 * CycleGAN (Zhu et al. 2017): two translators, G: A → B and F: B → A, each judged by a critic of
 * its output domain (D_B, D_A), trained on unpaired batches. G and F also undo each other: the
 * cycle loss λ(‖F(G(a)) − a‖₁ + ‖G(F(b)) − b‖₁) keeps translations tied to their source, and the
 * identity loss (a fraction of λ) keeps each translator from changing images already in its
 * output domain. One iteration: k steps of both critics on the current translations, then one
 * step of both translators. Every step runs in tf.tidy; only scalars leave it (tensor count flat).
 *
 * Checkpoint groups: `generator` is G (A → B, the translator that is exported and sampled),
 * `discriminator` D_B; `generatorBA` and `discriminatorA` the other pair.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { DataSource } from '../datasets/data-source'
import type { GanModel } from './gan-model'
import { buildModel } from './models'
import { adversarialLoss, withInstanceNoise, type AdversarialLoss } from './losses'
import { scheduleLearningRates } from './lr-schedule'
import { globalNorm, makeOptimizer, optimizerState, restoreOptimizer } from './optimizers'
import type { StepMetrics } from './step-metrics'
import { restoreWeights, type TensorGroups } from './checkpoint'
import { mixSeed } from '../../src-shared/util/seeds'
import { registerExtraGradients } from './extra-gradients'
import { readFlat } from '../util/read-flat'

/** Pairs behind the per-epoch `pairL1` of a built-in task (true pairs, never trained on). */
export const PAIR_EVAL_SAMPLES = 256

const meanAbs = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar

export class CycleGan implements GanModel {
  /** G: A → B. */
  readonly generator: tf.LayersModel
  /** F: B → A. */
  readonly generatorBA: tf.LayersModel
  /** D_B judges B images (real, or G's translations). */
  readonly discriminator: tf.LayersModel
  /** D_A judges A images (real, or F's translations). */
  readonly discriminatorA: tf.LayersModel
  /** One optimizer over both translators, one over both critics (as the paper's implementation). */
  readonly gOptimizer: tf.Optimizer
  readonly dOptimizer: tf.Optimizer
  private readonly loss: AdversarialLoss

  constructor(
    readonly config: ExperimentConfig,
    private readonly data: DataSource,
  ) {
    const seed = config.training.seed
    // Distinct prefixes: variable names must not collide inside one optimizer.
    this.generator = buildModel(config.generator, { prefix: 'g', seed: mixSeed(seed, 1) })
    this.discriminator = buildModel(config.discriminator, {
      prefix: 'd',
      seed: mixSeed(seed, 2),
      finalSigmoidAsLogits: config.gan === 'vanilla',
    })
    this.generatorBA = buildModel(config.generator, { prefix: 'gba', seed: mixSeed(seed, 3) })
    this.discriminatorA = buildModel(config.discriminator, {
      prefix: 'da',
      seed: mixSeed(seed, 4),
      finalSigmoidAsLogits: config.gan === 'vanilla',
    })
    this.loss = adversarialLoss(config)
    registerExtraGradients()
    this.gOptimizer = makeOptimizer(config.optimizers.generator)
    this.dOptimizer = makeOptimizer(config.optimizers.discriminator)
  }

  private get weights() {
    return { cycle: this.config.cyclegan?.cycleWeight ?? 10, identity: this.config.cyclegan?.identityWeight ?? 0.5 }
  }

  private static run(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
    return model.apply(x, { training }) as tf.Tensor
  }

  trainStep(step: number, progress: number): StepMetrics {
    const { batchSize, dSteps, seed } = this.config.training
    const vars = (...models: tf.LayersModel[]) => models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable))
    const dVars = vars(this.discriminator, this.discriminatorA)
    const gVars = vars(this.generator, this.generatorBA)
    const clip = this.config.gan === 'wgan' ? this.config.loss.clip : 0
    const run = CycleGan.run
    scheduleLearningRates(this.config.training, step, [
      [this.gOptimizer, this.config.optimizers.generator],
      [this.dOptimizer, this.config.optimizers.discriminator],
    ])
    return tf.tidy((): tf.TensorContainer => {
      let dLoss!: tf.Scalar
      let dGradNorm!: tf.Scalar
      let dReal!: tf.Scalar
      let dFake!: tf.Scalar
      for (let k = 0; k < dSteps; k++) {
        const a = this.data.conditions!(step, k, batchSize)
        const b = this.data.batch(step, k, batchSize)
        // Translations carry no gradient into G or F here: only the critics' variables are differentiated.
        const fakeB = run(this.generator, a, true)
        const fakeA = run(this.generatorBA, b, true)
        const noisy = (x: tf.Tensor, n: number) => withInstanceNoise(x, this.config, progress, mixSeed(seed, step, k, n))
        const { value, grads } = this.dOptimizer.computeGradients(() => {
          const realB = run(this.discriminator, noisy(b, 1), true)
          const outFakeB = run(this.discriminator, noisy(fakeB, 2), true)
          const realA = run(this.discriminatorA, noisy(a, 3), true)
          const outFakeA = run(this.discriminatorA, noisy(fakeA, 4), true)
          const lossB = this.loss.discriminator(realB, outFakeB, mixSeed(seed, step, k, 5))
          const lossA = this.loss.discriminator(realA, outFakeA, mixSeed(seed, step, k, 6))
          if (k === dSteps - 1) {
            // Both critics' mean outputs, averaged: D(x) on real images, D(G(·)) on translations.
            dReal = tf.keep(tf.mul(0.5, tf.add(this.loss.summary(realB), this.loss.summary(realA))) as tf.Scalar)
            dFake = tf.keep(tf.mul(0.5, tf.add(this.loss.summary(outFakeB), this.loss.summary(outFakeA))) as tf.Scalar)
          }
          return tf.mul(0.5, tf.add(lossA, lossB)) as tf.Scalar
        }, dVars)
        dGradNorm = globalNorm(grads)
        this.dOptimizer.applyGradients(grads)
        if (clip > 0) for (const v of dVars) v.assign(tf.clipByValue(v, -clip, clip))
        dLoss = value
      }
      const a = this.data.conditions!(step, dSteps, batchSize)
      const b = this.data.batch(step, dSteps, batchSize)
      const { cycle: lambda, identity: idWeight } = this.weights
      let cycle!: tf.Scalar
      let identity: tf.Scalar | undefined
      const { value: gLoss, grads } = this.gOptimizer.computeGradients(() => {
        const fakeB = run(this.generator, a, true)
        const fakeA = run(this.generatorBA, b, true)
        const adversarial = tf.add(
          this.loss.generator(run(this.discriminator, fakeB, true)),
          this.loss.generator(run(this.discriminatorA, fakeA, true)),
        )
        cycle = tf.keep(tf.add(meanAbs(run(this.generatorBA, fakeB, true), a), meanAbs(run(this.generator, fakeA, true), b)) as tf.Scalar)
        let loss = tf.add(adversarial, tf.mul(lambda, cycle))
        if (idWeight > 0) {
          identity = tf.keep(tf.add(meanAbs(run(this.generator, b, true), b), meanAbs(run(this.generatorBA, a, true), a)) as tf.Scalar)
          loss = tf.add(loss, tf.mul(lambda * idWeight, identity))
        }
        return loss as tf.Scalar
      }, gVars)
      const gGradNorm = globalNorm(grads)
      this.gOptimizer.applyGradients(grads)
      return { dLoss, gLoss, dReal, dFake, dGradNorm, gGradNorm, cycle, ...(identity ? { identity } : {}) } as unknown as tf.TensorContainer
    }) as unknown as StepMetrics
  }

  /** G's translations of n domain-A images drawn with `seed`. */
  generate(n: number, seed: number): Promise<Float32Array> {
    const { conditions } = this.data.pairSample!(n, seed)
    return readFlat(tf.tidy(() => CycleGan.run(this.generator, this.data.conditionTensor!(conditions, n), false)))
  }

  /**
   * Six rows: A images, G(A), F(G(A)) (the reconstruction), then B images, F(B), G(F(B)). What
   * the cycle loss sees, one column per image.
   */
  previewRows(columns: number, seed: number): { rows: number; draw: () => Promise<Float32Array> } {
    return {
      rows: 6,
      draw: () => {
        const { conditions, targets } = this.data.pairSample!(columns, seed)
        return readFlat(
          tf.tidy(() => {
            const a = this.data.conditionTensor!(conditions, columns)
            const b = this.data.conditionTensor!(targets, columns)
            const ab = CycleGan.run(this.generator, a, false)
            const ba = CycleGan.run(this.generatorBA, b, false)
            const rows = [a, ab, CycleGan.run(this.generatorBA, ab, false), b, ba, CycleGan.run(this.generator, ba, false)]
            return tf.concat(rows)
          }),
        )
      },
    }
  }

  /**
   * On a built-in task the data knows each A image's true B partner (never used in training):
   * `pairL1` is G's mean absolute error against it, on a fixed sample.
   */
  async epochMetrics(): Promise<Record<string, number>> {
    if (!this.data.knowsPairs) return {}
    const n = PAIR_EVAL_SAMPLES
    const { conditions, targets } = this.data.pairSample!(n, mixSeed(this.config.training.seed, 5151))
    const pairL1 = await readFlat(
      tf.tidy(() => {
        const out = CycleGan.run(this.generator, this.data.conditionTensor!(conditions, n), false)
        return meanAbs(out, this.data.conditionTensor!(targets, n))
      }),
    )
    return { pairL1: pairL1[0]! }
  }

  async checkpointGroups(): Promise<TensorGroups> {
    const weights = (m: tf.LayersModel, p: string) => m.getWeights().map((t, i) => ({ name: `${p}${i}`, tensor: t }))
    return {
      generator: weights(this.generator, 'g'),
      discriminator: weights(this.discriminator, 'd'),
      generatorBA: weights(this.generatorBA, 'gba'),
      discriminatorA: weights(this.discriminatorA, 'da'),
      gOptimizer: await optimizerState(this.gOptimizer),
      dOptimizer: await optimizerState(this.dOptimizer),
    }
  }

  async restoreCheckpoint(groups: TensorGroups): Promise<void> {
    restoreWeights(this.generator, groups.generator, 'generator (A → B)')
    restoreWeights(this.discriminator, groups.discriminator, 'discriminator of B')
    restoreWeights(this.generatorBA, groups.generatorBA, 'generator (B → A)')
    restoreWeights(this.discriminatorA, groups.discriminatorA, 'discriminator of A')
    await restoreOptimizer(this.gOptimizer, groups.gOptimizer)
    await restoreOptimizer(this.dOptimizer, groups.dOptimizer)
  }

  dispose(): void {
    for (const m of [this.generator, this.generatorBA, this.discriminator, this.discriminatorA]) m.dispose()
    this.gOptimizer.dispose()
    this.dOptimizer.dispose()
  }
}
