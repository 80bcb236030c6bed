/**
 * What one training step returns: scalar tensors the caller reads (readMetrics) or drops
 * (disposeMetrics). Every family reports the same record, so it sits beside them, not in one.
 */
import type * as tf from '@tensorflow/tfjs'

export interface StepMetrics {
  dLoss: tf.Scalar
  gLoss: tf.Scalar
  /** Mean D(x) on the real batch and D(G(z)) on the generated one (probabilities). */
  dReal: tf.Scalar
  dFake: tf.Scalar
  dGradNorm: tf.Scalar
  gGradNorm: tf.Scalar
  /** AC-GAN: share of real / generated samples whose label D's class head gets right. */
  classAccReal?: tf.Scalar
  classAccFake?: tf.Scalar
  /** InfoGAN: Q's loss recovering the codes (the negative mutual-information bound, up to a constant). */
  infoLoss?: tf.Scalar
  /** InfoGAN: share of generated samples whose categorical code Q recovers. */
  codeAcc?: tf.Scalar
  /** pix2pix: mean absolute distance of G's translations to their targets (tanh range). */
  l1?: tf.Scalar
  /** CycleGAN: mean absolute error of both reconstructions, F(G(a)) vs a and G(F(b)) vs b. */
  cycle?: tf.Scalar
  /** CycleGAN: mean absolute change each translator makes to its own target domain's images. */
  identity?: tf.Scalar
}

export type MetricValues = { [K in keyof StepMetrics]: number }

/**
 * What a step returns when nobody reads its metrics: the losses only. Gradient norms, D's mean
 * outputs and accuracies would be extra kernel launches on every step, for nothing.
 */
export type QuietStepMetrics = Pick<StepMetrics, 'dLoss' | 'gLoss'>

export async function readMetrics(m: StepMetrics): Promise<MetricValues> {
  const keys = Object.keys(m) as (keyof StepMetrics)[]
  const values = await Promise.all(keys.map((k) => m[k]!.data()))
  for (const k of keys) m[k]!.dispose()
  return Object.fromEntries(keys.map((k, i) => [k, values[i]![0]!])) as MetricValues
}

export function disposeMetrics(m: StepMetrics | QuietStepMetrics): void {
  for (const t of Object.values(m)) t?.dispose()
}
