import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { adversarialLoss } from '../../src-main/training/losses'
import { selectBackend } from '../../src-main/training/backend'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { readMetrics } from '../../src-main/training/step-metrics'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'

const cfg = (preset: string, overrides: string[] = []) => validateExperiment(applyOverrides(requirePreset(preset).config, overrides)).config
const value = (t: tf.Tensor) => t.dataSync()[0]!

beforeAll(async () => {
  await selectBackend('auto')
})

describe('adversarial losses, against hand-computed values', () => {
  const real = () => tf.tensor([[2], [0]])
  const fake = () => tf.tensor([[-1], [1]])

  it('vanilla: BCE on logits, halved for D; non-saturating and minimax G', () => {
    const softplus = (x: number) => Math.log1p(Math.exp(x))
    const l = adversarialLoss(cfg('mlp-2d-ring8'))
    // −log σ(x) = softplus(−x), −log(1 − σ(x)) = softplus(x)
    const dExpected = 0.5 * ((softplus(-2) + softplus(0)) / 2 + (softplus(-1) + softplus(1)) / 2)
    expect(value(l.discriminator(real(), fake()))).toBeCloseTo(dExpected, 5)
    expect(value(l.generator(fake()))).toBeCloseTo((softplus(1) + softplus(-1)) / 2, 5)
    const minimax = adversarialLoss(cfg('mlp-2d-ring8', ['loss.generator=minimax']))
    expect(value(minimax.generator(fake()))).toBeCloseTo(-(softplus(-1) + softplus(1)) / 2, 5)
    expect(value(l.summary(tf.tensor([[0], [0]])))).toBeCloseTo(0.5, 6)
  })

  it('vanilla with one-sided label smoothing targets 0.9 for real only', () => {
    const l = adversarialLoss(cfg('mlp-2d-ring8', ['tricks.labelSmoothing=0.1']))
    const plain = adversarialLoss(cfg('mlp-2d-ring8'))
    expect(value(l.discriminator(real(), fake()))).toBeGreaterThan(value(plain.discriminator(real(), fake())))
    expect(value(l.generator(fake()))).toBeCloseTo(value(plain.generator(fake())), 6)
  })

  it('lsgan: ½[(D(x) − 1)² + D(G(z))²] and ½(D(G(z)) − 1)²', () => {
    const l = adversarialLoss(cfg('mlp-2d-ring8-lsgan'))
    expect(value(l.discriminator(real(), fake()))).toBeCloseTo(0.5 * ((1 + 1) / 2 + (1 + 1) / 2), 6)
    expect(value(l.generator(fake()))).toBeCloseTo(0.5 * ((4 + 0) / 2), 6)
  })

  it('wgan: E[D(G(z))] − E[D(x)] and −E[D(G(z))]', () => {
    const l = adversarialLoss(cfg('mlp-2d-ring8-wgan'))
    expect(value(l.discriminator(real(), fake()))).toBeCloseTo(0 - 1, 6)
    expect(value(l.generator(fake()))).toBeCloseTo(0, 6)
  })
})

describe('critic constraints', () => {
  it('wgan clips every critic weight to ±clip after its update', async () => {
    const config = cfg('mlp-2d-ring8-wgan', ['training.batchSize=16', 'loss.clip=0.005'])
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    await readMetrics(gan.trainStep(0, 0))
    for (const w of gan.discriminator.getWeights())
      expect(Math.max(...Array.from(w.dataSync(), Math.abs))).toBeLessThanOrEqual(0.005 + 1e-7)
    gan.dispose()
  })

  it('wgan-gp trains through the input gradient of an MLP and of a conv critic', async () => {
    for (const config of [
      cfg('mlp-2d-ring8-wgan-gp', ['training.batchSize=16']),
      cfg('dcgan-mnist', [
        'gan=wgan-gp',
        'discriminator.layers.7.activation=linear',
        'training.batchSize=2',
        'dataset.limit=8',
        'training.dSteps=1',
      ]),
    ]) {
      const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
      const m = await readMetrics(gan.trainStep(0, 0))
      expect(Number.isFinite(m.dLoss)).toBe(true)
      expect(m.dGradNorm).toBeGreaterThan(0)
      gan.dispose()
    }
  })
})

describe('label tricks', () => {
  const real = () => tf.tensor([[2], [0], [1], [-1]])
  const fake = () => tf.tensor([[-1], [1], [0], [3]])

  it('soft labels draw reproducible targets per seed, and change the loss', () => {
    const soft = adversarialLoss(cfg('mlp-2d-ring8', ['tricks.softLabels=true']))
    const plain = adversarialLoss(cfg('mlp-2d-ring8'))
    const a = value(soft.discriminator(real(), fake(), 7))
    expect(value(soft.discriminator(real(), fake(), 7))).toBe(a)
    expect(value(soft.discriminator(real(), fake(), 8))).not.toBe(a)
    expect(a).not.toBeCloseTo(value(plain.discriminator(real(), fake(), 7)), 4)
  })

  it('flipping every label with p = 0.5 on average swaps half of them; p = 0 changes nothing', () => {
    const none = adversarialLoss(cfg('mlp-2d-ring8', ['tricks.labelFlip=0']))
    const plain = adversarialLoss(cfg('mlp-2d-ring8'))
    expect(value(none.discriminator(real(), fake(), 3))).toBe(value(plain.discriminator(real(), fake(), 3)))
    const flip = adversarialLoss(cfg('mlp-2d-ring8', ['tricks.labelFlip=0.5']))
    const losses = Array.from({ length: 20 }, (_, s) => value(flip.discriminator(real(), fake(), s)))
    expect(new Set(losses.map((v) => v.toFixed(5))).size).toBeGreaterThan(3)
  })
})
