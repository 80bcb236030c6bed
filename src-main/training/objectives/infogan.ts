/**
 * InfoGAN (Chen et al. 2016): G takes latent codes beside z; Q (D's second head) learns to recover
 * them from generated samples, and G wants them recovered: both minimise Q's loss, the negative
 * mutual-information bound up to a constant. Real data carries no codes.
 *
 * `warmup` (infogan.warmup): over that share of the run Q's loss ramps linearly from 0 to its full
 * weight, so G first learns the data as a plain GAN and the codes then divide what it draws; with
 * 50 codes from the first step, some codes settle between modes that other codes hold.
 */
import * as tf from '@tensorflow/tfjs'
import type { Conditioner } from '../conditions'
import type { GanObjective } from './objective'

export function infoganObjective(conditioner: Conditioner, warmup = 0): GanObjective {
  let weight = warmup > 0 ? 0 : 1
  // Without a warm-up the loss is used as it is (bit for bit what it was before the option).
  const weighted = (loss: tf.Scalar) => (weight === 1 ? loss : (tf.mul(weight, loss) as tf.Scalar))
  return {
    conditioner,
    translation: false,
    twoHeads: true,
    realCondition: () => undefined,
    fakeCondition: (_real, n, seed) => conditioner.random(n, seed),
    referenceCondition: (n, seed) => conditioner.random(n, seed),
    atProgress: (progress) => {
      weight = warmup > 0 ? Math.min(1, progress / warmup) : 1
    },
    discriminatorTerms: (_real, fake, _realCodes, codes, report, observe) => {
      const info = weighted(conditioner.auxLoss(fake.head!, codes!))
      observe('info', info)
      return { loss: info, metrics: report ? { infoLoss: info, codeAcc: conditioner.accuracy(fake.head!, codes!) } : {} }
    },
    generatorTerms: (_fake, out, codes, _target, observe) => {
      const aux = weighted(conditioner.auxLoss(out.head!, codes!))
      observe('aux', aux)
      return { loss: aux, metrics: { infoLoss: aux } }
    },
  }
}
