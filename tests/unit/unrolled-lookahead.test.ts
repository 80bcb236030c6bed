/**
 * The second-order unrolled GAN (training.unrollGradient): D's look-ahead is D's own Adam, G's
 * gradient through it is the true derivative of G's loss (finite differences), the first-order
 * shortcut is not, and the configs it cannot run are refused with the reason. Its agreement with
 * PyTorch's autograd over 50 training steps is in tests/e2e/torch-parity.test.ts.
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { ConfigError } from '../../src-shared/config/errors'
import { analyzeGraph, editableFromSpec } from '../../src-shared/model/graph-analysis'
import { selectBackend } from '../../src-main/training/backend'
import { buildModel } from '../../src-main/training/models'
import { FusedAdamOptimizer } from '../../src-main/training/fused-adam'
import { registerExtraGradients } from '../../src-main/training/extra-gradients'
import { UnrolledLookahead } from '../../src-main/training/unrolled-lookahead'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { disposeMetrics, readMetrics, type StepMetrics } from '../../src-main/training/step-metrics'

beforeAll(async () => {
  await selectBackend('auto')
  registerExtraGradients()
})

const bce = (target: number, logits: tf.Tensor) => tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, target), logits) as tf.Scalar
const dLoss = (real: tf.Tensor, fake: tf.Tensor) => tf.mul(0.5, tf.add(bce(1, real), bce(0, fake))) as tf.Scalar

/** A small smooth D (tanh: no kinks for finite differences to straddle) and its Adam, one step in. */
function smallD(learningRate: number) {
  const spec = {
    inputShape: [2],
    layers: [
      { type: 'dense', units: 16, activation: 'tanh' },
      { type: 'dense', units: 16, activation: 'tanh' },
      { type: 'dense', units: 1, activation: 'sigmoid' },
    ],
  }
  const model = buildModel(spec as never, { prefix: 'd', seed: 5, finalSigmoidAsLogits: true })
  const optimizer = new FusedAdamOptimizer(learningRate, 0.5, 0.999)
  const real = tf.randomNormal([32, 2], 0, 1, 'float32', 1)
  const fake = tf.randomNormal([32, 2], 0, 1, 'float32', 2)
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const step = () => optimizer.minimize(() => dLoss(model.apply(real) as tf.Tensor, model.apply(fake) as tf.Tensor), false, variables)
  step() // Adam's moments exist from here on
  return { model, optimizer, real, fake, variables, step }
}

const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()))
const maxAbs = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i]![j]!))))

describe('UnrolledLookahead', () => {
  it("advances D's weights as D's own Adam does, and leaves D and its optimizer alone", () => {
    const d = smallD(0.01)
    const lookahead = new UnrolledLookahead(d.model, d.optimizer, 3)
    const before = values(d.variables)
    expect(maxAbs(values([lookahead.logits(d.variables, d.real)]), values([d.model.apply(d.real) as tf.Tensor]))).toBeLessThan(1e-6)
    const ahead = values(lookahead.advance(d.real, d.fake, dLoss))
    expect(values(d.variables)).toEqual(before)
    expect(maxAbs(ahead, before)).toBeGreaterThan(1e-3) // it moved
    for (let k = 0; k < 3; k++) d.step() // the optimizer itself, three steps on the same batches
    expect(maxAbs(ahead, values(d.variables))).toBeLessThan(1e-6)
  })

  it("gives G's loss the derivative finite differences measure; the first-order shortcut misses it", () => {
    const d = smallD(0.05)
    const lookahead = new UnrolledLookahead(d.model, d.optimizer, 3)
    // G's (non-saturating) loss against the look-ahead D, as a function of G's samples.
    const loss = (fake: tf.Tensor) => bce(1, lookahead.logits(lookahead.advance(d.real, fake, dLoss), fake))
    const second = Array.from(tf.tidy(() => tf.grad(loss)(d.fake).dataSync()))
    const fixed = tf.tidy(() => lookahead.advance(d.real, d.fake, dLoss).map((w) => tf.keep(w)))
    const first = Array.from(
      tf.tidy(() =>
        tf
          .grad((fake: tf.Tensor) => bce(1, lookahead.logits(fixed, fake)))(d.fake)
          .dataSync(),
      ),
    )
    const base = d.fake.arraySync() as number[][]
    const h = 2e-3
    const numeric = base.flatMap((row, i) =>
      row.map((_, j) => {
        const at = (delta: number) => {
          const moved = base.map((r) => [...r])
          moved[i]![j]! += delta
          return tf.tidy(() => loss(tf.tensor2d(moved)).dataSync()[0]!)
        }
        return (at(h) - at(-h)) / (2 * h)
      }),
    )
    const gap = (g: number[]) => Math.hypot(...g.map((x, i) => x - numeric[i]!)) / Math.hypot(...numeric)
    expect(gap(second)).toBeLessThan(0.02)
    expect(gap(first)).toBeGreaterThan(0.2)
  })
})

const ring = (overrides: string[]) =>
  validateExperiment(
    applyOverrides(requirePreset('mlp-2d-ring8').config, [
      'training.epochs=1',
      'training.stepsPerEpoch=20',
      'training.batchSize=32',
      'training.unrollSteps=3',
      ...overrides,
    ]),
  ).config

describe('second-order unrolling in the training loop', () => {
  it('trains without leaking tensors, moves D only by its own steps, and moves G differently from the first-order shortcut', async () => {
    const firstG = async (gradient: string, generatorLoss: string) => {
      const config = ring([`training.unrollGradient=${gradient}`, `loss.generator=${generatorLoss}`])
      const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
      disposeMetrics(gan.trainStep(0, 0))
      const afterFirst = tf.memory().numTensors
      for (let s = 1; s < 6; s++) {
        const m = (await readMetrics(gan.trainStep(s, s / 20) as StepMetrics)) as unknown as Record<string, number>
        expect(Number.isFinite(m.gLoss) && Number.isFinite(m.dLoss), JSON.stringify(m)).toBe(true)
      }
      expect(tf.memory().numTensors).toBe(afterFirst)
      const iterations = (gan.dOptimizer as unknown as { iterations: number }).iterations
      const g = values(gan.generator.getWeights())
      gan.dispose()
      return { g, iterations }
    }
    const second = await firstG('second-order', 'non-saturating')
    const first = await firstG('first-order', 'non-saturating')
    expect(second.iterations).toBe(6) // one D step per iteration; the look-ahead never writes D
    expect(maxAbs(second.g, first.g)).toBeGreaterThan(1e-6)
    await firstG('second-order', 'minimax') // the saddle objective's real term: runs and stays finite
  })

  it('forks a second-order run into a first-order one (its checkpoint has no look-ahead optimizer)', async () => {
    const second = ring(['training.unrollGradient=second-order'])
    const from = new VanillaGan(second, createDataSource(second.dataset, 1))
    disposeMetrics(from.trainStep(0, 0))
    const groups = await from.checkpointGroups()
    expect(groups.uOptimizer).toBeUndefined()
    const first = ring(['training.unrollGradient=first-order'])
    const to = new VanillaGan(first, createDataSource(first.dataset, 1))
    await to.restoreCheckpoint(groups)
    disposeMetrics(to.trainStep(1, 0.05))
    from.dispose()
    to.dispose()
  })

  it("takes the builder's form of an MLP D (a graph whose nodes form one chain) and refuses a graph with branches", () => {
    const preset = requirePreset('mlp-2d-ring8-unrolled').config
    const graph = analyzeGraph(editableFromSpec(preset.discriminator, 'image')).spec! as { nodes: object[] }
    const chain = graph
    const config = validateExperiment({
      ...preset,
      discriminator: chain,
      training: { ...preset.training, epochs: 1, stepsPerEpoch: 3 },
    }).config
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    disposeMetrics(gan.trainStep(0, 0))
    gan.dispose()
    const input = (graph as unknown as { inputs: { name: string }[] }).inputs[0]!.name
    const branch = { ...graph, nodes: [...graph.nodes, { name: 'extra', layer: { type: 'dense', units: 4 }, inputs: [input] }] }
    expect(() => validateExperiment({ ...preset, discriminator: branch })).toThrow(
      /discriminator: the second-order unrolled GAN \(training.unrollGradient\) needs a D whose layers form one chain/,
    )
  })

  it('refuses, with the reason, what it cannot run', () => {
    const refused = (preset: string, overrides: string[]) => {
      try {
        validateExperiment(
          applyOverrides(requirePreset(preset).config, ['training.unrollSteps=2', 'training.unrollGradient=second-order', ...overrides]),
        )
      } catch (e) {
        if (e instanceof ConfigError) return e.errors.map((x) => `${x.path}: ${x.message}`)
        throw e
      }
      return []
    }
    expect(refused('mlp-2d-ring8', [])).toEqual([])
    expect(refused('mlp-2d-ring8-wgan-gp', ['training.unrollSteps=0'])).toEqual([]) // inert without unrolling
    expect(refused('mlp-2d-ring8-wgan-gp', [])).toEqual([
      'gan: the second-order unrolled GAN (training.unrollGradient) needs the vanilla objective, not the wgan-gp objective',
    ])
    expect(refused('mlp-2d-ring8', ['optimizers.discriminator={"type":"sgd","learningRate":0.01}', 'tricks.instanceNoise=0.1'])).toEqual([
      "optimizers.discriminator.type: the second-order unrolled GAN (training.unrollGradient) needs Adam for D (the look-ahead steps are D's Adam updates), not sgd",
      'tricks.instanceNoise: the second-order unrolled GAN (training.unrollGradient) needs D to see the batches as they are, not instance noise',
    ])
    // The D the look-ahead reads: an activation layer only right after a linear dense layer.
    const d = (layers: object[]) => [`discriminator=${JSON.stringify({ inputShape: [2], layers })}`]
    expect(
      refused(
        'mlp-2d-ring8',
        d([
          { type: 'dense', units: 8, activation: 'relu' },
          { type: 'activation', activation: 'tanh' },
          { type: 'dense', units: 1, activation: 'sigmoid' },
        ]),
      ),
    ).toEqual([
      'discriminator.layers[1]: the second-order unrolled GAN (training.unrollGradient) needs an MLP D: dense layers with linear, ReLU, LeakyReLU or tanh activations, each on the layer or as one activation layer right after it (the final sigmoid is read as a logit), not a activation (tanh) layer',
    ])
    expect(
      refused(
        'mlp-2d-ring8',
        d([
          { type: 'activation', activation: 'tanh' },
          { type: 'dense', units: 1, activation: 'sigmoid' },
        ]),
      ),
    ).toHaveLength(1)
    const separate = [
      { type: 'dense', units: 8 },
      { type: 'activation', activation: 'tanh' },
      { type: 'dense', units: 1 },
      { type: 'activation', activation: 'sigmoid' },
    ]
    expect(refused('mlp-2d-ring8', d(separate))).toEqual([])
    // What validation lets through, the look-ahead can build.
    const config = ring(['training.unrollGradient=second-order', ...d(separate)])
    new VanillaGan(config, createDataSource(config.dataset, 1)).dispose()
    const image = refused('dcgan-radford-mnist', [])
    expect(image.length).toBeGreaterThan(0)
    expect(
      image.every((e) => /^discriminator\.layers\[\d+\]: .*needs an MLP D/.test(e)),
      image.join('\n'),
    ).toBe(true)
  })
})
