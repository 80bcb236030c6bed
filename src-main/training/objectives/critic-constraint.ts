/**
 * What keeps a critic in check beside its loss, by objective (config.gan): WGAN clips the critic's
 * weights after every update (weight-clipping.ts), WGAN-GP adds a gradient penalty to its loss
 * (gradient-penalty.ts); vanilla and LSGAN need neither.
 */
import type { ExperimentConfig } from '../../../src-shared/config/experiment'
import { gradientPenalty } from './gradient-penalty'
import { weightClipping } from './weight-clipping'
import type { CriticConstraint } from './objective'

export function criticConstraintFor(config: ExperimentConfig): CriticConstraint {
  switch (config.gan) {
    case 'wgan':
      return weightClipping(config.loss.clip)
    case 'wgan-gp':
      return gradientPenalty(config.loss.gradientPenalty)
    case 'vanilla':
    case 'lsgan':
      return {}
  }
}
