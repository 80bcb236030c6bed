import fs from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { selectBackend } from '../../src-main/training/backend'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { disposeMetrics } from '../../src-main/training/step-metrics'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { GeneratorEma } from '../../src-main/training/generator-ema'
import { buildModel } from '../../src-main/training/models'
import { trainRun, totalSteps } from '../../src-main/training/train-run'
import { loadCheckpoint } from '../../src-main/training/checkpoint'
import { loadGenerator } from '../../src-main/model-io/load-generator'
import { sampleRun } from '../../src-main/model-io/sample'
import { sampleLatent } from '../../src-main/training/latent'
import { useTempRegistry } from '../helpers/temp-registry'
import type { SavedPoints } from '../../src-main/training/previews'

/** Two epochs of 20 steps on the ring, a checkpoint every epoch, G averaged with β 0.9; `normed`: batch norm after G's first layer. */
const tiny = (overrides: string[] = [], normed = false) => {
  const input = applyOverrides(requirePreset('mlp-2d-ring8').config, [])
  if (normed) (input.generator as { layers: object[] }).layers.splice(1, 0, { type: 'batchNorm', momentum: 0.9 })
  return validateExperiment(
    applyOverrides(input, [
      'training.epochs=2',
      'training.stepsPerEpoch=20',
      'training.batchSize=32',
      'training.logEvery=5',
      'training.checkpointEvery=1',
      'training.generatorEma=0.9',
      ...overrides,
    ]),
  ).config
}
/** tiny() with batch norm in G: an averaged G whose statistics must be settled. */
const tinyNormed = () => tiny([], true)

/** The averaged G's batch-norm moving statistics, flat (mean then variance, layer by layer). */
const normStats = (m: tf.LayersModel) =>
  m.layers
    .filter((l) => l.getClassName() === 'BatchNormalization')
    .flatMap((l) => l.getWeights().slice(2))
    .map((t) => Array.from(t.dataSync()))

const flatWeights = (m: tf.LayersModel) => m.getWeights().map((t) => Array.from(t.dataSync()))

beforeAll(async () => {
  await selectBackend('auto')
})

describe('generator weight averaging', () => {
  it('is the exponential moving average θ̄ ← βθ̄ + (1 − β)θ, from the initial weights, by hand', () => {
    const spec = { inputShape: [2], layers: [{ type: 'dense' as const, units: 3, activation: 'linear' as const, useBias: true }] }
    const g = buildModel(spec, { prefix: 'g', seed: 1 })
    const ema = new GeneratorEma(spec, g, 0.75)
    let expected = flatWeights(g)
    expect(flatWeights(ema.model)).toEqual(expected)
    for (let k = 1; k <= 4; k++) {
      // G's weights jump to k·(index + 1): easy to average by hand.
      g.setWeights(g.getWeights().map((w) => tf.tidy(() => tf.mul(k, tf.add(tf.range(0, w.size).reshape(w.shape), 1)))))
      const tensors = tf.memory().numTensors
      ema.update()
      // (Outside a training step's tidy too: the update leaves no tensor behind.)
      expect(tf.memory().numTensors).toBe(tensors)
      const now = flatWeights(g)
      expected = expected.map((w, i) => w.map((v, j) => 0.75 * v + 0.25 * now[i]![j]!))
      flatWeights(ema.model).forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)))
    }
    ema.dispose()
    g.dispose()
  })

  it('in training: after each step the averaged G is the average of G after every step so far', () => {
    const config = tiny()
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    let expected = flatWeights(gan.generator)
    for (let s = 0; s < 6; s++) {
      disposeMetrics(gan.trainStep(s, s / 40, false))
      const now = flatWeights(gan.generator)
      expected = expected.map((w, i) => w.map((v, j) => 0.9 * v + 0.1 * now[i]![j]!))
    }
    const averaged = flatWeights(gan.ema!.model)
    averaged.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)))
    // …and it is not G itself.
    expect(averaged[0]).not.toEqual(flatWeights(gan.generator)[0])
    gan.dispose()
  })

  it('samples come from the averaged G; training steps from G; the tensor count stays flat', async () => {
    const config = tiny()
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    disposeMetrics(gan.trainStep(0, 0, false))
    const count = tf.memory().numTensors
    for (let s = 1; s < 10; s++) disposeMetrics(gan.trainStep(s, s / 40, s % 3 === 0))
    expect(tf.memory().numTensors).toBe(count)
    const drawn = await gan.generate(64, 5)
    const fromAverage = tf.tidy(() => (gan.ema!.model.predict(sampleLatent(config.latent, 64, 5)) as tf.Tensor).dataSync())
    const fromG = tf.tidy(() => (gan.generator.predict(sampleLatent(config.latent, 64, 5)) as tf.Tensor).dataSync())
    // (predict runs in batches of 32, generate in one: equal up to float rounding.)
    const gap = (x: ArrayLike<number>) => Math.max(...Array.from(drawn, (v, i) => Math.abs(v - x[i]!)))
    expect(gap(fromAverage)).toBeLessThan(1e-5)
    expect(gap(fromG)).toBeGreaterThan(1e-3)
    gan.dispose()
  })
})

describe("the averaged G's batch-norm statistics", () => {
  it('are recomputed as the mean of its own batch statistics over the settling batches, whatever they were before', () => {
    const spec = {
      inputShape: [3],
      layers: [
        { type: 'dense' as const, units: 4, activation: 'linear' as const, useBias: true },
        { type: 'batchNorm' as const, momentum: 0.9 },
      ],
    }
    const g = buildModel(spec, { prefix: 'g', seed: 1 })
    const ema = new GeneratorEma(spec, g, 0.5)
    g.setWeights(g.getWeights().map((w) => tf.tidy(() => tf.add(w, tf.randomNormal(w.shape, 0, 1, 'float32', 7)))))
    ema.update()
    const norm = ema.model.layers[ema.model.layers.length - 1]!
    // Statistics nowhere near the answer: settling must not depend on them.
    norm.setWeights([...norm.getWeights().slice(0, 2), tf.fill([4], 50), tf.fill([4], 9)])
    const batches = Array.from({ length: 5 }, (_, k) => tf.randomNormal([16, 3], k, 1 + k, 'float32', 11 + k))
    ema.settle((k) => tf.clone(batches[k]!), 5)
    // By hand: the dense layer's outputs on each batch, their batch mean and (biased) variance, averaged over the batches.
    const dense = ema.model.layers[ema.model.layers.length - 2]!
    const moments = batches.map((b) => tf.tidy(() => tf.moments(dense.apply(b) as tf.Tensor, 0)))
    const mean = moments.map((m) => Array.from(m.mean.dataSync()))
    const variance = moments.map((m) => Array.from(m.variance.dataSync()))
    const average = (rows: number[][]) => rows[0]!.map((_, j) => rows.reduce((a, r) => a + r[j]!, 0) / rows.length)
    const [movingMean, movingVariance] = normStats(ema.model)
    movingMean!.forEach((v, j) => expect(v).toBeCloseTo(average(mean)[j]!, 4))
    movingVariance!.forEach((v, j) => expect(v).toBeCloseTo(average(variance)[j]!, 4))
    // The layer keeps its own momentum for anything else.
    expect((norm as unknown as { momentum: number }).momentum).toBe(0.9)
    // Not moved since: settling again does nothing (the costly passes are skipped).
    let passes = 0
    ema.settle(() => (passes++, tf.clone(batches[0]!)), 5)
    expect(passes).toBe(0)
    tf.dispose([...batches, ...moments.flatMap((m) => [m.mean, m.variance])])
    ema.dispose()
    g.dispose()
  })
})

describe("settling a training run's averaged G", () => {
  it('passes it 32 batches of 64 inputs drawn as in training (docs/config.md)', () => {
    const config = tinyNormed()
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    disposeMetrics(gan.trainStep(0, 0, false))
    const calls: { passes: number; rows: number }[] = []
    const settle = gan.ema!.settle.bind(gan.ema)
    gan.ema!.settle = (batch, passes) => {
      const first = batch(0) as tf.Tensor
      calls.push({ passes, rows: first.shape[0]! })
      first.dispose()
      settle(batch, passes)
    }
    gan.settleAverage()
    expect(calls).toEqual([{ passes: 32, rows: 64 }])
    gan.dispose()
  })
})

describe('generator weight averaging across checkpoints', () => {
  const ctx = useTempRegistry()
  const hooks = (stopAfter = Infinity) => {
    let polls = 0
    return { progress: () => {}, status: () => {}, stopRequested: () => ++polls > stopAfter }
  }

  it('a resumed run continues exactly where an uninterrupted one would be: losses, averaged G, samples', async () => {
    const config = tiny(['training.lrSchedule=linear'])
    const straight = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    expect(await trainRun(ctx.registry, ctx.dir, straight.id, hooks())).toBe('completed')
    const resumed = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    expect(await trainRun(ctx.registry, ctx.dir, resumed.id, hooks(13))).toBe('stopped')
    // Stopped mid-epoch: the resume starts from a checkpoint at step 13, not from scratch.
    expect(ctx.registry.latestArtifact(resumed.id, 'checkpoint')!.step).toBe(13)
    expect(await trainRun(ctx.registry, ctx.dir, resumed.id, hooks())).toBe('completed')
    const series = (id: number) =>
      Object.fromEntries(Object.entries(ctx.registry.metrics(id)).map(([k, v]) => [k, v.map((p) => [p.step, p.value])]))
    const a = series(straight.id)
    const b = series(resumed.id)
    expect(Object.keys(b)).toEqual(Object.keys(a))
    for (const key of Object.keys(a)) {
      expect(b[key]!.map(([s]) => s)).toEqual(a[key]!.map(([s]) => s))
      b[key]!.forEach(([, v], i) => expect(v).toBeCloseTo(a[key]![i]![1]!, 3))
    }
    // Both checkpoints hold the averaged G as 'generator' and the trained G apart, and agree.
    const last = (id: number) => loadCheckpoint(ctx.registry.latestArtifact(id, 'checkpoint')!.path).groups
    const ga = last(straight.id)
    const gb = last(resumed.id)
    for (const group of ['generator', 'generatorTrained']) {
      expect(gb[group]).toHaveLength(ga[group]!.length)
      ga[group]!.forEach((w, i) => {
        const x = w.tensor.dataSync()
        const y = gb[group]![i]!.tensor.dataSync()
        x.forEach((v, j) => expect(y[j]).toBeCloseTo(v, 4))
      })
    }
    expect(Array.from(ga.generator![0]!.tensor.dataSync())).not.toEqual(Array.from(ga.generatorTrained![0]!.tensor.dataSync()))
    // Sampling and export load the averaged G.
    const { generator } = await loadGenerator(ctx.registry, straight.id)
    flatWeights(generator).forEach((w, i) => expect(w).toEqual(Array.from(ga.generator![i]!.tensor.dataSync())))
    generator.dispose()
    const pa = await sampleRun(ctx.registry, straight.id, 50, 3)
    const pb = await sampleRun(ctx.registry, resumed.id, 50, 3)
    pa.forEach((v, i) => expect(pb[i]).toBeCloseTo(v, 3))
    for (const g of [ga, gb]) for (const list of Object.values(g)) for (const w of list) w.tensor.dispose()
  })

  it('with batch norm in G: every checkpoint holds the averaged G with its statistics settled, and a resume matches a straight run', async () => {
    const config = tinyNormed()
    const straight = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    expect(await trainRun(ctx.registry, ctx.dir, straight.id, hooks())).toBe('completed')
    const resumed = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
    expect(await trainRun(ctx.registry, ctx.dir, resumed.id, hooks(13))).toBe('stopped')
    expect(await trainRun(ctx.registry, ctx.dir, resumed.id, hooks())).toBe('completed')
    for (const id of [straight.id, resumed.id])
      for (const artifact of ctx.registry.artifacts(id).filter((a) => a.kind === 'checkpoint')) {
        const { groups } = loadCheckpoint(artifact.path)
        // Settled statistics are a function of the averaged weights alone: settling them again changes nothing.
        const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
        await gan.restoreCheckpoint(groups)
        const saved = normStats(gan.ema!.model)
        gan.settleAverage()
        const settled = normStats(gan.ema!.model)
        settled.forEach((w, i) => w.forEach((v, j) => expect(saved[i]![j]).toBeCloseTo(v, 5)))
        gan.dispose()
        for (const list of Object.values(groups)) for (const w of list) w.tensor.dispose()
      }
    const pa = await sampleRun(ctx.registry, straight.id, 50, 3)
    const pb = await sampleRun(ctx.registry, resumed.id, 50, 3)
    pa.forEach((v, i) => expect(pb[i]).toBeCloseTo(v, 3))
    // The epoch's samples are drawn after settling, not before: they are what its checkpoint draws.
    const saved = JSON.parse(
      fs.readFileSync(ctx.registry.artifacts(straight.id, 'samples-2d').find((a) => a.epoch === 1)!.path, 'utf8'),
    ) as SavedPoints
    const { groups } = loadCheckpoint(ctx.registry.artifacts(straight.id, 'checkpoint').find((a) => a.epoch === 1)!.path)
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    await gan.restoreCheckpoint(groups)
    const drawn = await gan.generate(saved.points.length, saved.zSeed)
    saved.points.flat().forEach((v, i) => expect(drawn[i]).toBeCloseTo(v, 4))
    gan.dispose()
    for (const list of Object.values(groups)) for (const w of list) w.tensor.dispose()
  })

  it('a fork that turns averaging on starts the average from the parent G; one that turns it off trains the parent G', async () => {
    const parentConfig = tiny(['training.generatorEma=0'])
    const parent = ctx.registry.createRun({ config: parentConfig, totalSteps: totalSteps(parentConfig) })
    expect(await trainRun(ctx.registry, ctx.dir, parent.id, hooks())).toBe('completed')
    const parentCkpt = loadCheckpoint(ctx.registry.latestArtifact(parent.id, 'checkpoint')!.path)
    expect(parentCkpt.groups.generatorTrained).toBeUndefined()
    const withEma = tiny()
    const gan = new VanillaGan(withEma, createDataSource(withEma.dataset, 1))
    await gan.restoreCheckpoint(parentCkpt.groups)
    const parentG = parentCkpt.groups.generator!.map((w) => Array.from(w.tensor.dataSync()))
    expect(flatWeights(gan.generator)).toEqual(parentG)
    expect(flatWeights(gan.ema!.model)).toEqual(parentG)
    // The other way: an averaged run's checkpoint gives a run without averaging its trained G.
    disposeMetrics(gan.trainStep(0, 0, false))
    const groups = await gan.checkpointGroups()
    const plain = new VanillaGan(parentConfig, createDataSource(parentConfig.dataset, 1))
    await plain.restoreCheckpoint(groups)
    expect(flatWeights(plain.generator)).toEqual(groups.generatorTrained!.map((w) => Array.from(w.tensor.dataSync())))
    plain.dispose()
    gan.dispose()
    for (const list of Object.values(parentCkpt.groups)) for (const w of list) w.tensor.dispose()
  })

  it('is refused for CycleGAN, naming the field', () => {
    expect(() =>
      validateExperiment(applyOverrides(requirePreset('cyclegan-mnist-edges').config, ['training.generatorEma=0.999'])),
    ).toThrowError(/training\.generatorEma: not available for CycleGAN/)
  })
})
