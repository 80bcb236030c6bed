/**
 * pix2pix (Isola et al. 2017): G translates a condition image (no z), D judges (condition, image)
 * pairs, and G also stays close to the target in L1 (sharper than L2), weighted by pix2pix.l1Weight.
 */
import * as tf from '@tensorflow/tfjs'
import type { DataSource } from '../../datasets/data-source'
import type { GanObjective } from './objective'

export function pix2pixObjective(data: DataSource, l1Weight: number): GanObjective {
  const conditions = data.conditions
  if (!conditions) throw new Error('pix2pix needs a paired dataset')
  return {
    conditioner: undefined,
    translation: true,
    twoHeads: false,
    realCondition: (step, slot, n) => conditions(step, slot, n),
    // G translates the real batch's own condition images.
    fakeCondition: (real) => real,
    referenceCondition: (n) => conditions(0, 8080, n),
    discriminatorTerms: () => ({ metrics: {} }),
    generatorTerms: (fake, _out, _condition, target) => {
      const l1 = tf.mean(tf.abs(tf.sub(fake, target!))) as tf.Scalar
      return { loss: tf.mul(l1Weight, l1) as tf.Scalar, metrics: { l1 } }
    },
  }
}
