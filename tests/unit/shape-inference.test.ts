import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { modelSpecSchema } from '../../src-shared/model/spec'
import { MAX_PARAMS, ShapeError, summarizeModel } from '../../src-shared/model/shape-inference'
import { buildModel } from '../../src-main/training/models'
import { PRESETS } from '../../src-shared/config/presets'
import {
  acganDiscriminator,
  acganDiscriminatorBlurPool,
  acganDiscriminatorEvenOverlap,
  acganDcganDiscriminator,
  acganDcganGenerator,
  acganGenerator,
  cganDiscriminator,
  cganGenerator,
} from '../../src-shared/config/conditional-models'
import {
  kerasDcganDiscriminator as kerasDiscriminator,
  kerasDcganGenerator as kerasGenerator,
} from '../../src-shared/config/reference-models'

const spec = (s: unknown) => modelSpecSchema.parse(s)

describe('shape inference', () => {
  it('reproduces the Keras-style reference generator layer by layer (1,164,289 params)', () => {
    const s = summarizeModel(spec(kerasGenerator))
    expect(s.layers.map((l) => [l.outputShape, l.params])).toEqual([
      [[6272], 633_472],
      [[6272], 0],
      [[7, 7, 128], 0],
      [[14, 14, 128], 262_272],
      [[14, 14, 128], 0],
      [[28, 28, 128], 262_272],
      [[28, 28, 128], 0],
      [[28, 28, 1], 6273],
    ])
    expect(s.totalParams).toBe(1_164_289)
  })

  it('reproduces the Keras-style reference discriminator (40,705 params)', () => {
    const s = summarizeModel(spec(kerasDiscriminator))
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [14, 14, 64],
      [14, 14, 64],
      [14, 14, 64],
      [7, 7, 64],
      [7, 7, 64],
      [7, 7, 64],
      [3136],
      [1],
    ])
    expect(s.layers.map((l) => l.params)).toEqual([640, 0, 0, 36_928, 0, 0, 0, 3137])
    expect(s.totalParams).toBe(40_705)
  })

  const cases: [string, unknown][] = [
    ['Keras generator', kerasGenerator],
    ['Keras discriminator', kerasDiscriminator],
    ...PRESETS.flatMap((p): [string, unknown][] => [
      [`${p.name} G`, p.config.generator],
      [`${p.name} D`, p.config.discriminator],
    ]),
  ]
  it.each(cases)('agrees with tfjs countParams and output shape: %s', (_name, s) => {
    const parsed = spec(s)
    const summary = summarizeModel(parsed)
    const model = buildModel(parsed, { prefix: 'g', seed: 1 })
    try {
      expect(model.countParams()).toBe(summary.totalParams)
      expect(model.outputs[0]!.shape.slice(1)).toEqual(summary.outputShape)
    } finally {
      model.dispose()
    }
  })

  it('counts BatchNorm moving statistics as non-trainable, like Keras', () => {
    const s = summarizeModel(spec({ inputShape: [8, 8, 16], layers: [{ type: 'batchNorm' }] }))
    expect(s.totalParams).toBe(64)
    expect(s.trainableParams).toBe(32)
    const model = buildModel(spec({ inputShape: [8, 8, 16], layers: [{ type: 'batchNorm' }] }), { prefix: 'd', seed: 1 })
    expect(model.countParams()).toBe(64)
    model.dispose()
  })

  it('handles valid padding, pooling, up-sampling and zero-padding', () => {
    const mixed = spec({
      inputShape: [28, 28, 1],
      layers: [
        { type: 'conv2d', filters: 4, kernelSize: 5, padding: 'valid' },
        { type: 'maxPooling2d', poolSize: 2 },
        {
          type: 'zeroPadding2d',
          padding: [
            [1, 1],
            [0, 2],
          ],
        },
        { type: 'upSampling2d', size: 2 },
        { type: 'conv2dTranspose', filters: 2, kernelSize: 3, strides: 2, padding: 'valid' },
      ],
    })
    const s = summarizeModel(mixed)
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [24, 24, 4],
      [12, 12, 4],
      [14, 14, 4],
      [28, 28, 4],
      [57, 57, 2],
    ])
    const model = buildModel(mixed, { prefix: 'g', seed: 1 })
    expect(model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => (l.outputShape as number[]).slice(1))).toEqual(
      s.layers.map((l) => l.outputShape),
    )
    expect(model.countParams()).toBe(s.totalParams)
    model.dispose()
  })

  it('names the offending layer when shapes do not fit', () => {
    expect(() =>
      summarizeModel(
        spec({
          inputShape: [100],
          layers: [
            { type: 'dense', units: 10 },
            { type: 'reshape', targetShape: [7, 7, 128] },
          ],
        }),
      ),
    ).toThrowError(/layers\[1\]: cannot reshape \[10\]/)
    expect(() => summarizeModel(spec({ inputShape: [100], layers: [{ type: 'conv2d', filters: 3, kernelSize: 3 }] }))).toThrowError(
      ShapeError,
    )
  })

  it('refuses a model over the parameter limit before building it', () => {
    const huge = spec({ inputShape: [65_536], layers: [{ type: 'dense', units: 65_536 }] })
    expect(() => summarizeModel(huge)).toThrowError(new RegExp(`over ${MAX_PARAMS.toLocaleString('en-US')} parameters`))
  })

  it('keeps the tensor count flat while building and disposing', () => {
    const before = tf.memory().numTensors
    buildModel(spec(kerasDiscriminator), { prefix: 'd', seed: 3 }).dispose()
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('graph specs', () => {
  const z = { name: 'z', shape: [4], role: 'latent' }
  const graph = (nodes: unknown[], outputs = ['out'], inputs: unknown[] = [z]) => spec({ inputs, nodes, outputs })

  it.each([
    ['AC-GAN generator', acganGenerator, 856_425],
    ['AC-GAN discriminator', acganDiscriminator, 119_691],
    ['AC-GAN discriminator, 4×4 strided', acganDiscriminatorEvenOverlap, 137_723],
    ['AC-GAN discriminator, blur-pooled', acganDiscriminatorBlurPool, 119_691],
    ['AC-GAN generator, DCGAN-style', acganDcganGenerator, 6_704_165],
    ['AC-GAN discriminator, DCGAN-style', acganDcganDiscriminator, 6_571_723],
    ['cGAN generator', cganGenerator, 1_504_501],
    ['cGAN discriminator', cganDiscriminator, 49_121],
  ])('%s: the count matches the built tfjs model (%i params)', (_name, raw, expected) => {
    const s = summarizeModel(spec(raw), 'latent')
    expect(s.totalParams).toBe(expected)
    const model = buildModel(spec(raw), { prefix: 'g', seed: 1 })
    expect(model.countParams()).toBe(expected)
    expect(model.outputs.map((o) => o.shape.slice(1))).toEqual(s.outputs.map((o) => o.shape))
    model.dispose()
  })

  it('infers merge shapes: concatenate joins the last axis, multiply and add keep the shape', () => {
    const s = summarizeModel(
      graph([
        { name: 'a', layer: { type: 'dense', units: 3 }, inputs: ['z'] },
        { name: 'cat', layer: { type: 'concatenate' }, inputs: ['z', 'a'] },
        { name: 'b', layer: { type: 'dense', units: 7 }, inputs: ['cat'] },
        { name: 'mul', layer: { type: 'multiply' }, inputs: ['b', 'cat'] },
        { name: 'out', layer: { type: 'add' }, inputs: ['mul', 'b'] },
      ]),
    )
    expect(s.layers.map((l) => l.outputShape)).toEqual([[3], [7], [7], [7], [7]])
    expect(s.totalParams).toBe(4 * 3 + 3 + 7 * 7 + 7)
  })

  it('names the offending node for each kind of broken graph', () => {
    const dense = (name: string, inputs: string[], units = 4) => ({ name, layer: { type: 'dense', units }, inputs })
    expect(() => summarizeModel(graph([dense('out', ['nope'])]))).toThrowError(
      /nodes\[0\]\.inputs\[0\]: "nope" is not an input or an earlier node/,
    )
    // A reference to a later node is refused, so no spec can describe a cycle.
    expect(() => summarizeModel(graph([dense('a', ['out']), dense('out', ['a'])]))).toThrowError(
      /nodes\[0\]\.inputs\[0\]: "out" is not an input or an earlier node/,
    )
    expect(() => summarizeModel(graph([dense('out', ['z']), dense('out', ['z'])]))).toThrowError(/nodes\[1\]\.name: "out" is used twice/)
    expect(() => summarizeModel(graph([dense('dead', ['z']), dense('out', ['z'])]))).toThrowError(/nodes\[0\]: "dead" feeds no output/)
    expect(() => summarizeModel(graph([dense('a', ['z'], 3), { name: 'out', layer: { type: 'add' }, inputs: ['z', 'a'] }]))).toThrowError(
      /nodes\[1\]: Add needs inputs of one shape, got \[4\], \[3\]/,
    )
    expect(() => summarizeModel(graph([{ name: 'out', layer: { type: 'concatenate' }, inputs: ['z'] }]))).toThrowError(
      /needs at least two inputs/,
    )
    expect(() => summarizeModel(graph([dense('out', ['z'])], ['missing']))).toThrowError(/outputs\[0\]: "missing" is not a node/)
    expect(() =>
      summarizeModel(graph([dense('out', ['z'])], ['out'], [z, { name: 'label', shape: [2], role: 'label', classes: 10 }])),
    ).toThrowError(/inputs\[1\]: a label input has shape \[1\]/)
  })

  it('rejects names that are not identifiers at the schema', () => {
    expect(modelSpecSchema.safeParse({ inputs: [{ name: '../x', shape: [1], role: 'latent' }], nodes: [], outputs: ['a'] }).success).toBe(
      false,
    )
  })
})
