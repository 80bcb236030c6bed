/**
 * Batches of real images: the dataset is loaded once (uint8, a quarter of the float size), and
 * each batch is drawn with replacement-free indices per step and scaled to [-1, 1] (tanh range).
 */
import * as tf from '@tensorflow/tfjs'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { createRng } from '../../src-shared/util/rng'
import { mixSeed } from '../../src-shared/util/seeds'
import type { DataSource } from './data-source'
import { loadImageDataset } from './image-catalog'
import { TO_TANH_RANGE, type ImageDataset } from './image-datasets'

/** Writes one image's values in [-1, 1] into `out` at `at` (default: its pixels, scaled). */
export type PixelTransform = (pixels: Uint8Array, width: number, height: number, out: Float32Array, at: number) => void

export function createImageSource(config: Extract<DatasetConfig, { kind: 'image' }>, seed: number, transform?: PixelTransform): DataSource {
  return createImageSourceFrom(loadImageDataset(config), seed, 10, transform)
}

/** Batches from loaded images; `classes` undefined for unlabelled data (no `labels` then). */
export function createImageSourceFrom(
  data: ImageDataset,
  seed: number,
  classes: number | undefined,
  transform?: PixelTransform,
): DataSource {
  const { height: h, width: w } = data
  const pixels = h * w
  const count = data.count

  /** n distinct indices (n ≤ count) from a seeded partial Fisher–Yates shuffle. */
  const indices = (n: number, s: number): Uint32Array => {
    const rng = createRng(s)
    const out = new Uint32Array(n)
    const swaps = new Map<number, number>()
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(rng() * (count - i))
      const vj = swaps.get(j) ?? j
      out[i] = vj
      swaps.set(j, swaps.get(i) ?? i)
    }
    return out
  }

  const gather = (n: number, s: number): Float32Array => {
    const take = Math.min(n, count)
    const idx = indices(take, s)
    const out = new Float32Array(n * pixels)
    for (let i = 0; i < n; i++) {
      const src = idx[i % take]! * pixels
      if (transform) transform(data.images.subarray(src, src + pixels), w, h, out, i * pixels)
      else for (let p = 0; p < pixels; p++) out[i * pixels + p] = TO_TANH_RANGE[data.images[src + p]!]!
    }
    return out
  }

  /** The labels of the images `gather(n, s)` returns, in the same order. */
  const labelsOf = (n: number, s: number): Float32Array => {
    const take = Math.min(n, count)
    const idx = indices(take, s)
    return Float32Array.from({ length: n }, (_, i) => data.labels[idx[i % take]!]!)
  }

  return {
    kind: 'image',
    shape: [h, w, 1],
    size: count,
    ...(classes !== undefined
      ? { classes, labels: (step: number, slot: number, size: number) => tf.tensor2d(labelsOf(size, mixSeed(seed, step, slot)), [size, 1]) }
      : {}),
    batch: (step, slot, size) => tf.tensor4d(gather(size, mixSeed(seed, step, slot)), [size, h, w, 1]),
    sample: (n, s) => gather(n, s),
  }
}
