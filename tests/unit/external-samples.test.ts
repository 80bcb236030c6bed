/**
 * Another program's samples scored as `eval` scores a run's: .npy (uint8 pixels, floats in [-1, 1]
 * or a given range, int labels) and IDX files read with their problems named, and real test digits
 * scored against themselves give a Fréchet distance of about 0 and full precision and recall.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseNpy } from '../../src-main/datasets/npy'
import { evaluateSamplesFile } from '../../src-main/metrics/external-samples'
import { classifierSplits } from '../../src-main/scoring/classifier-data'
import { tmpDir } from '../helpers/tmp'
import { selectBackend } from '../../src-main/training/backend'

let t: ReturnType<typeof tmpDir>
beforeAll(async () => {
  await selectBackend('auto') // what the CLI scores on
})
beforeEach(() => (t = tmpDir()))
afterEach(() => t.cleanup())

/** A .npy file (version 1) of the given descr, shape and raw little-endian data. */
function npy(descr: string, shape: number[], data: ArrayBufferView, fortran = false): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  const pad = 64 - ((10 + header.length + 1) % 64)
  header += ' '.repeat(pad % 64) + '\n'
  const head = Buffer.alloc(10)
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head)
  head.writeUInt16LE(header.length, 8)
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)])
}

function idxImages(count: number, pixels: Uint8Array): Buffer {
  const header = Buffer.alloc(16)
  header.writeUInt32BE(0x803, 0)
  header.writeUInt32BE(count, 4)
  header.writeUInt32BE(28, 8)
  header.writeUInt32BE(28, 12)
  return Buffer.concat([header, Buffer.from(pixels)])
}

describe('.npy files', () => {
  it('reads float32, float64, uint8 and int64 arrays with their shapes', () => {
    expect(parseNpy(npy('<f4', [2, 2], Float32Array.from([1, -2, 0.5, 4])), 'a.npy')).toMatchObject({
      shape: [2, 2],
      dtype: 'float32',
      data: Float32Array.from([1, -2, 0.5, 4]),
    })
    expect(Array.from(parseNpy(npy('<f8', [3], Float64Array.from([0.1, 0.2, 0.3])), 'a.npy').data)).toEqual([0.1, 0.2, 0.3])
    expect(parseNpy(npy('|u1', [1, 3], Uint8Array.from([0, 128, 255])), 'a.npy').data).toEqual(Uint8Array.from([0, 128, 255]))
    expect(Array.from(parseNpy(npy('<i8', [3], BigInt64Array.from([3n, 0n, 9n])), 'a.npy').data)).toEqual([3, 0, 9])
  })

  it('refuses what it cannot read, naming the file and the problem', () => {
    expect(() => parseNpy(Buffer.from('not numpy at all'), 'x.npy')).toThrow('x.npy: not a NumPy .npy file')
    expect(() => parseNpy(npy('<f2', [2], Uint16Array.from([1, 2])), 'x.npy')).toThrow('x.npy: unsupported data type <f2')
    expect(() => parseNpy(npy('<f4', [2, 2], Float32Array.from([1, 2, 3, 4]), true), 'x.npy')).toThrow(/Fortran-ordered/)
    expect(() => parseNpy(npy('<f4', [4, 2], Float32Array.from([1, 2, 3, 4])), 'x.npy')).toThrow(
      /x\.npy: truncated data: shape \(4, 2\) needs 32 bytes, the file has 16/,
    )
  })
})

describe('scoring a samples file', () => {
  const test = classifierSplits('mnist').test
  const n = 100
  const pixels = test.images.subarray(0, n * 784)

  it('real test digits against themselves: Fréchet distance about 0, precision and recall 1; the same from uint8, [0, 1] floats and IDX', async () => {
    const u8 = path.join(t.dir, 'u8.npy')
    fs.writeFileSync(u8, npy('|u1', [n, 28, 28], pixels))
    const r = await evaluateSamplesFile(u8, 'mnist')
    expect(r).toMatchObject({ format: 'npy', samples: n, classifier: { dataset: 'mnist' } })
    expect(r.metrics.frechetDistance).toBeLessThan(1e-3)
    expect(r.metrics.precision).toBe(1)
    expect(r.metrics.recall).toBe(1)
    expect(r.metrics.inceptionScore).toBeCloseTo(r.metrics.inceptionScoreReal!, 6)
    // The same images have exactly the real images' texture in common.
    expect(r.metrics.fixedPattern).toBeCloseTo(1, 6)

    const unit = path.join(t.dir, 'unit.npy')
    fs.writeFileSync(
      unit,
      npy(
        '<f4',
        [n, 1, 28, 28],
        Float32Array.from(pixels, (p) => p / 255),
      ),
    )
    const asFloats = await evaluateSamplesFile(unit, 'mnist', { range: [0, 1] })
    expect(asFloats.metrics.frechetDistance).toBeLessThan(1e-3)
    expect(asFloats.metrics.precision).toBe(1)
    await expect(evaluateSamplesFile(unit, 'mnist', { range: [0.5, 1] })).rejects.toThrow(
      /values run from 0\.000 to 1\.000, outside the range \[0\.5, 1\]/,
    )

    const idx = path.join(t.dir, 'images-idx3-ubyte')
    fs.writeFileSync(idx, idxImages(n, pixels))
    expect((await evaluateSamplesFile(idx, 'mnist')).metrics).toEqual(r.metrics)
  })

  it('counts the classes recognisably present as the DCGAN reproductions do: 10 in real digits, 1 in copies of one digit', async () => {
    const real = path.join(t.dir, 'real.npy')
    fs.writeFileSync(real, npy('|u1', [n, 28, 28], pixels))
    expect((await evaluateSamplesFile(real, 'mnist')).classesPresent).toBe(10)
    const one = new Uint8Array(n * 784)
    for (let i = 0; i < n; i++) one.set(pixels.subarray(0, 784), i * 784)
    const copies = path.join(t.dir, 'copies.npy')
    fs.writeFileSync(copies, npy('|u1', [n, 28, 28], one))
    expect((await evaluateSamplesFile(copies, 'mnist')).classesPresent).toBe(1)
  })

  it("labels give label accuracy (the true labels: the classifier's own accuracy on them)", async () => {
    const file = path.join(t.dir, 'u8.npy')
    fs.writeFileSync(file, npy('|u1', [n, 784], pixels))
    const labels = path.join(t.dir, 'labels.npy')
    fs.writeFileSync(
      labels,
      npy(
        '<i8',
        [n],
        BigInt64Array.from(test.labels.subarray(0, n), (l) => BigInt(l)),
      ),
    )
    const r = await evaluateSamplesFile(file, 'mnist', { labels })
    expect(r.metrics.labelAccuracy).toBeGreaterThan(0.9)
    expect(r.perClassAccuracy).toHaveLength(10)
  })

  it('refuses the wrong shape, too few samples, or a dataset without a classifier', async () => {
    const bad = path.join(t.dir, 'bad.npy')
    fs.writeFileSync(bad, npy('|u1', [60, 32, 32], new Uint8Array(60 * 32 * 32)))
    await expect(evaluateSamplesFile(bad, 'mnist')).rejects.toThrow(/expected 28×28 grey images of shape .*got \(60, 32, 32\)/)
    const few = path.join(t.dir, 'few.npy')
    fs.writeFileSync(few, npy('|u1', [10, 28, 28], new Uint8Array(10 * 784)))
    await expect(evaluateSamplesFile(few, 'mnist')).rejects.toThrow(/10 images; at least 50/)
    await expect(evaluateSamplesFile(few, 'cifar10')).rejects.toThrow(/no evaluation classifier for "cifar10"/)
  })
})
