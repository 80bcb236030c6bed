/**
 * Where real samples come from during training. Each batch is drawn from an RNG seeded by
 * (run seed, step, slot), so a run resumed at step N sees exactly the batches it would have seen.
 * Types only: the sources implement it and create-data-source.ts picks one, so no source imports
 * the factory that imports it.
 */
import type * as tf from '@tensorflow/tfjs'
import type { Toy2dMixture } from '../../src-shared/datasets/toy2d'
import type { PointRange } from '../../src-shared/util/points'

export interface DataSource {
  kind: 'points' | 'image'
  /** One sample's shape, e.g. [2] or [28, 28, 1]. */
  shape: number[]
  /** How many distinct real samples exist (Infinity for generated distributions). */
  size: number
  /** A batch of real samples for iteration `step`; `slot` tells apart several batches per step. */
  batch(step: number, slot: number, size: number): tf.Tensor
  /** Labelled datasets: how many classes, and the labels of `batch(step, slot, size)` as [size, 1]. */
  classes?: number
  labels?(step: number, slot: number, size: number): tf.Tensor2D
  /** Paired datasets: the condition images of `batch(step, slot, size)`, in the same order. */
  conditions?(step: number, slot: number, size: number): tf.Tensor
  /** Paired datasets: n (condition, target) pairs as plain numbers, for previews and samples. */
  pairSample?(n: number, seed: number): { conditions: Float32Array; targets: Float32Array }
  conditionTensor?(values: Float32Array, n: number): tf.Tensor
  /**
   * Unpaired datasets built from a paired task: `pairSample` returns true pairs although training
   * never sees them (CycleGAN runs are scored against them).
   */
  knowsPairs?: boolean
  /** n real samples as plain numbers (flat), for plots and metrics. */
  sample(n: number, seed: number): Float32Array
  /** For 2D mixtures: the modes, so mode coverage can be measured. */
  mixture?: Toy2dMixture
  /**
   * Point data: each coordinate's [min, max] over the data (a CSV: its points; a mixture: its
   * centres ± 3σ), what generator.json's range and plots use.
   */
  range?: PointRange
}
