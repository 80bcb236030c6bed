/**
 * What a run trained on, as a registry key: the SHA-256 of the data's content where the data is a
 * fixed set (built-in or imported images, a CSV, an image folder), else of its spec (generated 2D
 * distributions, and paired tasks derived from a built-in set). Two runs on the same data share
 * one `datasets` row, whatever path or name they reached it by.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { datasetHash } from './image-datasets'
import { loadImageDataset } from './image-catalog'
import { loadFolderCached } from './create-data-source'
import { loadPairedFolder } from './paired-folder'
import { readCsvBytes } from './csv-points'
import { loadUnpairedFolder } from './unpaired-source'

export interface DatasetIdentity {
  /** Hex SHA-256 of the content (`content`) or of the canonical spec. */
  sha256: string
  content: boolean
  /** Distinct samples, where the data is a fixed set. */
  count: number | null
}

function specHash(config: DatasetConfig): string {
  const { limit: _limit, ...rest } = config as DatasetConfig & { limit?: number }
  return crypto
    .createHash('sha256')
    .update(`spec ${JSON.stringify(rest, Object.keys(rest).sort())} limit ${(config as { limit?: number }).limit ?? 'all'}`)
    .digest('hex')
}

export function datasetIdentity(config: DatasetConfig): DatasetIdentity {
  switch (config.kind) {
    case 'image': {
      const data = loadImageDataset(config)
      return { sha256: datasetHash(data), content: true, count: data.count }
    }
    case 'folder': {
      const full = loadFolderCached(config.dir, config.labelsFromFolders, config.classes)
      const count = config.limit && config.limit < full.count ? config.limit : full.count
      const px = full.height * full.width * full.channels
      return {
        sha256: datasetHash({ ...full, count, images: full.images.subarray(0, count * px), labels: full.labels.subarray(0, count) }),
        content: true,
        count,
      }
    }
    case 'paired': {
      if (config.dir === undefined) return { sha256: specHash(config), content: false, count: null }
      const { conditions, targets } = loadPairedFolder(config.dir, config.limit)
      const sha256 = crypto
        .createHash('sha256')
        .update(`pairs ${datasetHash(conditions)} ${datasetHash(targets)}`)
        .digest('hex')
      return { sha256, content: true, count: targets.count }
    }
    case 'unpaired': {
      if (config.dir === undefined) return { sha256: specHash(config), content: false, count: null }
      const { a, b } = loadUnpairedFolder(config.dir, config.limit)
      const sha256 = crypto
        .createHash('sha256')
        .update(`unpaired ${datasetHash(a)} ${datasetHash(b)}`)
        .digest('hex')
      return { sha256, content: true, count: a.count + b.count }
    }
    case 'csv': {
      if (!fs.existsSync(config.file)) return { sha256: specHash(config), content: false, count: null }
      const bytes = readCsvBytes(config.file)
      return { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), content: true, count: null }
    }
    default:
      return { sha256: specHash(config), content: false, count: null }
  }
}
