/**
 * cGAN (Mirza & Osindero 2014): the label is an input of G and of D, so D judges (image, label)
 * pairs. The losses are the adversarial ones alone; the label reaches D through its input.
 */
import type { DataSource } from '../../datasets/data-source'
import type { Conditioner } from '../conditions'
import { labelCondition } from './label-condition'
import type { GanObjective } from './objective'

export function cganObjective(conditioner: Conditioner, data: DataSource): GanObjective {
  return {
    ...labelCondition('cgan', conditioner, data),
    twoHeads: false,
    discriminatorTerms: () => ({ metrics: {} }),
    generatorTerms: () => ({ metrics: {} }),
  }
}
