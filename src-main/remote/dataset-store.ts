/**
 * A worker's copies of the datasets coordinators ship it: `<data dir>/datasets/<hash>/`, where the
 * hash is of the file list (names, sizes, SHA-256), so a folder's name says exactly what it holds.
 * Files arrive as one stream, are written under names checked to stay inside a fresh temporary
 * folder (never over anything, never through a link), and verified one by one before the folder
 * is renamed into place. A copy is verified again each time a job uses it.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { fitsDataset, readsFiles, rootedDataset } from '../datasets/dataset-files'
import type { DatasetOffer } from './protocol'

/** A shipment the worker will not train on: says why, never what the files hold. */
export class ShipmentError extends Error {
  override name = 'ShipmentError'
}

export function storeKey(offer: DatasetOffer): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(offer.files.map((f) => [f.name, f.bytes, f.sha256])))
    .digest('hex')
}

/** `name` resolved inside `root`, or a ShipmentError (the minimal confinement a worker needs; names are already schema-checked). */
export function insideFolder(root: string, name: string): string {
  const target = path.resolve(root, ...name.split('/'))
  if (!target.startsWith(root + path.sep)) throw new ShipmentError(`the file name ${JSON.stringify(name)} leads outside the dataset`)
  return target
}

async function matches(root: string, offer: DatasetOffer): Promise<boolean> {
  for (const f of offer.files) {
    const file = insideFolder(root, f.name)
    const st = fs.lstatSync(file, { throwIfNoEntry: false })
    if (!st?.isFile() || st.size !== f.bytes) return false
    const hash = crypto.createHash('sha256')
    await pipeline(fs.createReadStream(file), hash)
    if (hash.digest('hex') !== f.sha256) return false
  }
  return true
}

/** Writes the stream's bytes into the offer's files under `root`, checking each size and SHA-256. */
async function unpack(root: string, offer: DatasetOffer, stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
  let i = -1
  let fd: number | undefined
  let left = 0
  let hash = crypto.createHash('sha256')
  const finish = () => {
    if (fd !== undefined) fs.closeSync(fd)
    fd = undefined
    if (i >= 0 && hash.digest('hex') !== offer.files[i]!.sha256)
      throw new ShipmentError(
        `${offer.files[i]!.name} arrived with another SHA-256 than its listing (damaged, or changed on the coordinator)`,
      )
  }
  const next = () => {
    finish()
    i++
    if (i >= offer.files.length) return
    const f = offer.files[i]!
    const target = insideFolder(root, f.name)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fd = fs.openSync(target, 'wx', 0o600) // never over an existing file, never through a link
    left = f.bytes
    hash = crypto.createHash('sha256')
  }
  try {
    next()
    while (i < offer.files.length && left === 0) next()
    for await (const chunk of stream) {
      let at = 0
      while (at < chunk.length) {
        if (i >= offer.files.length) throw new ShipmentError('the dataset stream is longer than its listing')
        const piece = chunk.subarray(at, at + left)
        fs.writeSync(fd!, piece)
        hash.update(piece)
        left -= piece.length
        at += piece.length
        while (i < offer.files.length && left === 0) next()
      }
    }
    if (i < offer.files.length) throw new ShipmentError(`the dataset stream ended in ${offer.files[i]!.name}, before its listed size`)
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/**
 * The run's dataset config as this worker trains on it: files from the shipment (fetched with
 * `download` unless a verified copy is here), built-in data from this machine. Refuses an offer
 * that does not fit the config: files for built-in data, none for a CSV, foreign names.
 */
export async function receiveDataset(options: {
  home: string
  config: DatasetConfig
  offer: DatasetOffer
  download: () => Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>
}): Promise<DatasetConfig> {
  const { config, offer } = options
  if (!readsFiles(config)) {
    if (offer.files.length > 0) throw new ShipmentError(`files were shipped for a ${config.kind} dataset that reads none`)
    return rootedDataset(config, '')
  }
  if (offer.files.length === 0)
    throw new ShipmentError(
      `no files were shipped for a ${config.kind} dataset: a worker trains only on data sent to it, never on a path of its own disk`,
    )
  const foreign = offer.files.find((f) => !fitsDataset(config, f.name))
  if (foreign) throw new ShipmentError(`${JSON.stringify(foreign.name)} is not a file a ${config.kind} dataset holds`)

  const parent = path.join(options.home, 'datasets')
  const store = path.join(parent, storeKey(offer))
  if (fs.existsSync(store)) {
    if (await matches(store, offer)) return rootedDataset(config, store)
    fs.rmSync(store, { recursive: true, force: true }) // damaged (a crash before its files reached the disk): fetch it again
  }
  fs.mkdirSync(parent, { recursive: true })
  const tmp = fs.mkdtempSync(path.join(parent, '.tmp-'))
  try {
    await unpack(tmp, offer, await options.download())
    try {
      fs.renameSync(tmp, store)
    } catch (e) {
      // Another job of this worker placed the same files meanwhile.
      if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  return rootedDataset(config, store)
}
