/** The built-in paired tasks for pix2pix: Sobel edge maps as conditions, aligned with their targets. */
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { createPairedSource, sobelEdges } from '../../src-main/datasets/paired-source'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { selectBackend } from '../../src-main/training/backend'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { createDataSource } from '../../src-main/datasets/create-data-source'

describe('paired tasks', () => {
  it('marks the outline of a filled square as edges and its flat inside and outside as not', () => {
    const w = 8
    const pixels = new Uint8Array(w * w)
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) pixels[y * w + x] = 255
    const out = new Float32Array(w * w)
    sobelEdges(pixels, w, w, out, 0)
    const at = (x: number, y: number) => out[y * w + x]
    expect(at(0, 0)).toBe(-1) // far outside
    expect(at(2, 2)).toBe(1) // the square's corner
    expect(at(1, 3)).toBe(1) // just outside its left side
    expect(at(7, 7)).toBe(-1)
    // A 4×4 square has no flat inside at this size; an 8×8 one inside 12×12 does.
    const big = new Uint8Array(144)
    for (let y = 2; y < 10; y++) for (let x = 2; x < 10; x++) big[y * 12 + x] = 255
    const bigOut = new Float32Array(144)
    sobelEdges(big, 12, 12, bigOut, 0)
    expect(bigOut[6 * 12 + 6]).toBe(-1)
  })

  it('pairs each batch of conditions with the edges of that batch of targets', () => {
    const source = createPairedSource({ kind: 'paired', task: 'mnist-edges', limit: 50 }, 7)
    const targets = source.batch(3, 0, 5)
    const conditions = source.conditions!(3, 0, 5)
    const t = targets.dataSync()
    const c = conditions.dataSync()
    for (let i = 0; i < 5; i++) {
      const pixels = Uint8Array.from(t.subarray(i * 784, (i + 1) * 784), (v) => Math.round(((v + 1) / 2) * 255))
      const expected = new Float32Array(784)
      sobelEdges(pixels, 28, 28, expected, 0)
      expect(Array.from(c.subarray(i * 784, (i + 1) * 784))).toEqual(Array.from(expected))
    }
    tf.dispose([targets, conditions])
  })

  it('refuses pix2pix without a paired dataset, and a paired dataset without pix2pix', () => {
    const p2p = requirePreset('pix2pix-mnist-edges').config
    expect(() => validateExperiment(applyOverrides(p2p, ['dataset={"kind":"image","name":"mnist"}']))).toThrowError(
      /dataset\.kind: pix2pix trains on paired images/,
    )
    expect(() => validateExperiment({ ...p2p, conditioning: 'none' })).toThrowError(
      /conditioning: a paired dataset is for image-to-image translation/,
    )
  })
})

describe('pix2pix previews', () => {
  it('draw conditions, translations, targets and, fourth, the L1 error map of each translation', async () => {
    await selectBackend('auto')
    const config = validateExperiment(applyOverrides(requirePreset('pix2pix-mnist-edges').config, ['dataset.limit=64'])).config
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    try {
      const grid = await gan.generateTriplets(3, 5)
      const n = 3 * 784
      expect(grid).toHaveLength(4 * n)
      const { conditions, targets } = createDataSource(config.dataset, 1).pairSample!(3, 5)
      expect(Array.from(grid.subarray(0, n))).toEqual(Array.from(conditions))
      expect(Array.from(grid.subarray(2 * n, 3 * n))).toEqual(Array.from(targets))
      for (let i = 0; i < n; i++) expect(grid[3 * n + i]).toBeCloseTo(Math.abs(grid[n + i]! - grid[2 * n + i]!) - 1, 6)
    } finally {
      gan.dispose()
    }
  })
})
