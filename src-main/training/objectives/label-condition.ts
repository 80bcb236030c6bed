/** What the label-conditioned families (cGAN, AC-GAN) share: real batches come with their labels, generated ones draw a class. */
import type { DataSource } from '../../datasets/data-source'
import type { Conditioner } from '../conditions'
import type { GanObjective } from './objective'

export function labelCondition(
  family: string,
  conditioner: Conditioner,
  data: DataSource,
): Pick<GanObjective, 'conditioner' | 'translation' | 'realCondition' | 'fakeCondition' | 'referenceCondition'> {
  const labels = data.labels
  if (!labels) throw new Error(`${family} needs a labelled dataset`)
  return {
    conditioner,
    translation: false,
    realCondition: (step, slot, n) => labels(step, slot, n),
    fakeCondition: (_real, n, seed) => conditioner.random(n, seed),
    referenceCondition: (n, seed) => conditioner.random(n, seed),
  }
}
