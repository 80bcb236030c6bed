import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PNG } from 'pngjs'
import { validateExperiment } from '../../src-shared/config/validate'
import { PRESETS, requirePreset } from '../../src-shared/config/presets'
import { FASHION_MNIST_DIR } from '../../src-main/datasets/image-datasets'
import { applyOverrides } from '../../src-shared/config/overrides'
import type { RunProgressEvent } from '../../src-shared/contract'
import { Registry } from '../../src-main/registry/registry'
import { selectBackend } from '../../src-main/training/backend'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { disposeMetrics, readMetrics, type StepMetrics } from '../../src-main/training/step-metrics'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { acganObjective } from '../../src-main/training/objectives/acgan'
import { objectiveFor } from '../../src-main/training/objectives/registry'
import { conditionerFor } from '../../src-main/training/conditions'
import { trainRun, totalSteps } from '../../src-main/training/train-run'
import { loadCheckpoint, saveCheckpoint } from '../../src-main/training/checkpoint'
import { tmpDir } from '../helpers/tmp'
import { skipUnless } from '../helpers/requirements'
import { thisProcess } from '../../src-main/util/process-identity'
import { useTempRegistry } from '../helpers/temp-registry'

const withoutWallTime = (m: Record<string, { step: number; value: number }[]>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.map((p) => [p.step, p.value])]))

const tiny = (overrides: string[] = []) =>
  validateExperiment(
    applyOverrides(requirePreset('mlp-2d-ring8').config, [
      'training.epochs=2',
      'training.stepsPerEpoch=20',
      'training.batchSize=32',
      'training.logEvery=5',
      'training.checkpointEvery=1',
      ...overrides,
    ]),
  ).config

beforeAll(async () => {
  await selectBackend('auto')
})

describe('vanilla GAN step', () => {
  it('keeps the tensor count flat across steps (no leaks)', async () => {
    const config = tiny(['training.dSteps=2', 'tricks.instanceNoise=0.1', 'latent.spherical=true'])
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    disposeMetrics(gan.trainStep(0, 0)) // optimizer slots are created on the first step
    await readMetrics(gan.trainStep(1, 0))
    const after2 = tf.memory().numTensors
    for (let s = 2; s < 30; s++) {
      const logged = s % 5 === 0
      const m = gan.trainStep(s, s / 30, logged)
      if (logged) await readMetrics(m as StepMetrics)
      else disposeMetrics(m)
    }
    expect(tf.memory().numTensors).toBe(after2)
    gan.dispose()
  })

  it('computes only the losses on a step whose metrics nobody reads, and the same training', async () => {
    const run = async (quiet: boolean) => {
      const config = tiny()
      const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
      const keys: string[][] = []
      for (let s = 0; s < 4; s++) {
        const m = gan.trainStep(s, 0, !quiet || s === 3)
        keys.push(Object.keys(m).sort())
        if (s < 3) disposeMetrics(m)
        else {
          const values = await readMetrics(m as StepMetrics)
          gan.dispose()
          return { keys, values }
        }
      }
      throw new Error('unreachable')
    }
    const quiet = await run(true)
    const full = await run(false)
    expect(quiet.keys[0]).toEqual(['dLoss', 'gLoss'])
    expect(full.keys[0]).toEqual(['dFake', 'dGradNorm', 'dLoss', 'dReal', 'gGradNorm', 'gLoss'])
    // Skipping the metrics changes nothing of the training itself.
    expect(quiet.values).toEqual(full.values)
  })

  it('keeps the tensor count flat for a conv GAN with dropout', async () => {
    const config = validateExperiment(
      applyOverrides(requirePreset('dcgan-mnist').config, ['training.batchSize=4', 'dataset.limit=32']),
    ).config
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    disposeMetrics(gan.trainStep(0, 0))
    const after1 = tf.memory().numTensors
    for (let s = 1; s < 6; s++) await readMetrics(gan.trainStep(s, 0))
    expect(tf.memory().numTensors).toBe(after1)
    gan.dispose()
  })

  it('trains a DCGAN whose G up-samples by resize-convolution (tricks.resizeConv)', async () => {
    const config = validateExperiment(
      applyOverrides(requirePreset('dcgan-radford-mnist').config, ['training.batchSize=4', 'dataset.limit=32', 'tricks.resizeConv=true']),
    ).config
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    expect(gan.generator.layers.map((l) => l.getClassName())).toContain('UpSampling2D')
    disposeMetrics(gan.trainStep(0, 0))
    const m = await readMetrics(gan.trainStep(1, 0))
    expect(Number.isFinite(m.dLoss) && Number.isFinite(m.gLoss) && m.gGradNorm > 0).toBe(true)
    gan.dispose()
  })

  it('is reproducible: the same seed gives the same losses, step for step', async () => {
    const losses = async (seed: number) => {
      const config = tiny([`training.seed=${seed}`])
      const gan = new VanillaGan(config, createDataSource(config.dataset, seed))
      const out: number[] = []
      for (let s = 0; s < 8; s++) out.push((await readMetrics(gan.trainStep(s, 0))).dLoss)
      gan.dispose()
      return out
    }
    const a = await losses(5)
    expect(await losses(5)).toEqual(a)
    expect(await losses(6)).not.toEqual(a)
  })

  it('uses log(1 - D(G(z))) for the minimax loss and -log D(G(z)) for the non-saturating one', async () => {
    const first = async (loss: string) => {
      const config = tiny([`loss.generator=${loss}`])
      const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
      const m = await readMetrics(gan.trainStep(0, 0))
      gan.dispose()
      return m
    }
    const ns = await first('non-saturating')
    const mm = await first('minimax')
    // Same initial weights and batches: G's loss is measured after D's identical first step.
    expect(mm.dLoss).toBeCloseTo(ns.dLoss, 6)
    expect(ns.gLoss).toBeGreaterThan(0)
    expect(mm.gLoss).toBeLessThan(0)
  })
})

describe('checkpoints', () => {
  let t: ReturnType<typeof tmpDir>
  beforeEach(() => (t = tmpDir()))
  afterEach(() => t.cleanup())

  it('round-trips tensors and refuses a corrupted one', async () => {
    const a = tf.tensor([1, 2, 3, 4], [2, 2])
    const b = tf.tensor([5], [1])
    const saved = await saveCheckpoint(t.dir, 7, 1, { g: [{ name: 'a', tensor: a }], d: [{ name: 'b', tensor: b }] })
    expect(fs.readdirSync(t.dir)).toEqual(['step-000000007']) // no temp dir left behind
    const loaded = loadCheckpoint(saved.dir)
    expect(loaded.manifest.step).toBe(7)
    expect(Array.from(loaded.groups.g![0]!.tensor.dataSync())).toEqual([1, 2, 3, 4])
    expect(loaded.groups.d![0]!.tensor.shape).toEqual([1])
    for (const g of Object.values(loaded.groups)) for (const w of g) w.tensor.dispose()
    const weights = path.join(saved.dir, 'weights.bin')
    const bytes = fs.readFileSync(weights)
    bytes[0] = bytes[0]! ^ 0xff
    fs.writeFileSync(weights, bytes)
    expect(() => loadCheckpoint(saved.dir)).toThrowError(/corrupt/)
    a.dispose()
    b.dispose()
  })
})

describe('training a run', () => {
  const ctx = useTempRegistry()

  /**
   * `stopAfter`: asks to stop once that many iterations have run (trainRun asks once per
   * iteration). Counting progress events instead raced the training: they come at most every
   * 100 ms, and a fast machine finished the run between two of them.
   */
  const hooks = (stopAfter = Infinity) => {
    const progress: RunProgressEvent[] = []
    const statuses: string[] = []
    let polls = 0
    return {
      progress,
      statuses,
      hooks: {
        progress: (e: RunProgressEvent) => progress.push(e),
        status: (e: { status: string }) => statuses.push(e.status),
        stopRequested: () => ++polls > stopAfter,
      },
    }
  }

  it('trains to completion: metrics, checkpoints, samples, backend recorded', async () => {
    const config = tiny()
    const run = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    const h = hooks()
    // What `auto` gives a training run here (wasm on a machine without tfjs-node or a GPU).
    const auto = (await selectBackend('auto', { training: true })).name
    expect(await trainRun(ctx.registry, ctx.dir, run.id, h.hooks)).toBe('completed')
    const done = ctx.registry.getRun(run.id)
    expect(done).toMatchObject({ status: 'completed', step: 40, epoch: 2, backend: auto })
    expect(done.samplesPerSec).toBeGreaterThan(0)
    const metrics = ctx.registry.metrics(run.id)
    expect(Object.keys(metrics).sort()).toEqual([
      'boxHighQuality',
      'boxModes',
      'dFake',
      'dGradNorm',
      'dLoss',
      'dReal',
      'diversity',
      'evalSamples',
      'gGradNorm',
      'gLoss',
      'highQuality',
      'modeKL',
      'modesCaptured',
      'pacganHighQuality',
      'pacganModes',
    ])
    expect(metrics.dLoss!.map((p) => p.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40])
    // Mode coverage once per epoch, on a stated number of samples.
    expect(metrics.modesCaptured!.map((p) => p.step)).toEqual([20, 40])
    expect(metrics.evalSamples!.map((p) => p.value)).toEqual([2500, 2500])
    expect(h.progress.at(-1)!.metrics.modesCaptured).toBe(metrics.modesCaptured!.at(-1)!.value)
    expect(ctx.registry.artifacts(run.id, 'checkpoint').map((a) => a.epoch)).toEqual([1, 2])
    expect(ctx.registry.artifacts(run.id, 'samples-2d')).toHaveLength(2)
    expect(h.statuses).toEqual(['running', 'completed'])
    expect(h.progress.at(-1)!.points).toHaveLength(256)
  })

  it('stops on request with a checkpoint, and resumes to the end without duplicate metrics', async () => {
    const config = tiny()
    const run = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks(25).hooks)).toBe('stopped')
    const stopped = ctx.registry.getRun(run.id)
    const stopStep = ctx.registry.latestArtifact(run.id, 'checkpoint')!.step
    expect(stopped.status).toBe('stopped')
    expect(stopStep).toBe(25)
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks().hooks)).toBe('completed')
    const steps = ctx.registry.metrics(run.id).dLoss!.map((p) => p.step)
    expect(steps).toEqual([5, 10, 15, 20, 25, 30, 35, 40])
  })

  it('training.keepCheckpoints: only the newest N checkpoints stay, rows and folders; a stopped run still resumes from its last', async () => {
    const config = tiny(['training.epochs=4', 'training.keepCheckpoints=2'])
    const run = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    const folders = () => fs.readdirSync(path.join(ctx.dir, 'runs', String(run.id), 'checkpoints')).sort()
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks(50).hooks)).toBe('stopped') // epochs 1, 2 saved, then step 50
    expect(ctx.registry.artifacts(run.id, 'checkpoint').map((a) => a.step)).toEqual([40, 50])
    expect(folders()).toEqual(['step-000000040', 'step-000000050'])
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks().hooks)).toBe('completed')
    expect(ctx.registry.artifacts(run.id, 'checkpoint').map((a) => a.step)).toEqual([60, 80])
    expect(folders()).toEqual(['step-000000060', 'step-000000080'])
    expect(ctx.registry.metrics(run.id).dLoss!.map((p) => p.step)).toEqual(Array.from({ length: 16 }, (_, i) => 5 * (i + 1)))
    // 0 (the default) keeps every one.
    const all = ctx.registry.createRun({ config: tiny(['training.epochs=4']), totalSteps: 80 })
    await trainRun(ctx.registry, ctx.dir, all.id, hooks().hooks)
    expect(ctx.registry.artifacts(all.id, 'checkpoint').map((a) => a.epoch)).toEqual([1, 2, 3, 4])
  })

  it('a resumed run continues exactly where an uninterrupted one would be', async () => {
    const config = tiny()
    const straight = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    await trainRun(ctx.registry, ctx.dir, straight.id, hooks().hooks)
    const resumed = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    // Stop exactly at the epoch-1 checkpoint (step 20), then resume.
    await trainRun(ctx.registry, ctx.dir, resumed.id, hooks(20).hooks)
    await trainRun(ctx.registry, ctx.dir, resumed.id, hooks().hooks)
    // Weights, both optimizers' moments and step counters, data and z are all restored. (Not
    // bit-identical: tfjs' Adam recomputes beta^t on restore where it had multiplied it up.)
    const a = withoutWallTime(ctx.registry.metrics(straight.id))
    const b = withoutWallTime(ctx.registry.metrics(resumed.id))
    expect(Object.keys(b)).toEqual(Object.keys(a))
    for (const key of Object.keys(a)) {
      expect(b[key]!.map(([s]) => s)).toEqual(a[key]!.map(([s]) => s))
      b[key]!.forEach(([, v], i) => expect(v).toBeCloseTo(a[key]![i]![1]!, 3))
    }
  })

  it('stops a diverging run with status diverged and says why', async () => {
    const sgd = '{"type":"sgd","learningRate":10,"momentum":0.9}'
    const config = tiny([`optimizers.generator=${sgd}`, `optimizers.discriminator=${sgd}`, 'training.logEvery=1'])
    const run = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    expect(await trainRun(ctx.registry, ctx.dir, run.id, hooks().hooks)).toBe('diverged')
    const r = ctx.registry.getRun(run.id)
    expect(r.status).toBe('diverged')
    expect(r.error).toMatch(/became (NaN|Infinity|-Infinity) at step \d+/)
    expect(r.step).toBeLessThan(40)
  })
})

describe('conditional GANs', () => {
  const acgan = () =>
    validateExperiment(applyOverrides(requirePreset('acgan-mnist').config, ['training.batchSize=8', 'dataset.limit=64'])).config

  it('AC-GAN: G draws what the label asks for (the label changes the sample, the same z and label do not)', async () => {
    const config = acgan()
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    try {
      const a = await gan.generate(2, 5, [3, 3])
      const b = await gan.generate(2, 5, [7, 7])
      const again = await gan.generate(2, 5, [3, 3])
      expect(Array.from(again)).toEqual(Array.from(a))
      expect(Array.from(b)).not.toEqual(Array.from(a))
      // The class grid repeats each column's z down the rows: row k is G(column z's, label k), so
      // rows differ only by label (and each column by its z).
      const grid = await gan.generateClassGrid(4, 9)
      expect(grid.length).toBe(10 * 4 * 784)
      const row = (k: number) => grid.subarray(k * 4 * 784, (k + 1) * 4 * 784)
      for (const k of [0, 1, 9]) {
        const alone = await gan.generate(4, 9, [k, k, k, k])
        const worst = row(k).reduce((m, v, i) => Math.max(m, Math.abs(v - alone[i]!)), 0)
        expect(worst, `row ${k} is G(the columns' z, label ${k})`).toBeLessThan(1e-5)
      }
      expect(Array.from(row(0))).not.toEqual(Array.from(row(1)))
      expect(Array.from(row(0).subarray(0, 784))).not.toEqual(Array.from(row(0).subarray(784, 2 * 784)))
    } finally {
      gan.dispose()
    }
  })

  it('AC-GAN: one step trains both heads and keeps the tensor count flat', async () => {
    const config = acgan()
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    try {
      const first = await readMetrics(gan.trainStep(0, 0))
      // D's loss adds the two class cross-entropies (≈ 2 × ln 10 at the start) to the adversarial term.
      expect(first.dLoss).toBeGreaterThan(2 * Math.log(10))
      expect(first.classAccReal).toBeGreaterThanOrEqual(0)
      expect(first.classAccReal).toBeLessThanOrEqual(1)
      const before = tf.memory().numTensors
      for (let s = 1; s < 3; s++) disposeMetrics(gan.trainStep(s, 0))
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      gan.dispose()
    }
  })

  it("AC-GAN: acgan.fakeClassWeight scales D's class loss on generated samples (0: D learns the classes from real images only)", () => {
    const config = acgan()
    const conditioner = conditionerFor(config)!
    const data = createDataSource(config.dataset, 1)
    // Logits that put ln 4 more on class 0 than on the other nine: −log p(class 0) = ln(13/4), −log p(class 1) = ln 13.
    const head = tf.tensor2d([Array.from({ length: 10 }, (_, c) => (c === 0 ? Math.log(4) : 0))])
    const out = { score: tf.zeros([1, 1]), head }
    const labels = (k: number) => tf.tensor2d([[k]])
    const dLoss = (weight: number | undefined) => {
      const objective = weight === undefined ? acganObjective(conditioner, data) : acganObjective(conditioner, data, weight)
      const terms = objective.discriminatorTerms(out, out, labels(0), labels(1), false, () => {})
      return terms.loss!.arraySync()
    }
    const real = Math.log(13 / 4)
    const fake = Math.log(13)
    expect(dLoss(undefined)).toBeCloseTo(real + fake, 5)
    expect(dLoss(1)).toBeCloseTo(real + fake, 5)
    expect(dLoss(0)).toBeCloseTo(real, 5)
    expect(dLoss(0.5)).toBeCloseTo(real + 0.5 * fake, 5)
    expect(() => validateExperiment({ ...requirePreset('gan-mnist-lecture').config, acgan: { fakeClassWeight: 0 } })).toThrowError(
      /acgan: only used with conditioning "acgan"/,
    )
    expect(validateExperiment({ ...requirePreset('acgan-mnist').config, acgan: {} }).config.acgan?.fakeClassWeight).toBe(1)
    // Through the family registry, from a validated config (the path training takes).
    const zero = validateExperiment({ ...requirePreset('acgan-mnist').config, acgan: { fakeClassWeight: 0 } }).config
    const viaRegistry = objectiveFor(zero, data).discriminatorTerms(out, out, labels(0), labels(1), false, () => {})
    expect(viaRegistry.loss!.arraySync()).toBeCloseTo(real, 5)
  })

  it('InfoGAN: Q learns the codes (info loss and code accuracy are reported), the code changes the sample', async () => {
    const config = validateExperiment(
      applyOverrides(requirePreset('infogan-mnist').config, ['training.batchSize=8', 'dataset.limit=64']),
    ).config
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    try {
      const m = await readMetrics(gan.trainStep(0, 0))
      expect(m.infoLoss).toBeGreaterThan(0)
      expect(m.codeAcc).toBeGreaterThanOrEqual(0)
      expect(gan.classes).toBe(10)
      expect(Array.from(await gan.generate(1, 3, [2]))).not.toEqual(Array.from(await gan.generate(1, 3, [5])))
    } finally {
      gan.dispose()
    }
  })

  it('InfoGAN with a categorical code alone (no continuous codes): G and Q learn, and the code moves the point', async () => {
    // The 2D code presets: one categorical value per mode, nothing continuous (tf.split into one
    // piece has no gradient in tfjs, so Q's loss once failed here on the first step).
    const config = validateExperiment(applyOverrides(requirePreset('mlp-2d-pacgan-ring8-codes').config, ['training.batchSize=16'])).config
    expect(config.infogan).toMatchObject({ categorical: 8, continuous: 0 })
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()))
    try {
      const before = { g: weights(gan.generator), d: weights(gan.discriminator) }
      const m = await readMetrics(gan.trainStep(0, 0))
      expect(m.infoLoss).toBeGreaterThan(0)
      expect(weights(gan.generator)).not.toEqual(before.g)
      expect(weights(gan.discriminator)).not.toEqual(before.d)
      expect(Array.from(await gan.generate(1, 3, [2]))).not.toEqual(Array.from(await gan.generate(1, 3, [5])))
    } finally {
      gan.dispose()
    }
  })

  it("InfoGAN's categoricalWeight scales the categorical code's cross-entropy in Q's loss (default 1, as Chen et al.)", () => {
    const base = requirePreset('mlp-2d-pacgan-ring8-codes').config
    // Logits that put ln 4 more on value 0 than on the other seven: −log p(value 0) = ln(11/4).
    const q = tf.tensor2d([Array.from({ length: 8 }, (_, c) => (c === 0 ? Math.log(4) : 0))])
    const code = tf.tensor2d([Array.from({ length: 8 }, (_, c) => (c === 0 ? 1 : 0))])
    const loss = (weight?: number) => {
      const infogan = { categorical: 8, continuous: 0, ...(weight === undefined ? {} : { categoricalWeight: weight }) }
      return conditionerFor(validateExperiment({ ...base, infogan }).config)!
        .auxLoss(q, code)
        .arraySync()
    }
    expect(loss(undefined)).toBeCloseTo(Math.log(11 / 4), 5)
    expect(loss(1)).toBeCloseTo(Math.log(11 / 4), 5)
    expect(loss(0.2)).toBeCloseTo(0.2 * Math.log(11 / 4), 5)
    expect(loss(0)).toBe(0)
  })

  it("InfoGAN's warmup ramps Q's loss from 0 to full over that share of the run, and the training loop tells the objective where it is", async () => {
    const base = requirePreset('mlp-2d-pacgan-ring8-codes').config
    const q = tf.tensor2d([Array.from({ length: 8 }, (_, c) => (c === 0 ? Math.log(4) : 0))])
    const code = tf.tensor2d([Array.from({ length: 8 }, (_, c) => (c === 0 ? 1 : 0))])
    const full = Math.log(11 / 4)
    const config = (warmup?: number) =>
      validateExperiment({ ...base, infogan: { categorical: 8, continuous: 0, ...(warmup === undefined ? {} : { warmup }) } }).config
    const lossAt = (warmup: number | undefined, progress: number) => {
      const objective = objectiveFor(config(warmup), createDataSource(config(warmup).dataset, 1))
      objective.atProgress?.(progress)
      const out = { score: tf.zeros([1, 1]), head: q }
      return [
        objective.discriminatorTerms(out, out, undefined, code, false, () => {}).loss!.arraySync(),
        objective.generatorTerms(tf.zeros([1, 2]), out, code, undefined, () => {}).loss!.arraySync(),
      ]
    }
    for (const [d, g] of [lossAt(undefined, 0), lossAt(0, 0)]) {
      expect(d).toBeCloseTo(full, 5)
      expect(g).toBeCloseTo(full, 5)
    }
    expect(lossAt(0.5, 0)).toEqual([0, 0])
    for (const v of lossAt(0.5, 0.25)) expect(v).toBeCloseTo(full / 2, 5)
    for (const v of [...lossAt(0.5, 0.5), ...lossAt(0.5, 0.9)]) expect(v).toBeCloseTo(full, 5)

    // Through the loop: at progress 0 Q's loss has weight 0, so the info loss it reports is 0.
    const warm = validateExperiment({ ...config(0.5), training: { ...config(0.5).training, batchSize: 16 } }).config
    const gan = new VanillaGan(warm, createDataSource(warm.dataset, 1))
    try {
      const m = (await readMetrics(gan.trainStep(0, 0))) as Record<string, number>
      expect(m.infoLoss).toBe(0)
      const later = (await readMetrics(gan.trainStep(1, 0.6))) as Record<string, number>
      expect(later.infoLoss).toBeGreaterThan(0.1)
    } finally {
      gan.dispose()
    }
  })

  it('refuses a conditional GAN on unlabelled data, and a D without the class head', () => {
    const acganConfig = requirePreset('acgan-mnist').config
    expect(() => validateExperiment({ ...requirePreset('mlp-2d-ring8').config, conditioning: 'acgan' })).toThrowError(
      /conditioning: acgan needs a labelled dataset/,
    )
    const oneHead = { ...acganConfig, discriminator: { ...(acganConfig.discriminator as object), outputs: ['source'] } }
    expect(() => validateExperiment(oneHead)).toThrowError(/discriminator\.(outputs|nodes\[\d+\]).*(two outputs|feeds no output)/)
    expect(() => validateExperiment({ ...acganConfig, conditioning: 'none' })).toThrowError(/generator\.inputs: needs one input/)
  })
})

describe("G's objective: unrolling and feature matching", () => {
  const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()))

  it('unrolled GAN: G trains against a look-ahead D, and D is put back afterwards', async () => {
    const plain = new VanillaGan(tiny(), createDataSource(tiny().dataset, 42))
    const unrolled = new VanillaGan(tiny(['training.unrollSteps=3']), createDataSource(tiny().dataset, 42))
    try {
      disposeMetrics(plain.trainStep(0, 0))
      disposeMetrics(unrolled.trainStep(0, 0))
      // Same seed and the same D step: D ends the step identical; G, which saw the unrolled D, does not.
      expect(weights(unrolled.discriminator)).toEqual(weights(plain.discriminator))
      expect(weights(unrolled.generator)).not.toEqual(weights(plain.generator))
      const before = tf.memory().numTensors
      disposeMetrics(unrolled.trainStep(1, 0))
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      plain.dispose()
      unrolled.dispose()
    }
  })

  it("feature matching: G's loss is the squared distance of D's mean features, not the adversarial loss", async () => {
    const plain = new VanillaGan(tiny(), createDataSource(tiny().dataset, 42))
    const fm = new VanillaGan(tiny(['tricks.featureMatching=true']), createDataSource(tiny().dataset, 42))
    try {
      const a = await readMetrics(plain.trainStep(0, 0))
      const b = await readMetrics(fm.trainStep(0, 0))
      expect(b.dLoss).toBeCloseTo(a.dLoss, 5) // D's step is the same
      expect(b.gLoss).toBeGreaterThanOrEqual(0)
      expect(b.gLoss).not.toBeCloseTo(a.gLoss, 2)
      expect(fm.discriminator.outputs).toHaveLength(2) // score + features
    } finally {
      plain.dispose()
      fm.dispose()
    }
  })
})

describe('virtual batch norm', () => {
  const bnGenerator = JSON.stringify({
    inputShape: [4],
    layers: [{ type: 'dense', units: 32 }, { type: 'batchNorm' }, { type: 'activation', activation: 'relu' }, { type: 'dense', units: 2 }],
  })

  it('makes a sample depend far less on the rest of its minibatch, and trains with flat memory', async () => {
    const change = (vbn: number) => {
      const gan = new VanillaGan(tiny([`generator=${bnGenerator}`, `tricks.virtualBatchNorm=${vbn}`]), createDataSource(tiny().dataset, 42))
      try {
        return tf.tidy(() => {
          const z = gan.latent(4, 1)
          // The same first sample in two minibatches whose other three samples differ.
          const other = tf.concat([z.slice(0, 1), gan.latent(3, 2)])
          const a = gan.g(z, undefined, true).slice(0, 1)
          const b = gan.g(other, undefined, true).slice(0, 1)
          return tf.sum(tf.abs(tf.sub(a, b))).dataSync()[0]!
        })
      } finally {
        gan.dispose()
      }
    }
    const plain = change(0)
    const virtual = change(64)
    expect(plain).toBeGreaterThan(0.05)
    expect(virtual).toBeLessThan(plain / 4)

    const gan = new VanillaGan(tiny([`generator=${bnGenerator}`, 'tricks.virtualBatchNorm=16']), createDataSource(tiny().dataset, 42))
    try {
      const m = await readMetrics(gan.trainStep(0, 0))
      expect(Number.isFinite(m.gLoss) && Number.isFinite(m.dLoss)).toBe(true)
      const before = tf.memory().numTensors
      disposeMetrics(gan.trainStep(1, 0))
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      gan.dispose()
    }
  })

  it('is refused for a generator without batch norm', () => {
    expect(() => tiny(['tricks.virtualBatchNorm=16'])).toThrowError(/tricks\.virtualBatchNorm: the generator has no batch-norm layer/)
  })
})

describe('every preset trains', () => {
  let t: ReturnType<typeof tmpDir>
  let registry: Registry
  beforeAll(async () => {
    t = tmpDir()
    registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
  })
  afterAll(() => {
    registry.close()
    t.cleanup()
  })

  const fashionMissing = fs.existsSync(FASHION_MNIST_DIR)
    ? undefined
    : `${FASHION_MNIST_DIR} is missing (apt-get install dataset-fashion-mnist)`

  it('measures image metrics at the end of each epoch in the classifier feature space', async () => {
    const config = validateExperiment(
      applyOverrides(requirePreset('acgan-mnist').config, [
        'training.epochs=2',
        'training.stepsPerEpoch=1',
        'training.batchSize=4',
        'training.evalSamples=60',
        'dataset.limit=64',
      ]),
    ).config
    const run = registry.createRun({ config, totalSteps: totalSteps(config) })
    expect(await trainRun(registry, t.dir, run.id, { progress: () => {}, status: () => {}, stopRequested: () => false })).toBe('completed')
    const m = registry.metrics(run.id)
    for (const key of [
      'frechetDistance',
      'inceptionScore',
      'precision',
      'recall',
      'classTV',
      'classesPresent',
      'labelAccuracy',
      'fixedPattern',
    ]) {
      expect(
        m[key]?.map((p) => p.epoch),
        key,
      ).toEqual([1, 2])
    }
    expect(m.imageEvalSamples![0]!.value).toBe(60)
  })

  it.for(PRESETS.map((p) => [p.name, p] as const))('%s: a few steps on a small slice', async ([name, preset], ctx) => {
    if (name.includes('fashion')) skipUnless(ctx, 'fashion-mnist', fashionMissing)
    const image = preset.config.dataset.kind !== 'toy2d'
    const config = validateExperiment(
      applyOverrides(preset.config, [
        'training.epochs=1',
        'training.stepsPerEpoch=2',
        'training.batchSize=4',
        'training.logEvery=1',
        'training.evalSamples=0',
        ...(image ? ['dataset.limit=64'] : []),
      ]),
    ).config
    const run = registry.createRun({ config, totalSteps: totalSteps(config) })
    const progress: RunProgressEvent[] = []
    const status = await trainRun(registry, t.dir, run.id, {
      progress: (e) => progress.push(e),
      status: () => {},
      stopRequested: () => false,
    })
    expect(status, registry.getRun(run.id).error ?? '').toBe('completed')
    expect(registry.metrics(run.id).gLoss).toHaveLength(2)
    const samples = registry.artifacts(run.id, image ? 'samples-grid' : 'samples-2d')
    expect(samples).toHaveLength(1)
    if (image) {
      const png = PNG.sync.read(fs.readFileSync(samples[0]!.path))
      // 8×8 cells of 28×2 px + 2 px gutters; conditional models: a row per class, 10 columns;
      // pix2pix: rows of conditions, translations, targets and L1 error maps; CycleGAN: A, G(A), F(G(A)), B, F(B), G(F(B)).
      const rowsOf = { none: 8, pix2pix: 4, cyclegan: 6 } as Record<string, number>
      const [columns, rows] = config.conditioning === 'none' ? [8, 8] : [10, rowsOf[config.conditioning] ?? 10]
      expect([png.width, png.height]).toEqual([columns * 58 + 2, rows * 58 + 2])
      if (config.conditioning === 'pix2pix') expect(registry.metrics(run.id).l1).toHaveLength(2)
      if (config.conditioning === 'cyclegan') {
        expect(registry.metrics(run.id).cycle).toHaveLength(2)
        expect(registry.metrics(run.id).pairL1).toHaveLength(1) // once per epoch, against true pairs
      }
      if (config.conditioning === 'acgan') expect(registry.metrics(run.id).classAccReal).toHaveLength(2)
      expect(progress.at(-1)!.grid).toMatch(/^data:image\/png;base64,/)
    }
  })
})
