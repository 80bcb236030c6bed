/**
 * Two unpaired image domains for CycleGAN. Training batches of A (conditions) and B (targets) are
 * drawn with independent index streams, so no batch holds a pair. A built-in task (edge maps ↔
 * images) still knows each image's true partner; `pairSample` returns true pairs there (same
 * indices on both sides), which lets a run be scored against pairs it never trained on. A folder's
 * `A/` and `B/` may hold any images, any number of each.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import type { DataSource } from './data-source'
import { createImageSource, createImageSourceFrom } from './image-source'
import { DatasetError } from './dataset-error'
import { loadImageFolder } from './image-folder'
import type { ImageDataset } from './image-datasets'
import { pairOf, sobelEdges } from './paired-source'
import { limited } from './paired-folder'
import { mixSeed } from '../../src-shared/util/seeds'

type UnpairedConfig = Extract<DatasetConfig, { kind: 'unpaired' }>

/** Domain A's training batches use their own seed stream (B keeps the run's). */
const DOMAIN_A_STREAM = 0xa

const folders = new Map<string, { a: ImageDataset; b: ImageDataset }>()

/** The two sides of an unpaired folder, decoded once per process. */
export function loadUnpairedFolder(dir: string, limit?: number): { a: ImageDataset; b: ImageDataset } {
  let both = folders.get(dir)
  if (!both) {
    const side = (name: string) => {
      const p = path.join(dir, name)
      if (!fs.existsSync(p) || !fs.statSync(p).isDirectory())
        throw new DatasetError(`${p}: no such directory (an unpaired folder holds A/ with one domain's images and B/ with the other's)`)
      return loadImageFolder(p)
    }
    both = { a: side('A'), b: side('B') }
    folders.set(dir, both)
  }
  return { a: limited(both.a, limit), b: limited(both.b, limit) }
}

export function createUnpairedSource(config: UnpairedConfig, seed: number): DataSource {
  if (config.dir !== undefined) {
    const { a, b } = loadUnpairedFolder(config.dir, config.limit)
    return unpairedOf(createImageSourceFrom(a, mixSeed(seed, DOMAIN_A_STREAM), undefined), createImageSourceFrom(b, seed, undefined), false)
  }
  const name = config.task === 'mnist-edges' ? 'mnist' : 'fashion-mnist'
  const image = { kind: 'image' as const, name: name as 'mnist' | 'fashion-mnist', ...(config.limit ? { limit: config.limit } : {}) }
  return unpairedOf(createImageSource(image, mixSeed(seed, DOMAIN_A_STREAM), sobelEdges), createImageSource(image, seed), true)
}

/** Like a paired source, but its A and B batches come from independent streams (see createUnpairedSource). */
function unpairedOf(a: DataSource, b: DataSource, knowsPairs: boolean): DataSource {
  // Same seed in pairSample on both sides: the same images' indices, so true pairs on a built-in task.
  return { ...pairOf(a, b), ...(knowsPairs ? { knowsPairs: true } : {}) }
}
