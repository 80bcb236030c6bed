/**
 * A paired image folder for pix2pix: `A/` holds the conditions, `B/` the targets, and a pair is
 * the two files at the same path inside each (A/cats/1.png ↔ B/cats/1.png). Every file must have
 * its partner; the error names the first one that does not. Loaded once per process.
 */
import fs from 'node:fs'
import path from 'node:path'
import { DatasetError } from './dataset-error'
import type { ImageDataset } from './image-datasets'
import { listFiles, loadImageFolder } from './image-folder'

const cache = new Map<string, { conditions: ImageDataset; targets: ImageDataset }>()

/** The first `limit` images of a dataset (all of them without a limit). */
export function limited(d: ImageDataset, limit?: number): ImageDataset {
  if (!limit || limit >= d.count) return d
  const px = d.height * d.width * d.channels
  return { ...d, count: limit, images: d.images.subarray(0, limit * px), labels: d.labels.subarray(0, limit) }
}

export function loadPairedFolder(dir: string, limit?: number): { conditions: ImageDataset; targets: ImageDataset } {
  let both = cache.get(dir)
  if (!both) {
    const sideA = path.join(dir, 'A')
    const sideB = path.join(dir, 'B')
    for (const side of [sideA, sideB]) {
      if (!fs.existsSync(side) || !fs.statSync(side).isDirectory())
        throw new DatasetError(`${side}: no such directory (a paired folder holds A/ with the conditions and B/ with the targets)`)
    }
    const names = (side: string) => listFiles(side).map((f) => path.relative(side, f).split(path.sep).join('/'))
    const a = names(sideA)
    const b = new Set(names(sideB))
    const lonelyA = a.find((n) => !b.has(n))
    if (lonelyA) throw new DatasetError(`${path.join(sideA, lonelyA)} has no partner ${path.join(sideB, lonelyA)}`)
    const inA = new Set(a)
    const lonelyB = [...b].find((n) => !inA.has(n))
    if (lonelyB) throw new DatasetError(`${path.join(sideB, lonelyB)} has no partner ${path.join(sideA, lonelyB)}`)
    // Both sides list their files in the same sorted order, so image i of A pairs with image i of B.
    both = { conditions: loadImageFolder(sideA), targets: loadImageFolder(sideB) }
    cache.set(dir, both)
  }
  return { conditions: limited(both.conditions, limit), targets: limited(both.targets, limit) }
}
