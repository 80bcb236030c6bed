/**
 * InfoGAN (Chen et al. 2016): G takes latent codes beside z; Q (D's second head) learns to recover
 * them from generated samples, and G wants them recovered: both minimise Q's loss, the negative
 * mutual-information bound up to a constant. Real data carries no codes.
 */
import type { Conditioner } from '../conditions'
import type { GanObjective } from './objective'

export function infoganObjective(conditioner: Conditioner): GanObjective {
  return {
    conditioner,
    translation: false,
    twoHeads: true,
    realCondition: () => undefined,
    fakeCondition: (_real, n, seed) => conditioner.random(n, seed),
    referenceCondition: (n, seed) => conditioner.random(n, seed),
    discriminatorTerms: (_real, fake, _realCodes, codes, report, observe) => {
      const info = conditioner.auxLoss(fake.head!, codes!)
      observe('info', info)
      return { loss: info, metrics: report ? { infoLoss: info, codeAcc: conditioner.accuracy(fake.head!, codes!) } : {} }
    },
    generatorTerms: (_fake, out, codes, _target, observe) => {
      const aux = conditioner.auxLoss(out.head!, codes!)
      observe('aux', aux)
      return { loss: aux, metrics: { infoLoss: aux } }
    },
  }
}
