/**
 * The optimizers a config names, their checkpointed state, and the gradient norm every family
 * reports: shared by the GAN families (vanilla-gan.ts, cycle-gan.ts).
 */
import * as tf from '@tensorflow/tfjs'
import type { OptimizerConfig } from '../../src-shared/config/experiment'
import { FusedAdamOptimizer } from './fused-adam'
import { GLOBAL_NORM } from './wasm-native-kernels'

export async function optimizerState(opt: tf.Optimizer): Promise<{ name: string; tensor: tf.Tensor }[]> {
  return (await opt.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor }))
}

/** setWeights recreates an optimizer's slot variables (Adam's moments) from saved values. */
export async function restoreOptimizer(opt: tf.Optimizer, saved: { name: string; tensor: tf.Tensor }[] | undefined): Promise<void> {
  await opt.setWeights((saved ?? []).map((w) => ({ name: w.name, tensor: w.tensor })))
}

export function makeOptimizer(o: OptimizerConfig): tf.Optimizer {
  switch (o.type) {
    case 'adam':
      return new FusedAdamOptimizer(o.learningRate, o.beta1, o.beta2)
    case 'sgd':
      return tf.train.momentum(o.learningRate, o.momentum)
    case 'rmsprop':
      return tf.train.rmsprop(o.learningRate, o.decay)
  }
}

/** √(Σ g²) over every gradient: one native kernel where the backend has it (float32 gradients). */
export function globalNorm(grads: tf.NamedTensorMap): tf.Scalar {
  const all = Object.values(grads)
  if (tf.getKernel(GLOBAL_NORM, tf.getBackend()) && all.length < 255 && all.every((g) => g.dtype === 'float32')) {
    return tf.engine().runKernel(GLOBAL_NORM, Object.fromEntries(all.map((g, i) => [`g${i}`, g]))) as tf.Scalar
  }
  return tf.sqrt(tf.addN(all.map((g) => tf.sum(tf.square(g))))) as tf.Scalar
}
