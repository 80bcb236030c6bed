/** WGAN (Arjovsky et al. 2017): keep the critic Lipschitz by clipping its weights to ±clip after every update. */
import * as tf from '@tensorflow/tfjs'
import type { CriticConstraint } from './objective'

export function weightClipping(clip: number): CriticConstraint {
  if (clip <= 0) return {}
  return {
    afterUpdate: (dVars) => {
      for (const v of dVars) v.assign(tf.clipByValue(v, -clip, clip))
    },
  }
}
