/** The unconditional GAN (Goodfellow et al. 2014; DCGAN, LSGAN, WGAN …): G(z) and D's score, nothing else. */
import type { GanObjective } from './objective'

export function unconditionalObjective(): GanObjective {
  return {
    conditioner: undefined,
    translation: false,
    twoHeads: false,
    realCondition: () => undefined,
    fakeCondition: () => undefined,
    referenceCondition: () => undefined,
    discriminatorTerms: () => ({ metrics: {} }),
    generatorTerms: () => ({ metrics: {} }),
  }
}
