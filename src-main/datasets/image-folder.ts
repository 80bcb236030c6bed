/**
 * A user's folder of PNG/JPEG images as a dataset: found recursively, decoded (pngjs, jpeg-js),
 * turned grey (luma, alpha over black) and resized to 28×28 by area averaging. With
 * `labelsFromFolders` the class is the first-level subfolder, classes in name order. Problems name
 * the file: a non-image file, a zero-byte or undecodable image, a class count that does not match.
 */
import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import jpeg from 'jpeg-js'
import { DatasetError } from './dataset-error'
import { MAX_FOLDER_IMAGES, MAX_IMAGE_FILE_BYTES, MAX_IMAGE_SIDE, readDatasetFile } from './limits'
import type { ImageDataset } from './image-datasets'

export const FOLDER_IMAGE_SIZE = 28
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg'])
const MAX_SIDE = MAX_IMAGE_SIDE

interface Rgba {
  width: number
  height: number
  data: Uint8Array
}

/** A PNG's width and height from its IHDR chunk (bytes 16–23), or null when it has none. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || bytes[12] !== 0x49 || bytes[13] !== 0x48 || bytes[14] !== 0x44 || bytes[15] !== 0x52) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, 24)
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

function decode(file: string): Rgba {
  // A regular file within the cap (a FIFO or device in the folder is never opened for a blocking read).
  const bytes = readDatasetFile(file, MAX_IMAGE_FILE_BYTES, 'the size cap for one image')
  if (bytes.length === 0) throw new DatasetError(`${file}: empty file (0 bytes)`)
  const ext = path.extname(file).toLowerCase()
  // A small PNG can declare huge dimensions: refuse them before its pixels are allocated.
  const declared = ext === '.png' ? pngSize(bytes) : null
  if (declared && (declared.width > MAX_SIDE || declared.height > MAX_SIDE)) {
    throw new DatasetError(`${file}: ${declared.width}×${declared.height} is larger than ${MAX_SIDE}×${MAX_SIDE}`)
  }
  try {
    if (ext === '.png') {
      const png = PNG.sync.read(bytes)
      return { width: png.width, height: png.height, data: png.data }
    }
    const img = jpeg.decode(bytes, { useTArray: true, maxResolutionInMP: (MAX_SIDE * MAX_SIDE) / 1e6, maxMemoryUsageInMB: 512 })
    return { width: img.width, height: img.height, data: img.data }
  } catch (e) {
    throw new DatasetError(
      `${file}: not a readable ${ext === '.png' ? 'PNG' : 'JPEG'} image (${e instanceof Error ? e.message : String(e)})`,
    )
  }
}

/** Grey 0–255 by Rec. 601 luma, alpha composited over black. */
function toGrey(img: Rgba): Float32Array {
  const out = new Float32Array(img.width * img.height)
  for (let i = 0; i < out.length; i++) {
    const r = img.data[4 * i]!
    const g = img.data[4 * i + 1]!
    const b = img.data[4 * i + 2]!
    const a = img.data[4 * i + 3]! / 255
    out[i] = (0.299 * r + 0.587 * g + 0.114 * b) * a
  }
  return out
}

/** Area-average resize (each output pixel averages the source pixels it covers; at least one). */
export function resizeGrey(src: Float32Array, w: number, h: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size)
  for (let oy = 0; oy < size; oy++) {
    const y0 = Math.floor((oy * h) / size)
    const y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * h) / size))
    for (let ox = 0; ox < size; ox++) {
      const x0 = Math.floor((ox * w) / size)
      const x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * w) / size))
      let sum = 0
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += src[y * w + x]!
      out[oy * size + ox] = Math.round(sum / ((y1 - y0) * (x1 - x0)))
    }
  }
  return out
}

/** The regular files under `dir`, sorted; refused past `maxFiles` (a folder is decoded whole). */
export function listFiles(dir: string, maxFiles = MAX_FOLDER_IMAGES): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue // .DS_Store, editors' files
      const full = path.join(d, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.isFile()) out.push(full)
      // Symlinks and other special files are skipped: a dataset must not lead outside its folder.
      if (out.length > maxFiles)
        throw new DatasetError(`${dir}: more than ${maxFiles.toLocaleString('en-US')} files, the limit for an image folder`)
    }
  }
  walk(dir)
  return out
}

export function loadImageFolder(dir: string, options: { labelsFromFolders?: boolean; classes?: number } = {}): ImageDataset {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DatasetError(`${dir}: no such directory`)
  // `labels.csv` at the top is the index `synth --format png` writes beside the class folders.
  const files = listFiles(dir).filter((f) => path.relative(dir, f) !== 'labels.csv')
  const other = files.filter((f) => !IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()))
  if (other.length > 0) {
    throw new DatasetError(
      `${other[0]}: not a PNG or JPEG image${other.length > 1 ? ` (and ${other.length - 1} more non-image files)` : ''}; an image folder holds only .png, .jpg and .jpeg files`,
    )
  }
  if (files.length === 0) throw new DatasetError(`${dir}: no PNG or JPEG images found`)
  const classNames = options.labelsFromFolders
    ? [...new Set(files.map((f) => path.relative(dir, f).split(path.sep)[0]!))]
        .filter((c) => fs.statSync(path.join(dir, c)).isDirectory())
        .sort()
    : []
  if (options.labelsFromFolders) {
    const loose = files.find((f) => path.dirname(f) === path.resolve(dir) || path.dirname(f) === dir)
    if (loose) throw new DatasetError(`${loose}: with labelsFromFolders every image must be inside a class subfolder`)
    if (options.classes !== undefined && classNames.length !== options.classes) {
      throw new DatasetError(
        `${dir}: dataset.classes says ${options.classes} but there are ${classNames.length} class subfolders (${classNames.join(', ')})`,
      )
    }
  }
  const size = FOLDER_IMAGE_SIZE
  const images = new Uint8Array(files.length * size * size)
  const labels = new Uint8Array(files.length)
  files.forEach((file, i) => {
    const img = decode(file)
    if (img.width > MAX_SIDE || img.height > MAX_SIDE)
      throw new DatasetError(`${file}: ${img.width}×${img.height} is larger than ${MAX_SIDE}×${MAX_SIDE}`)
    images.set(resizeGrey(toGrey(img), img.width, img.height, size), i * size * size)
    if (options.labelsFromFolders) labels[i] = classNames.indexOf(path.relative(dir, file).split(path.sep)[0]!)
  })
  return { images, labels, count: files.length, height: size, width: size, channels: 1 }
}
