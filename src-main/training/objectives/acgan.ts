/**
 * AC-GAN (Odena et al. 2017): G takes the label; D never sees it but predicts it with a second,
 * softmax head. D maximises the log-likelihood of the right class on real and generated data;
 * G wants its samples classed as it was asked. `fakeClassWeight` scales D's class loss on generated
 * data: 1 in the paper; 0 in Keras' example, where D learns the classes from real images alone.
 */
import * as tf from '@tensorflow/tfjs'
import type { DataSource } from '../../datasets/data-source'
import type { Conditioner } from '../conditions'
import { labelCondition } from './label-condition'
import type { FamilyMetrics, GanObjective } from './objective'

export function acganObjective(conditioner: Conditioner, data: DataSource, fakeClassWeight = 1): GanObjective {
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
      const loss = fakeClassWeight === 1 ? tf.add(classReal, classFake) : tf.add(classReal, tf.mul(fakeClassWeight, classFake))
      return { loss: loss as tf.Scalar, metrics }
    },
    generatorTerms: (_fake, out, labels, _target, observe) => {
      const aux = conditioner.auxLoss(out.head!, labels!)
      observe('aux', aux)
      return { loss: aux, metrics: {} }
    },
  }
}
