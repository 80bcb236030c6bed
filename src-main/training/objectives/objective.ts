/**
 * One GAN family's objective behind one interface: what G is given besides z, what D's second
 * head learns, and the terms each family adds to D's and G's losses. The shared loop (VanillaGan:
 * optimizers, k D steps, unrolling, weight averaging, tidy/dispose) asks the objective and never
 * the family's name; a new family is a new file here and one line in registry.ts.
 *
 * The adversarial term itself (vanilla, LSGAN, WGAN, WGAN-GP on D's score) is the config's `gan`
 * axis (losses.ts), and what keeps a critic in check (clipping, a gradient penalty) is its
 * CriticConstraint (critic-constraint.ts): every family composes with every objective.
 */
import type * as tf from '@tensorflow/tfjs'
import type { Conditioner } from '../conditions'

/** D's outputs on a batch. */
export interface DOutput {
  score: tf.Tensor
  /** AC-GAN class logits or InfoGAN's Q estimates (softmax folded into the loss). */
  head?: tf.Tensor
  /** Feature matching: the features under D's real/fake layer. */
  features?: tf.Tensor
}

/** The metrics a family reports besides the losses (named as in StepMetrics). */
export interface FamilyMetrics {
  classAccReal?: tf.Scalar
  classAccFake?: tf.Scalar
  infoLoss?: tf.Scalar
  codeAcc?: tf.Scalar
  l1?: tf.Scalar
}

/** Records a loss term under a name (the step trace's observer; `d0.` or `g.` is added by the loop). */
export type Observe = (what: string, tensor: tf.Tensor) => void

/** A family's extra loss term (undefined: none) and the metrics it reports. */
export interface Terms {
  loss?: tf.Scalar
  metrics: FamilyMetrics
}

export interface GanObjective {
  /** Labels or codes G is given and D's second head recovers (undefined: unconditional, pix2pix). */
  readonly conditioner: Conditioner | undefined
  /** G translates a condition image and takes no z (pix2pix). */
  readonly translation: boolean
  /** D has a second output after its score: AC-GAN's class logits, InfoGAN's Q. */
  readonly twoHeads: boolean
  /** The condition of a real batch (slot `slot` of step `step`): its labels or condition images. */
  realCondition(step: number, slot: number, n: number): tf.Tensor | undefined
  /** The condition G's n samples are drawn with, given the real batch's (pix2pix translates those). */
  fakeCondition(realCondition: tf.Tensor | undefined, n: number, seed: number): tf.Tensor | undefined
  /** The condition of virtual batch norm's fixed reference batch. */
  referenceCondition(n: number, seed: number): tf.Tensor | undefined
  /**
   * D's terms beside the adversarial one, from D's outputs on the real and generated batches and
   * their conditions; metrics only when `report`.
   */
  discriminatorTerms(
    real: DOutput,
    fake: DOutput,
    realCondition: tf.Tensor | undefined,
    fakeCondition: tf.Tensor | undefined,
    report: boolean,
    observe: Observe,
  ): Terms
  /**
   * G's terms beside the adversarial one, from G's samples, D's outputs on them, their condition
   * and the real batch they should match (pix2pix's targets). Metrics are reported on every step.
   */
  generatorTerms(fake: tf.Tensor, out: DOutput, condition: tf.Tensor | undefined, target: tf.Tensor | undefined, observe: Observe): Terms
  /** Told the run's progress (0 → 1) before each iteration: for terms whose weight changes over the run. */
  atProgress?(progress: number): void
}

/** What keeps a critic in check beside its loss (critic-constraint.ts picks it by config.gan). */
export interface CriticConstraint {
  /**
   * A term added to D's loss, from the critic's score function (the real batch's condition bound),
   * the real and generated batches and a seed for its random draws.
   */
  penalty?(critic: (x: tf.Tensor) => tf.Tensor, real: tf.Tensor, fake: tf.Tensor, seed: number): tf.Scalar
  /** Applied to D's variables after each update. */
  afterUpdate?(dVars: tf.Variable[]): void
}
