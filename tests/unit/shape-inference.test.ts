import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { modelSpecSchema } from '../../src-shared/model/spec'
import { MAX_PARAMS, ShapeError, summarizeModel } from '../../src-shared/model/shape-inference'
import { buildModel } from '../../src-main/training/models'
import { PRESETS } from '../../src-shared/config/presets'
import { kerasDcganDiscriminator as kerasDiscriminator, kerasDcganGenerator as kerasGenerator } from '../../src-shared/config/reference-models'

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
    expect(s.layers.map((l) => l.outputShape)).toEqual([[14, 14, 64], [14, 14, 64], [14, 14, 64], [7, 7, 64], [7, 7, 64], [7, 7, 64], [3136], [1]])
    expect(s.layers.map((l) => l.params)).toEqual([640, 0, 0, 36_928, 0, 0, 0, 3137])
    expect(s.totalParams).toBe(40_705)
  })

  const cases: [string, unknown][] = [
    ['Keras generator', kerasGenerator],
    ['Keras discriminator', kerasDiscriminator],
    ...PRESETS.flatMap((p): [string, unknown][] => [[`${p.name} G`, p.config.generator], [`${p.name} D`, p.config.discriminator]]),
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
        { type: 'zeroPadding2d', padding: [[1, 1], [0, 2]] },
        { type: 'upSampling2d', size: 2 },
        { type: 'conv2dTranspose', filters: 2, kernelSize: 3, strides: 2, padding: 'valid' },
      ],
    })
    const s = summarizeModel(mixed)
    expect(s.layers.map((l) => l.outputShape)).toEqual([[24, 24, 4], [12, 12, 4], [14, 14, 4], [28, 28, 4], [57, 57, 2]])
    const model = buildModel(mixed, { prefix: 'g', seed: 1 })
    expect(model.layers.map((l) => (l.outputShape as number[]).slice(1))).toEqual(s.layers.map((l) => l.outputShape))
    expect(model.countParams()).toBe(s.totalParams)
    model.dispose()
  })

  it('names the offending layer when shapes do not fit', () => {
    expect(() => summarizeModel(spec({ inputShape: [100], layers: [{ type: 'dense', units: 10 }, { type: 'reshape', targetShape: [7, 7, 128] }] })))
      .toThrowError(/layers\[1\]: cannot reshape \[10\]/)
    expect(() => summarizeModel(spec({ inputShape: [100], layers: [{ type: 'conv2d', filters: 3, kernelSize: 3 }] })))
      .toThrowError(ShapeError)
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
