/** The data source a dataset config names (one file per kind of source). */
import type { DatasetConfig } from '../../src-shared/config/experiment'
import type { DataSource } from './data-source'
import { createToy2dSource } from './toy2d-source'
import { createImageSource, createImageSourceFrom } from './image-source'
import { createCsvSource } from './csv-points'
import { loadImageFolder } from './image-folder'
import type { ImageDataset } from './image-datasets'
import { createPairedSource } from './paired-source'
import { createUnpairedSource } from './unpaired-source'

export function createDataSource(config: DatasetConfig, seed: number): DataSource {
  switch (config.kind) {
    case 'toy2d':
      return createToy2dSource(config, seed)
    case 'image':
      return createImageSource(config, seed)
    case 'paired':
      return createPairedSource(config, seed)
    case 'unpaired':
      return createUnpairedSource(config, seed)
    case 'csv':
      return createCsvSource(config, seed)
    case 'folder': {
      const data = loadFolderCached(config.dir, config.labelsFromFolders, config.classes)
      const limited = config.limit && config.limit < data.count ? { ...data, count: config.limit } : data
      return createImageSourceFrom(limited, seed, config.labelsFromFolders ? config.classes : undefined)
    }
  }
}

const folders = new Map<string, ImageDataset>()

/** A folder is decoded once per process (the trainer reuses it across epochs and samples). */
export function loadFolderCached(dir: string, labelsFromFolders: boolean, classes?: number): ImageDataset {
  const key = `${dir}\0${labelsFromFolders}\0${classes ?? ''}`
  let data = folders.get(key)
  if (!data) {
    data = loadImageFolder(dir, { labelsFromFolders, classes })
    folders.set(key, data)
  }
  return data
}
