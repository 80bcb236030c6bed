/**
 * Every GAN family's first steps, loss for loss, against values recorded from the engine before its
 * objectives moved into one file per family (src-main/training/objectives/). On the cpu backend a
 * step is deterministic, so a refactor of the objectives must reproduce these numbers to the last
 * bit; a change that moves them changes what the family trains. Tiny sizes keep it cheap.
 *
 * Regenerate (only for an intended change of a family's numbers, said in the commit):
 *   GWB_RECORD_OBJECTIVES=1 npx vitest run tests/unit/objective-parity.test.ts
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ExperimentConfigInput } from '../../src-shared/config/experiment'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { selectBackend } from '../../src-main/training/backend'
import { createGan } from '../../src-main/training/create-gan'
import { readMetrics, type StepMetrics } from '../../src-main/training/step-metrics'
import { createDataSource } from '../../src-main/datasets/create-data-source'

const FIXTURE = path.join(__dirname, '../fixtures/objective-losses.json')
const RECORD = process.env.GWB_RECORD_OBJECTIVES === '1'

const point = ['training.batchSize=16']
const image = ['training.batchSize=4', 'dataset.limit=16']

/**
 * Small image models with each family's inputs and heads (the presets' own take minutes per step
 * on the cpu backend and carry dropout, whose masks tfjs draws unseeded): 28×28 MNIST, z of 8.
 */
const leaky = 'leakyRelu' as const
const gBody = (from: string) => [
  { name: 'project', layer: { type: 'dense', units: 196 }, inputs: [from] },
  { name: 'project_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['project'] },
  { name: 'to_7x7', layer: { type: 'reshape', targetShape: [7, 7, 4] }, inputs: ['project_bn'] },
  { name: 'up_14', layer: { type: 'conv2dTranspose', filters: 4, kernelSize: 4, strides: 2, activation: 'relu' }, inputs: ['to_7x7'] },
  { name: 'image', layer: { type: 'conv2dTranspose', filters: 1, kernelSize: 4, strides: 2, activation: 'tanh' }, inputs: ['up_14'] },
]
const dBody = (from: string, batchNorm: boolean) => [
  { name: 'conv_1', layer: { type: 'conv2d', filters: 4, kernelSize: 4, strides: 2, activation: leaky }, inputs: [from] },
  {
    name: 'conv_2',
    layer: { type: 'conv2d', filters: 4, kernelSize: 4, strides: 2, activation: batchNorm ? 'linear' : leaky },
    inputs: ['conv_1'],
  },
  ...(batchNorm ? [{ name: 'conv_2_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['conv_2'] }] : []),
  { name: 'features', layer: { type: 'flatten' }, inputs: [batchNorm ? 'conv_2_bn' : 'conv_2'] },
  { name: 'score', layer: { type: 'dense', units: 1, activation: 'sigmoid' }, inputs: ['features'] },
]
const z = { name: 'z', shape: [8], role: 'latent' }
const label = { name: 'label', shape: [1], role: 'label', classes: 10 }
const img = { name: 'image', shape: [28, 28, 1], role: 'image' }
const MODELS: Record<string, { generator: unknown; discriminator: unknown }> = {
  none: {
    generator: { inputs: [z], nodes: gBody('z'), outputs: ['image'] },
    discriminator: { inputs: [img], nodes: dBody('image', true), outputs: ['score'] },
  },
  cgan: {
    generator: {
      inputs: [z, label],
      nodes: [
        { name: 'label_embedding', layer: { type: 'embedding', inputDim: 10, outputDim: 8 }, inputs: ['label'] },
        { name: 'label_vector', layer: { type: 'flatten' }, inputs: ['label_embedding'] },
        { name: 'z_and_label', layer: { type: 'concatenate' }, inputs: ['z', 'label_vector'] },
        ...gBody('z_and_label'),
      ],
      outputs: ['image'],
    },
    discriminator: {
      inputs: [img, label],
      nodes: [
        { name: 'label_embedding', layer: { type: 'embedding', inputDim: 10, outputDim: 784 }, inputs: ['label'] },
        { name: 'label_plane', layer: { type: 'reshape', targetShape: [28, 28, 1] }, inputs: ['label_embedding'] },
        { name: 'image_and_label', layer: { type: 'concatenate' }, inputs: ['image', 'label_plane'] },
        ...dBody('image_and_label', false),
      ],
      outputs: ['score'],
    },
  },
  acgan: {
    generator: {
      inputs: [z, label],
      nodes: [
        { name: 'label_embedding', layer: { type: 'embedding', inputDim: 10, outputDim: 8 }, inputs: ['label'] },
        { name: 'label_vector', layer: { type: 'flatten' }, inputs: ['label_embedding'] },
        { name: 'conditioned_z', layer: { type: 'multiply' }, inputs: ['z', 'label_vector'] },
        ...gBody('conditioned_z'),
      ],
      outputs: ['image'],
    },
    discriminator: {
      inputs: [img],
      nodes: [
        ...dBody('image', false),
        { name: 'class', layer: { type: 'dense', units: 10, activation: 'softmax' }, inputs: ['features'] },
      ],
      outputs: ['score', 'class'],
    },
  },
  infogan: {
    generator: {
      inputs: [z, { name: 'codes', shape: [12], role: 'code' }],
      nodes: [{ name: 'z_and_codes', layer: { type: 'concatenate' }, inputs: ['z', 'codes'] }, ...gBody('z_and_codes')],
      outputs: ['image'],
    },
    discriminator: {
      inputs: [img],
      nodes: [...dBody('image', true), { name: 'q', layer: { type: 'dense', units: 12 }, inputs: ['features'] }],
      outputs: ['score', 'q'],
    },
  },
  pix2pix: {
    generator: {
      inputs: [{ name: 'edges', shape: [28, 28, 1], role: 'condition' }],
      nodes: [
        { name: 'down_14', layer: { type: 'conv2d', filters: 4, kernelSize: 4, strides: 2, activation: leaky }, inputs: ['edges'] },
        { name: 'down_14_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['down_14'] },
        {
          name: 'image',
          layer: { type: 'conv2dTranspose', filters: 1, kernelSize: 4, strides: 2, activation: 'tanh' },
          inputs: ['down_14_bn'],
        },
      ],
      outputs: ['image'],
    },
    discriminator: {
      inputs: [{ name: 'edges', shape: [28, 28, 1], role: 'condition' }, img],
      nodes: [
        { name: 'pair', layer: { type: 'concatenate' }, inputs: ['edges', 'image'] },
        { name: 'conv_1', layer: { type: 'conv2d', filters: 4, kernelSize: 4, strides: 2, activation: leaky }, inputs: ['pair'] },
        { name: 'features', layer: { type: 'conv2d', filters: 4, kernelSize: 4, strides: 2, activation: leaky }, inputs: ['conv_1'] },
        { name: 'score', layer: { type: 'conv2d', filters: 1, kernelSize: 3, activation: 'sigmoid' }, inputs: ['features'] },
      ],
      outputs: ['score'],
    },
  },
}

/** One case per family, and the combinations whose terms meet in one loss (a penalty with labels, two heads with another objective, tricks). */
export const CASES: Record<string, { preset: string; overrides: string[]; models?: keyof typeof MODELS }> = {
  vanilla: { preset: 'mlp-2d-ring8', overrides: point },
  'vanilla-minimax-tricks': {
    preset: 'mlp-2d-ring8',
    overrides: [
      ...point,
      'loss.generator=minimax',
      'training.dSteps=2',
      'tricks.softLabels=true',
      'tricks.labelFlip=0.2',
      'tricks.instanceNoise=0.1',
    ],
  },
  'vanilla-smoothing-ema': {
    preset: 'mlp-2d-ring8',
    overrides: [...point, 'tricks.labelSmoothing=0.1', 'training.generatorEma=0.9', 'training.lrSchedule=linear'],
  },
  lsgan: { preset: 'mlp-2d-ring8-lsgan', overrides: point },
  wgan: { preset: 'mlp-2d-ring8-wgan', overrides: point },
  'wgan-gp': { preset: 'mlp-2d-ring8-wgan-gp', overrides: point },
  unrolled: { preset: 'mlp-2d-ring8-unrolled-first-order', overrides: [...point, 'training.unrollSteps=2'] },
  'feature-matching': { preset: 'mlp-2d-ring8-feature-matching', overrides: point },
  'dcgan-bn-vbn': { preset: 'dcgan-mnist-bn', models: 'none', overrides: [...image, 'latent.dim=8', 'tricks.virtualBatchNorm=2'] },
  cgan: { preset: 'cgan-mnist', models: 'cgan', overrides: [...image, 'latent.dim=8'] },
  'cgan-wgan-gp': { preset: 'cgan-mnist', models: 'cgan', overrides: [...image, 'latent.dim=8', 'gan=wgan-gp'] },
  acgan: { preset: 'acgan-mnist', models: 'acgan', overrides: [...image, 'latent.dim=8'] },
  'acgan-lsgan-fm-vbn': {
    preset: 'acgan-mnist',
    models: 'acgan',
    overrides: [...image, 'latent.dim=8', 'gan=lsgan', 'tricks.featureMatching=true', 'tricks.virtualBatchNorm=2'],
  },
  infogan: { preset: 'infogan-mnist', models: 'infogan', overrides: [...image, 'latent.dim=8'] },
  'infogan-wgan-unrolled': {
    preset: 'infogan-mnist',
    models: 'infogan',
    overrides: [...image, 'latent.dim=8', 'gan=wgan', 'training.unrollSteps=1'],
  },
  pix2pix: { preset: 'pix2pix-mnist-edges', models: 'pix2pix', overrides: image },
  'pix2pix-fm-vbn': {
    preset: 'pix2pix-mnist-edges',
    models: 'pix2pix',
    overrides: [...image, 'tricks.featureMatching=true', 'tricks.virtualBatchNorm=2'],
  },
}

const STEPS = 3

function caseConfig(name: string) {
  const c = CASES[name]!
  const preset = requirePreset(c.preset).config
  // A score critic (LSGAN, WGAN) ends in a linear score where the vanilla D ends in a sigmoid.
  const critic = (spec: unknown) =>
    JSON.parse(JSON.stringify(spec).replace(/("name":"score","layer":\{[^}]*"activation":)"sigmoid"/, '$1"linear"'))
  const scored = c.overrides.some((o) => o.startsWith('gan=') && o !== 'gan=vanilla')
  const models = c.models && {
    ...MODELS[c.models]!,
    discriminator: scored ? critic(MODELS[c.models]!.discriminator) : MODELS[c.models]!.discriminator,
  }
  const base = { ...preset, ...models } as ExperimentConfigInput
  return validateExperiment(applyOverrides(base, c.overrides)).config
}

/** Each step's metrics (step 1 is a quiet step: losses only). */
async function trace(name: string): Promise<Record<string, number>[]> {
  const config = caseConfig(name)
  const gan = createGan(config, createDataSource(config.dataset, 1))
  const out: Record<string, number>[] = []
  try {
    for (let s = 0; s < STEPS; s++) {
      const m = gan.trainStep(s, s / STEPS, s !== 1)
      out.push(await readMetrics(m as StepMetrics))
    }
  } finally {
    gan.dispose()
  }
  return out
}

beforeAll(async () => {
  await selectBackend('cpu')
})

describe('objectives reproduce their recorded losses on the cpu backend', () => {
  const recorded: Record<string, Record<string, number>[]> = RECORD ? {} : JSON.parse(fs.readFileSync(FIXTURE, 'utf8'))
  it('has a recorded trace for every case', (ctx) => {
    if (RECORD) ctx.skip('recording')
    expect(Object.keys(recorded).sort()).toEqual(Object.keys(CASES).sort())
  })
  for (const name of Object.keys(CASES)) {
    it(
      name,
      async () => {
        expect(tf.getBackend()).toBe('cpu')
        const got = await trace(name)
        if (RECORD) {
          const all = fs.existsSync(FIXTURE) ? JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) : {}
          fs.writeFileSync(FIXTURE, JSON.stringify({ ...all, [name]: got }, null, 1) + '\n')
          return
        }
        expect(got).toEqual(recorded[name])
      },
      600_000,
    )
  }
})

describe('every family keeps the tensor count flat', () => {
  for (const name of ['vanilla', 'wgan-gp', 'unrolled', 'cgan', 'acgan-lsgan-fm-vbn', 'infogan', 'pix2pix-fm-vbn']) {
    it(`${name}, on logged and quiet steps`, async () => {
      const config = caseConfig(name)
      const gan = createGan(config, createDataSource(config.dataset, 1))
      await readMetrics(gan.trainStep(0, 0) as StepMetrics) // optimizer slots are created on the first step
      const before = tf.memory().numTensors
      for (let s = 1; s < 5; s++) {
        const m = gan.trainStep(s, 0, s % 2 === 0)
        await readMetrics(m as StepMetrics)
      }
      expect(tf.memory().numTensors).toBe(before)
      gan.dispose()
    }, 600_000)
  }
})
