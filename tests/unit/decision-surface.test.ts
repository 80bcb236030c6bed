/**
 * D's decision surface of 2D runs: D's output on a grid over the data's frame, saved with each
 * epoch's fixed-z points and streamed with the live ones; read back checked (a worker's file may
 * be anything).
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { selectBackend } from '../../src-main/training/backend'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { disposeMetrics } from '../../src-main/training/step-metrics'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { decisionSurface } from '../../src-main/training/decision-surface'
import { createPreview, PREVIEW_Z_SEED, type SavedPoints } from '../../src-main/training/previews'
import { parseSavedPoints, SavedPointsError } from '../../src-main/training/saved-points'
import { SURFACE_SIZE, surfaceGrid, surfaceRange } from '../../src-shared/plots/decision-surface'
import { squareViewport, unionViewport } from '../../src-shared/plots/viewport'

const config = (preset: string, overrides: string[] = []) =>
  validateExperiment(applyOverrides(requirePreset(preset).config, ['training.batchSize=32', ...overrides])).config

beforeAll(async () => {
  await selectBackend('auto')
})

describe('the frame and the grid', () => {
  it('is a padded square around the data, centred on it, with a frame even for a point', () => {
    expect(
      squareViewport([
        [-2, 2],
        [-1, 1],
      ]),
    ).toEqual({ x: [-2.5, 2.5], y: [-2.5, 2.5] })
    expect(
      squareViewport(
        [
          [10, 14],
          [0, 2],
        ],
        0,
      ),
    ).toEqual({ x: [10, 14], y: [-1, 3] })
    expect(
      squareViewport([
        [1, 1],
        [1, 1],
      ]),
    ).toEqual({ x: [0, 2], y: [0, 2] })
    expect(
      squareViewport([
        [Infinity, -Infinity],
        [0, 1],
      ]),
    ).toEqual({ x: [-1, 1], y: [-1, 1] })
    expect(
      unionViewport([
        { x: [0, 1], y: [0, 1] },
        { x: [-1, 0.5], y: [0, 3] },
      ]),
    ).toEqual({ x: [-1, 1], y: [0, 3] })
  })

  it('runs row by row from the bottom-left cell centre', () => {
    const g = surfaceGrid({ x: [0, 4], y: [0, 2] }, 2)
    expect(Array.from(g)).toEqual([1, 0.5, 3, 0.5, 1, 1.5, 3, 1.5])
    expect(surfaceRange({ kind: 'probability', values: [0.2, 0.3] })).toEqual([0, 1])
    expect(surfaceRange({ kind: 'score', values: [-3, 5, 1] })).toEqual([-3, 5])
    expect(surfaceRange({ kind: 'score', values: [2, 2] })).toEqual([1, 3])
  })
})

describe("D's output on the grid", () => {
  it("is D's probability for the vanilla GAN, the raw score for WGAN, with no tensors left behind", async () => {
    for (const [preset, kind] of [
      ['mlp-2d-ring8', 'probability'],
      ['mlp-2d-ring8-wgan', 'score'],
    ] as const) {
      const c = config(preset)
      const data = createDataSource(c.dataset, 1)
      const gan = new VanillaGan(c, data)
      for (let s = 0; s < 3; s++) disposeMetrics(gan.trainStep(s, 0))
      const surface = decisionSurface(data, gan)!
      const before = tf.memory().numTensors
      const got = (await surface())!
      expect(tf.memory().numTensors).toBe(before)
      expect(got).toMatchObject({ size: SURFACE_SIZE, kind, viewport: squareViewport(data.range!.bounds) })
      expect(got.values).toHaveLength(SURFACE_SIZE * SURFACE_SIZE)
      // The same numbers as D applied directly to the grid (to the 4 significant digits kept).
      const grid = surfaceGrid(got.viewport)
      const direct = tf.tidy(() => {
        const out = gan.discriminator.apply(tf.tensor2d(grid, [grid.length / 2, 2]), { training: false }) as tf.Tensor
        return kind === 'probability' ? tf.sigmoid(out) : out
      })
      const expected = Array.from(await direct.data())
      direct.dispose()
      got.values.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3))
      if (kind === 'probability') expect(got.values.every((v) => v >= 0 && v <= 1)).toBe(true)
      else expect(got.values.some((v) => v < 0 || v > 1)).toBe(true)
      gan.dispose()
    }
  })

  it('is absent for image data', () => {
    const image = config('dcgan-mnist', ['dataset.limit=64'])
    const data = createDataSource(image.dataset, 1)
    const gan = new VanillaGan(image, data)
    expect(decisionSurface(data, gan)).toBeUndefined()
    gan.dispose()
  })

  it("is saved with each epoch's points and their z seed, and streamed with the live points", async () => {
    const c = config('mlp-2d-ring8')
    const data = createDataSource(c.dataset, 1)
    const gan = new VanillaGan(c, data)
    const preview = createPreview(data, { generate: (n) => gan.generate(n, PREVIEW_Z_SEED), surface: decisionSurface(data, gan) })
    const a = await preview.artifact(3, 300)
    const saved = JSON.parse(a.data.toString()) as SavedPoints
    expect(a.kind).toBe('samples-2d')
    expect(saved).toMatchObject({ epoch: 3, step: 300, zSeed: PREVIEW_Z_SEED })
    expect(saved.points).toHaveLength(512)
    expect(saved.surface!.values).toHaveLength(SURFACE_SIZE ** 2)
    const live = await preview.live()
    expect(live.points).toHaveLength(256)
    expect(live.surface!.values).toEqual(saved.surface!.values) // D has not moved in between
    // Without a surface source (a D that cannot be drawn): points only.
    const plain = createPreview(data, { generate: (n) => gan.generate(n, PREVIEW_Z_SEED) })
    expect(JSON.parse((await plain.artifact(1, 1)).data.toString()).surface).toBeUndefined()
    gan.dispose()
  })
})

describe('reading saved points back', () => {
  // The server reads the file through the artifact confinement rule, then parses its text here.
  const read = (content: unknown) => parseSavedPoints(typeof content === 'string' ? content : JSON.stringify(content), 'epoch-00001.json')
  const surface = { viewport: { x: [-1, 1], y: [-1, 1] }, size: 2, values: [0.1, 0.2, 0.3, 0.4], kind: 'probability' }

  it('passes on well-formed points and surface, and what older runs saved (no z seed, no surface)', () => {
    expect(read({ epoch: 1, step: 1, zSeed: 777, points: [[0, 1]], surface })).toEqual({ points: [[0, 1]], zSeed: 777, surface })
    expect(read({ epoch: 1, step: 1, points: [[0, 1]] })).toEqual({ points: [[0, 1]], zSeed: null, surface: null })
  })

  it('drops a malformed surface and refuses malformed points, as a conflict, never a crash', () => {
    for (const bad of [
      { ...surface, size: 3 },
      { ...surface, values: [0, 0, 0, null] },
      { ...surface, viewport: { x: [1, -1], y: [0, 1] } },
      { ...surface, kind: 'x' },
      'surface',
      { ...surface, size: 1e9 },
    ]) {
      expect(read({ points: [[0, 1]], surface: bad }).surface).toBeNull()
    }
    for (const bad of [
      'not json',
      JSON.stringify({ points: [[0, 'x']] }),
      JSON.stringify({ points: [[0, 1, 2]] }),
      JSON.stringify({ points: Array(10_001).fill([0, 0]) }),
      JSON.stringify({}),
    ]) {
      expect(() => read(bad)).toThrow(SavedPointsError)
    }
  })
})
