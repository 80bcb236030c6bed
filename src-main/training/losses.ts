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
  discriminator(real: tf.Tensor, fake: tf.Tensor): tf.Scalar
  generator(fake: tf.Tensor): tf.Scalar
  /** What the dReal/dFake metrics report: mean probability (vanilla) or mean score. */
  summary(out: tf.Tensor): tf.Scalar
}

export function adversarialLoss(config: ExperimentConfig): AdversarialLoss {
  const mean = (t: tf.Tensor) => tf.mean(t) as tf.Scalar
  switch (config.gan) {
    case 'vanilla': {
      const realTarget = 1 - config.tricks.labelSmoothing
      const bce = (target: number, logits: tf.Tensor) => tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, target), logits) as tf.Scalar
      return {
        // L_D = −½ E log D(x) − ½ E log(1 − D(G(z)))  (the lecture's discriminator loss)
        discriminator: (real, fake) => tf.mul(0.5, tf.add(bce(realTarget, real), bce(0, fake))),
        // non-saturating: minimise −log D(G(z)); minimax: minimise log(1 − D(G(z))) = −BCE(0, ·)
        generator: (fake) => (config.loss.generator === 'non-saturating' ? bce(1, fake) : tf.neg(bce(0, fake))),
        summary: (out) => mean(tf.sigmoid(out)),
      }
    }
    case 'lsgan': {
      const realTarget = 1 - config.tricks.labelSmoothing
      const sq = (t: tf.Tensor, target: number) => mean(tf.square(tf.sub(t, target)))
      return {
        discriminator: (real, fake) => tf.mul(0.5, tf.add(sq(real, realTarget), sq(fake, 0))),
        generator: (fake) => tf.mul(0.5, sq(fake, 1)),
        summary: mean,
      }
    }
    case 'wgan':
    case 'wgan-gp':
      return {
        discriminator: (real, fake) => tf.sub(mean(fake), mean(real)),
        generator: (fake) => tf.neg(mean(fake)),
        summary: mean,
      }
  }
}
