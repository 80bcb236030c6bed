/**
 * Batches of 2D toy data. Each batch is drawn from an RNG seeded by (run seed, step, slot), so a
 * run resumed at step N sees exactly the batches it would have seen without the interruption.
 */
import * as tf from '@tensorflow/tfjs'
import { sampleToy2d, toy2dMixture, type Toy2dMixture } from '../../src-shared/datasets/toy2d'
import { createRng } from '../../src-shared/util/rng'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { mixSeed } from '../training/seeds'

export interface DataSource {
  /** A batch of real samples for iteration `step`; `slot` tells apart several batches per step. */
  batch(step: number, slot: number, size: number): tf.Tensor
  /** n samples as plain numbers, for plots and metrics. */
  sample(n: number, seed: number): Float32Array
  readonly mixture?: Toy2dMixture
}

export function createDataSource(config: DatasetConfig, seed: number): DataSource {
  const mixture = toy2dMixture(config.distribution, config.std)
  return {
    mixture,
    batch: (step, slot, size) => tf.tensor2d(sampleToy2d(mixture, size, createRng(mixSeed(seed, step, slot))), [size, 2]),
    sample: (n, s) => sampleToy2d(mixture, n, createRng(s)),
  }
}
