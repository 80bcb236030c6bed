/**
 * Built-in paired tasks for pix2pix: the condition is an image's edge map, the target the image.
 * Both sides come from the same seeded indices, so batch i of conditions pairs with batch i of
 * targets. Edges are computed per batch (a 3×3 Sobel on 28×28 is cheap next to a training step).
 */
import * as tf from '@tensorflow/tfjs'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import type { DataSource } from './data-source'
import { createImageSource, createImageSourceFrom, type PixelTransform } from './image-source'
import { loadPairedFolder } from './paired-folder'

/** Edge pixels are those whose Sobel gradient magnitude (on 0–1 intensities) exceeds this. */
export const EDGE_THRESHOLD = 1

/** The Sobel edge map of one grey image: +1 on edges, −1 elsewhere (tanh range, like the targets). */
export const sobelEdges: PixelTransform = (pixels, width, height, out, at) => {
  const v = (x: number, y: number) => {
    const cx = Math.min(width - 1, Math.max(0, x))
    const cy = Math.min(height - 1, Math.max(0, y))
    return pixels[cy * width + cx]! / 255
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx = v(x + 1, y - 1) + 2 * v(x + 1, y) + v(x + 1, y + 1) - v(x - 1, y - 1) - 2 * v(x - 1, y) - v(x - 1, y + 1)
      const gy = v(x - 1, y + 1) + 2 * v(x, y + 1) + v(x + 1, y + 1) - v(x - 1, y - 1) - 2 * v(x, y - 1) - v(x + 1, y - 1)
      out[at + y * width + x] = Math.hypot(gx, gy) > EDGE_THRESHOLD ? 1 : -1
    }
  }
}

export function createPairedSource(config: Extract<DatasetConfig, { kind: 'paired' }>, seed: number): DataSource {
  if (config.dir !== undefined) {
    // A folder (A/ conditions, B/ targets): one seeded index stream drives both sides.
    const { conditions, targets } = loadPairedFolder(config.dir, config.limit)
    return pairOf(createImageSourceFrom(conditions, seed, undefined), createImageSourceFrom(targets, seed, undefined))
  }
  const name = config.task === 'mnist-edges' ? 'mnist' : 'fashion-mnist'
  const image = { kind: 'image' as const, name: name as 'mnist' | 'fashion-mnist', ...(config.limit ? { limit: config.limit } : {}) }
  return pairOf(createImageSource(image, seed, sobelEdges), createImageSource(image, seed))
}

/** Two image sources drawn with the same indices: batch i of `conditions` pairs with batch i of `targets`. */
export function pairOf(conditions: DataSource, targets: DataSource): DataSource {
  const [h, w, c] = targets.shape as [number, number, number]
  return {
    kind: 'image',
    shape: targets.shape,
    size: targets.size,
    batch: targets.batch,
    sample: targets.sample,
    conditions: conditions.batch,
    pairSample: (n, s) => ({ conditions: conditions.sample(n, s), targets: targets.sample(n, s) }),
    conditionTensor: (values, n) => tf.tensor4d(values, [n, h, w, c]),
  }
}
