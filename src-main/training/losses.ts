/**
 * Adversarial objectives. Each maps D's raw outputs (logits for the vanilla GAN, scores for the
 * others) on real and generated batches to D's and G's losses.
 *  - vanilla (Goodfellow et al. 2014): binary cross-entropy; G minimax or non-saturating.
 *  - lsgan (Mao et al. 2017): least squares towards 1 (real) and 0 (fake).
 *  - wgan / wgan-gp (Arjovsky et al. 2017; Gulrajani et al. 2017): the critic maximises
 *    E[D(x)] − E[D(G(z))]; G maximises E[D(G(z))]. Clipping or the gradient penalty live in the loop.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig } from '../../src-shared/config/experiment'

export interface AdversarialLoss {
  /** `seed` draws the soft/noisy label tricks, so a step's targets are reproducible. */
  discriminator(real: tf.Tensor, fake: tf.Tensor, seed?: number): tf.Scalar
  generator(fake: tf.Tensor): tf.Scalar
  /** What the dReal/dFake metrics report: mean probability (vanilla) or mean score. */
  summary(out: tf.Tensor): tf.Scalar
  /** D's output per sample as people read it (the decision surface): a probability (vanilla) or the raw score. */
  output(out: tf.Tensor): tf.Tensor
  outputKind: 'probability' | 'score'
}

/**
 * D's targets for a batch: 1 − smoothing for real and 0 for fake, or with soft labels
 * U(0.7, 1) and U(0, 0.3); with label flipping, each target swaps side with probability p.
 */
function targets(config: ExperimentConfig, shape: number[], real: boolean, seed: number): tf.Tensor {
  const { labelSmoothing, softLabels, labelFlip } = config.tricks
  const hi = () => (softLabels ? tf.randomUniform(shape, 0.7, 1, 'float32', seed) : tf.fill(shape, 1 - labelSmoothing))
  const lo = () => (softLabels ? tf.randomUniform(shape, 0, 0.3, 'float32', seed + 1) : tf.zeros(shape))
  const [own, other] = real ? [hi(), lo()] : [lo(), hi()]
  if (labelFlip <= 0) return own
  const flip = tf.less(tf.randomUniform(shape, 0, 1, 'float32', seed + 2), labelFlip)
  return tf.where(flip, other, own)
}

/** Instance noise: Gaussian noise on D's inputs, its std decaying linearly to 0 over the run (`progress` 0 → 1). */
export function withInstanceNoise(x: tf.Tensor, config: ExperimentConfig, progress: number, seed: number): tf.Tensor {
  const std = config.tricks.instanceNoise * Math.max(0, 1 - progress)
  return std > 0 ? tf.add(x, tf.randomNormal(x.shape, 0, std, 'float32', seed)) : x
}

export function adversarialLoss(config: ExperimentConfig): AdversarialLoss {
  const mean = (t: tf.Tensor) => tf.mean(t) as tf.Scalar
  switch (config.gan) {
    case 'vanilla': {
      const bce = (target: number | tf.Tensor, logits: tf.Tensor) =>
        tf.losses.sigmoidCrossEntropy(typeof target === 'number' ? tf.fill(logits.shape, target) : target, logits) as tf.Scalar
      return {
        // L_D = −½ E log D(x) − ½ E log(1 − D(G(z)))  (the lecture's discriminator loss)
        discriminator: (real, fake, seed = 0) =>
          tf.mul(0.5, tf.add(bce(targets(config, real.shape, true, seed), real), bce(targets(config, fake.shape, false, seed + 10), fake))),
        // non-saturating: minimise −log D(G(z)); minimax: minimise log(1 − D(G(z))) = −BCE(0, ·)
        generator: (fake) => (config.loss.generator === 'non-saturating' ? bce(1, fake) : tf.neg(bce(0, fake))),
        summary: (out) => mean(tf.sigmoid(out)),
        output: (out) => tf.sigmoid(out),
        outputKind: 'probability',
      }
    }
    case 'lsgan': {
      const sq = (t: tf.Tensor, target: number | tf.Tensor) => mean(tf.square(tf.sub(t, target)))
      return {
        discriminator: (real, fake, seed = 0) =>
          tf.mul(0.5, tf.add(sq(real, targets(config, real.shape, true, seed)), sq(fake, targets(config, fake.shape, false, seed + 10)))),
        generator: (fake) => tf.mul(0.5, sq(fake, 1)),
        summary: mean,
        output: (out) => out,
        outputKind: 'score',
      }
    }
    case 'wgan':
    case 'wgan-gp':
      return {
        discriminator: (real, fake) => tf.sub(mean(fake), mean(real)),
        generator: (fake) => tf.neg(mean(fake)),
        summary: mean,
        output: (out) => out,
        outputKind: 'score',
      }
  }
}
