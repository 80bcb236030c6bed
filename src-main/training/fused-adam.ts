/**
 * Adam with each variable's update as one kernel where the backend has one (the native kernels on
 * wasm), and tfjs' own AdamOptimizer everywhere else. tfjs runs an Adam update as 13 kernels per
 * variable; on the MLP GAN (24 variables) that dispatch was most of a step. Same formula, same
 * float32 order, same slot variables (`name/m`, `name/v`), so checkpoints, getWeights/setWeights
 * and resuming are tfjs' own.
 */
import * as tf from '@tensorflow/tfjs'
import { FUSED_ADAM } from './wasm-native-kernels'

interface Slot {
  originalName: string
  variable: tf.Variable
}

/** The AdamOptimizer fields this subclass reads (protected or untyped in tfjs' declarations). */
interface AdamInternals {
  learningRate: number
  beta1: number
  beta2: number
  epsilon: number
  accBeta1: tf.Variable
  accBeta2: tf.Variable
  accumulatedFirstMoment: Slot[]
  accumulatedSecondMoment: Slot[]
  incrementIterations(): void
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0]

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (!tf.getKernel(FUSED_ADAM, tf.getBackend())) {
      super.applyGradients(variableGradients)
      return
    }
    const self = this as unknown as AdamInternals
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients)
    // 1 − βᵗ as tfjs computes it: a float32 subtraction.
    const oneMinusAccBeta1 = Math.fround(1 - self.accBeta1.dataSync()[0]!)
    const oneMinusAccBeta2 = Math.fround(1 - self.accBeta2.dataSync()[0]!)
    const attrs = { beta1: self.beta1, beta2: self.beta2, oneMinusAccBeta1, oneMinusAccBeta2, learningRate: self.learningRate, epsilon: self.epsilon }
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name]!
      const slot = (moments: Slot[], suffix: string) =>
        (moments[i] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable
      const m = slot(self.accumulatedFirstMoment, 'm')
      const v = slot(self.accumulatedSecondMoment, 'v')
      const gradient = Array.isArray(variableGradients) ? variableGradients[i]!.tensor : variableGradients[name]
      if (gradient == null) return
      const [newValue, newM, newV] = tf.engine().runKernel(FUSED_ADAM, { value, gradient, m, v }, attrs as never) as unknown as tf.Tensor[]
      m.assign(newM!)
      v.assign(newV!)
      value.assign(newValue!)
      tf.dispose([newValue!, newM!, newV!])
    })
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1))
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2))
    })
    self.incrementIterations()
  }
}
