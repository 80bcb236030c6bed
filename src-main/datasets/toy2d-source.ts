/** Batches of 2D toy data, sampled fresh from the mixture for every step. */
import * as tf from '@tensorflow/tfjs'
import { sampleToy2d, toy2dMixture } from '../../src-shared/datasets/toy2d'
import { createRng } from '../../src-shared/util/rng'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { mixSeed } from '../../src-shared/util/seeds'
import type { DataSource } from './data-source'

export function createToy2dSource(config: Extract<DatasetConfig, { kind: 'toy2d' }>, seed: number): DataSource {
  const mixture = toy2dMixture(config.distribution, config.std)
  return {
    kind: 'points',
    shape: [2],
    mixture,
    range: {
      bounds: [0, 1].map((axis): [number, number] => [
        Math.min(...mixture.centres.map((c) => c[axis]!)) - 3 * mixture.std,
        Math.max(...mixture.centres.map((c) => c[axis]!)) + 3 * mixture.std,
      ]),
      from: `the ${mixture.name} mixture's mode centres ± 3σ (σ ${mixture.std})`,
    },
    size: Infinity,
    batch: (step, slot, size) => tf.tensor2d(sampleToy2d(mixture, size, createRng(mixSeed(seed, step, slot))), [size, 2]),
    sample: (n, s) => sampleToy2d(mixture, n, createRng(s)),
  }
}
