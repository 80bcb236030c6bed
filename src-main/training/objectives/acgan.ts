/**
 * AC-GAN (Odena et al. 2017): G takes the label; D never sees it but predicts it with a second,
 * softmax head. D maximises the log-likelihood of the right class on real and generated data;
 * G wants its samples classed as it was asked.
 */
import * as tf from '@tensorflow/tfjs'
import type { DataSource } from '../../datasets/data-source'
import type { Conditioner } from '../conditions'
import { labelCondition } from './label-condition'
import type { FamilyMetrics, GanObjective } from './objective'

export function acganObjective(conditioner: Conditioner, data: DataSource): GanObjective {
  return {
    ...labelCondition('acgan', conditioner, data),
    twoHeads: true,
    discriminatorTerms: (real, fake, realLabels, fakeLabels, report, observe) => {
      const classReal = conditioner.auxLoss(real.head!, realLabels!)
      const classFake = conditioner.auxLoss(fake.head!, fakeLabels!)
      observe('classReal', classReal)
      observe('classFake', classFake)
      const metrics: FamilyMetrics = report
        ? { classAccReal: conditioner.accuracy(real.head!, realLabels!), classAccFake: conditioner.accuracy(fake.head!, fakeLabels!) }
        : {}
      return { loss: tf.add(classReal, classFake) as tf.Scalar, metrics }
    },
    generatorTerms: (_fake, out, labels, _target, observe) => {
      const aux = conditioner.auxLoss(out.head!, labels!)
      observe('aux', aux)
      return { loss: aux, metrics: {} }
    },
  }
}
