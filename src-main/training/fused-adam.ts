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

/** A float32 variable's own memory on the wasm backend, when no other tensor shares it; otherwise null. */
function scalarInPlace(v: tf.Variable): Float32Array | null {
  if (tf.getBackend() !== 'wasm' || v.dtype !== 'float32') return null
  const backend = tf.backend() as unknown as { refCount(id: object): number; typedArrayFromHeap(t: tf.TensorInfo): Float32Array }
  return backend.refCount(v.dataId) === 1 ? backend.typedArrayFromHeap(v) : null
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * The moment slots [m, v] of `variables`, created as applyGradients creates them (same
   * positions, names and zeros), for an update computed outside tfjs' kernels (native-mlp-step.ts).
   */
  slotsOf(variables: tf.Variable[]): Array<[tf.Variable, tf.Variable]> {
    const self = this as unknown as AdamInternals
    return variables.map((value, i) => {
      const slot = (moments: Slot[], suffix: string) =>
        (moments[i] ??= { originalName: `${value.name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable
      return [slot(self.accumulatedFirstMoment, 'm'), slot(self.accumulatedSecondMoment, 'v')]
    })
  }

  /**
   * What the next update of `variables` would start from, for a look-ahead that only reads it
   * (unrolled-lookahead.ts): their [m, v] slots, the betas, βᵗ of that update, the current rate, ε.
   */
  nextStepState(variables: tf.Variable[]): {
    slots: Array<[tf.Variable, tf.Variable]>
    beta1: number
    beta2: number
    accBeta1: number
    accBeta2: number
    learningRate: number
    epsilon: number
  } {
    const self = this as unknown as AdamInternals
    const [accBeta1, accBeta2] = [self.accBeta1, self.accBeta2].map((v) => (scalarInPlace(v) ?? v.dataSync())[0]!)
    return {
      slots: this.slotsOf(variables),
      beta1: self.beta1,
      beta2: self.beta2,
      accBeta1: accBeta1!,
      accBeta2: accBeta2!,
      learningRate: self.learningRate,
      epsilon: self.epsilon,
    }
  }

  /**
   * An update of `variables` computed elsewhere: their slots and the constants of this step (beta1,
   * beta2, 1 − beta1ᵗ, 1 − beta2ᵗ as tfjs computes them, the current learning rate, epsilon). Call
   * finishExternalStep() once the update is written.
   */
  beginExternalStep(variables: tf.Variable[]): { slots: Array<[tf.Variable, tf.Variable]>; hyper: Float64Array } {
    const { slots, beta1, beta2, accBeta1, accBeta2, learningRate, epsilon } = this.nextStepState(variables)
    const hyper = Float64Array.from([beta1, beta2, Math.fround(1 - accBeta1), Math.fround(1 - accBeta2), learningRate, epsilon])
    return { slots, hyper }
  }

  /**
   * What applyGradients does after the updates: βᵗ advances (βᵗ·β in float32, as tfjs' Mul gives
   * it), the iteration count too. Written in place on the wasm heap where nothing else shares the
   * scalar (four kernel calls and two tensors a step otherwise, a fifth of an MLP step's bookkeeping).
   */
  finishExternalStep(): void {
    const self = this as unknown as AdamInternals
    for (const [acc, beta] of [
      [self.accBeta1, self.beta1],
      [self.accBeta2, self.beta2],
    ] as const) {
      const cell = scalarInPlace(acc)
      if (cell) cell[0] = Math.fround(cell[0]! * Math.fround(beta))
      else tf.tidy(() => acc.assign(tf.mul(acc, beta)))
    }
    self.incrementIterations()
  }

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
    const attrs = {
      beta1: self.beta1,
      beta2: self.beta2,
      oneMinusAccBeta1,
      oneMinusAccBeta2,
      learningRate: self.learningRate,
      epsilon: self.epsilon,
    }
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
