/**
 * CycleGAN: unpaired data (no batch holds a pair; the built-in task still knows its true pairs for
 * scoring), the two-translator loop (flat memory, all four models and both optimizers in the
 * checkpoint, a resumed run continues as an uninterrupted one), folders of unpaired images, and
 * the config rules.
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { PNG } from 'pngjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createUnpairedSource } from '../../src-main/datasets/unpaired-source'
import { sobelEdges } from '../../src-main/datasets/paired-source'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { selectBackend } from '../../src-main/training/backend'
import { CycleGan } from '../../src-main/training/cycle-gan'
import { readMetrics } from '../../src-main/training/step-metrics'
import { trainRun, totalSteps } from '../../src-main/training/train-run'
import { loadCheckpoint } from '../../src-main/training/checkpoint'
import { dConfusion } from '../../src-main/metrics/d-confusion'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import type { RunProgressEvent } from '../../src-shared/contract'
import { tmpDir } from '../helpers/tmp'
import { useTempRegistry } from '../helpers/temp-registry'

const tiny = (overrides: string[] = []) =>
  validateExperiment(
    applyOverrides(requirePreset('cyclegan-mnist-edges').config, [
      'training.epochs=2',
      'training.stepsPerEpoch=2',
      'training.batchSize=4',
      'training.logEvery=1',
      'training.evalSamples=0',
      'dataset.limit=64',
      ...overrides,
    ]),
  ).config

/** The Sobel edge map of each tanh-range image in `images`. */
function edgesOf(images: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * 784)
  for (let i = 0; i < n; i++) {
    const pixels = Uint8Array.from(images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(((v + 1) / 2) * 255))
    sobelEdges(pixels, 28, 28, out, i * 784)
  }
  return out
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i])

beforeAll(async () => {
  await selectBackend('auto')
})

describe('unpaired data', () => {
  it('never pairs a training batch of A with its batch of B, but knows the true pairs for scoring', () => {
    const source = createUnpairedSource({ kind: 'unpaired', task: 'mnist-edges', limit: 200 }, 7)
    expect(source.knowsPairs).toBe(true)
    const n = 8
    const b = source.batch(3, 0, n)
    const a = source.conditions!(3, 0, n)
    const edgesOfB = edgesOf(b.dataSync() as Float32Array, n)
    const av = a.dataSync() as Float32Array
    // No A image in the batch is the edge map of the B image beside it.
    for (let i = 0; i < n; i++) expect(same(av.subarray(i * 784, (i + 1) * 784), edgesOfB.subarray(i * 784, (i + 1) * 784))).toBe(false)
    tf.dispose([a, b])
    const { conditions, targets } = source.pairSample!(n, 99)
    expect(same(conditions, edgesOf(targets, n))).toBe(true)
  })

  it("reads any images from a folder's A/ and B/ (no partners needed), and names a missing side", () => {
    const t = tmpDir()
    try {
      const write = (file: string, grey: number) => {
        const img = new PNG({ width: 10, height: 10 })
        img.data.fill(grey)
        fs.mkdirSync(path.dirname(file), { recursive: true })
        fs.writeFileSync(file, PNG.sync.write(img))
      }
      for (let i = 0; i < 3; i++) write(path.join(t.dir, 'A', `a${i}.png`), 40)
      for (let i = 0; i < 5; i++) write(path.join(t.dir, 'B', 'sub', `other-${i}.png`), 200)
      const source = createDataSource({ kind: 'unpaired', dir: t.dir }, 1)
      expect(source.knowsPairs).toBeUndefined()
      const a = source.conditions!(0, 0, 2)
      const b = source.batch(0, 0, 2)
      expect(a.max().dataSync()[0]).toBeLessThan(0) // dark A images
      expect(b.min().dataSync()[0]).toBeGreaterThan(0) // light B images
      tf.dispose([a, b])
      fs.rmSync(path.join(t.dir, 'B'), { recursive: true })
      const other = fs.mkdtempSync(path.join(t.dir, 'x'))
      write(path.join(other, 'A', 'only.png'), 40)
      expect(() => createDataSource({ kind: 'unpaired', dir: other }, 1)).toThrowError(
        /B: no such directory \(an unpaired folder holds A\//,
      )
    } finally {
      t.cleanup()
    }
  })
})

describe('the CycleGAN loop', () => {
  it('trains both translators and both critics with a flat tensor count, and reports the cycle loss', async () => {
    const config = tiny(['cyclegan.identityWeight=0.5'])
    const gan = new CycleGan(config, createDataSource(config.dataset, config.training.seed))
    try {
      const before = gan.generatorBA.getWeights().map((w) => w.dataSync().slice())
      const criticA = gan.discriminatorA.getWeights().map((w) => w.dataSync().slice())
      await readMetrics(gan.trainStep(0, 0))
      const count = tf.memory().numTensors
      for (let s = 1; s < 4; s++) {
        const m = await readMetrics(gan.trainStep(s, s / 4))
        expect(Object.keys(m).sort()).toEqual(['cycle', 'dFake', 'dGradNorm', 'dLoss', 'dReal', 'gGradNorm', 'gLoss', 'identity'])
        expect(m.cycle).toBeGreaterThan(0)
      }
      expect(tf.memory().numTensors).toBe(count)
      // F (B → A) and D_A are trained too, not only the exported pair.
      expect(gan.generatorBA.getWeights().some((w, i) => !same(w.dataSync() as Float32Array, before[i] as Float32Array))).toBe(true)
      expect(gan.discriminatorA.getWeights().some((w, i) => !same(w.dataSync() as Float32Array, criticA[i] as Float32Array))).toBe(true)
    } finally {
      gan.dispose()
    }
  })

  describe('as a run', () => {
    const ctx = useTempRegistry()
    const hooks = (stopAfter = Infinity) => {
      const progress: RunProgressEvent[] = []
      return {
        progress: (e: RunProgressEvent) => progress.push(e),
        status: () => {},
        stopRequested: () => (progress.at(-1)?.step ?? 0) >= stopAfter,
      }
    }

    it('checkpoints all four models and both optimizers, and a resumed run continues as an uninterrupted one', async () => {
      const config = tiny(['training.stepsPerEpoch=1'])
      const straight = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
      expect(await trainRun(ctx.registry, ctx.dir, straight.id, hooks())).toBe('completed')
      const ckptPath = ctx.registry.latestArtifact(straight.id, 'checkpoint')!.path
      const ckpt = loadCheckpoint(ckptPath)
      expect(Object.keys(ckpt.groups).sort()).toEqual([
        'dOptimizer',
        'discriminator',
        'discriminatorA',
        'gOptimizer',
        'generator',
        'generatorBA',
      ])
      for (const g of Object.values(ckpt.groups)) for (const w of g) w.tensor.dispose()
      // D's confusion counts images, not patches: a PatchGAN's verdict is its patches' mean score.
      const { conditions, targets } = createDataSource(config.dataset, 3).pairSample!(6, 3)
      const d = dConfusion(config, ckptPath, targets, conditions, [28, 28, 1])!
      expect([d.truePositives + d.falseNegatives, d.trueNegatives + d.falsePositives]).toEqual([6, 6])
      expect(ctx.registry.metrics(straight.id).pairL1!.map((p) => p.step)).toEqual([1, 2])

      const resumed = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
      expect(await trainRun(ctx.registry, ctx.dir, resumed.id, hooks(1))).toBe('stopped')
      expect(await trainRun(ctx.registry, ctx.dir, resumed.id, hooks())).toBe('completed')
      const a = ctx.registry.metrics(straight.id)
      const b = ctx.registry.metrics(resumed.id)
      for (const key of ['dLoss', 'gLoss', 'cycle', 'pairL1']) {
        expect(
          b[key]!.map((p) => p.step),
          key,
        ).toEqual(a[key]!.map((p) => p.step))
        b[key]!.forEach((p, i) => expect(p.value, `${key} at ${p.step}`).toBeCloseTo(a[key]![i]!.value, 3))
      }
    })
  })
})

describe('CycleGAN configs', () => {
  it('refuses CycleGAN on paired or plain data, unpaired data without CycleGAN, and tricks it has no place for', () => {
    const cycle = requirePreset('cyclegan-mnist-edges').config
    expect(() => validateExperiment(applyOverrides(cycle, ['dataset={"kind":"paired","task":"mnist-edges"}']))).toThrowError(
      /dataset\.kind: CycleGAN trains on two unpaired image domains/,
    )
    expect(() => validateExperiment({ ...cycle, conditioning: 'pix2pix' })).toThrowError(
      /conditioning: an unpaired dataset is for CycleGAN/,
    )
    expect(() => validateExperiment(applyOverrides(cycle, ['tricks.featureMatching=true']))).toThrowError(
      /tricks\.featureMatching: not available for CycleGAN/,
    )
    expect(() =>
      validateExperiment(applyOverrides(requirePreset('pix2pix-mnist-edges').config, ['cyclegan={"cycleWeight":5}'])),
    ).toThrowError(/cyclegan: only used with conditioning "cyclegan"/)
    expect(() => validateExperiment(applyOverrides(cycle, ['dataset={"kind":"unpaired","task":"mnist-edges","dir":"/x"}']))).toThrowError(
      /either a built-in task or a dir/,
    )
  })
})
