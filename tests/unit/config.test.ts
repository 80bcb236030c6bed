import { describe, expect, it } from 'vitest'
import { dataShape, validateExperiment } from '../../src-shared/config/validate'
import { ConfigError } from '../../src-shared/config/errors'
import { PRESETS, requirePreset } from '../../src-shared/config/presets'
import { applyOverrides, OverrideError } from '../../src-shared/config/overrides'
import { experimentConfigSchema, isTranslation } from '../../src-shared/config/experiment'
import { TWIN_TOGGLES } from '../../src-shared/config/twins'

const base = () => structuredClone(requirePreset('mlp-2d-ring8').config) as Record<string, unknown>

function errorsOf(raw: unknown) {
  try {
    validateExperiment(raw)
  } catch (e) {
    if (e instanceof ConfigError) return e.errors
    throw e
  }
  throw new Error('expected a ConfigError')
}

describe('experiment config', () => {
  it.each(PRESETS.map((p) => [p.name, p]))('preset %s is valid', (_n, p) => {
    const v = validateExperiment(p.config)
    expect(v.generator.outputShape).toEqual(dataShape(v.config))
    // One score per sample, or per patch for the translators' PatchGANs (pix2pix, CycleGAN).
    expect(v.discriminator.outputShape).toEqual(isTranslation(v.config.conditioning) ? [7, 7, 1] : [1])
  })

  it("matches D's output layer to the objective", () => {
    expect(errorsOf(applyOverrides(base(), ['gan=wgan']))).toEqual([
      { path: 'discriminator.layers[4]', message: 'wgan needs D to output a raw score: use a linear activation, not sigmoid' },
    ])
    expect(errorsOf(applyOverrides(base(), ['discriminator.layers.4.activation=linear']))[0]!.message).toMatch(
      /vanilla GAN needs D to end in a sigmoid/,
    )
  })

  it('names an unknown field, even nested', () => {
    const c = base()
    ;(c.training as Record<string, unknown>).batchsize = 64
    c.colour = 'red'
    expect(errorsOf(c)).toEqual(
      expect.arrayContaining([
        { path: 'training.batchsize', message: 'unknown field' },
        { path: 'colour', message: 'unknown field' },
      ]),
    )
  })

  it('names a field with a wrong type or range', () => {
    const errs = errorsOf(applyOverrides(base(), ['training.batchSize="many"', 'optimizers.generator.learningRate=-1']))
    expect(errs.map((e) => e.path)).toEqual(expect.arrayContaining(['training.batchSize', 'optimizers.generator.learningRate']))
  })

  it('names the layer field in a model spec', () => {
    const errs = errorsOf(applyOverrides(base(), ['generator.layers.0.units=0']))
    expect(errs[0]!.path).toBe('generator.layers[0].units')
  })

  it('names the field inside a graph spec, not "Invalid input"', () => {
    const acgan = structuredClone(requirePreset('acgan-mnist').config) as { generator: { nodes: { layer: Record<string, unknown> }[] } }
    acgan.generator.nodes[0]!.layer.outputDim = 'x'
    expect(errorsOf(acgan)).toEqual([{ path: 'generator.nodes[0].layer.outputDim', message: 'enter a number' }])
    const cgan = structuredClone(requirePreset('cgan-mnist').config) as { discriminator: { inputs: { classes: number }[] } }
    cgan.discriminator.inputs[1]!.classes = 7
    expect(errorsOf(cgan)).toEqual([{ path: 'discriminator.inputs[1].classes', message: "must be 10 (the dataset's classes), got 7" }])
  })

  it('checks that G maps z to a data point and D to one score', () => {
    const errs = errorsOf(applyOverrides(base(), ['latent.dim=8', 'generator.layers.4.units=3']))
    expect(errs.map((e) => e.path)).toEqual(['generator.inputShape', 'generator.layers'])
    expect(errs[1]!.message).toMatch(/outputs \[3\] but the dataset's samples are \[2\]/)
  })

  it('refuses negative and absurd shapes before building anything', () => {
    expect(errorsOf(applyOverrides(base(), ['generator.inputShape=[-4]']))[0]!.path).toBe('generator.inputShape[0]')
    const huge = applyOverrides(base(), ['generator.layers.2.units=65536', 'generator.layers.0.units=65536'])
    expect(errorsOf(huge)[0]!.message).toMatch(/over 100,000,000 parameters/)
  })

  it('fills defaults so stored configs are complete', () => {
    const parsed = experimentConfigSchema.parse({ ...base(), tricks: undefined, loss: undefined, backend: undefined })
    expect(parsed.tricks).toEqual({
      labelSmoothing: 0,
      instanceNoise: 0,
      softLabels: false,
      labelFlip: 0,
      featureMatching: false,
      virtualBatchNorm: 0,
      resizeConv: false,
      translate: 0,
    })
    expect(parsed.loss.generator).toBe('non-saturating')
    expect(parsed.backend).toBe('auto')
  })
})

describe('resize-convolution (tricks.resizeConv)', () => {
  const validated = (preset: string, on: boolean) =>
    validateExperiment(applyOverrides(requirePreset(preset).config, [`tricks.resizeConv=${on}`]))

  it("turns G's up-sampling transposed convolutions into up-sampling + convolution, same params and shapes", () => {
    const off = validated('dcgan-radford-mnist', false)
    const on = validated('dcgan-radford-mnist', true)
    const types = (on.config.generator as { layers: { type: string; strides?: number }[] }).layers.map((l) => l.type)
    expect(types).not.toContain('conv2dTranspose')
    expect(types.filter((t) => t === 'upSampling2d')).toHaveLength(2)
    expect(on.generator.totalParams).toBe(off.generator.totalParams)
    expect(on.generator.outputShape).toEqual([28, 28, 1])
    // D is left alone.
    expect(on.config.discriminator).toEqual(off.config.discriminator)
  })

  it('rewrites graph generators too (the U-Net), keeping node names its skips read, and is idempotent', () => {
    const off = validated('pix2pix-mnist-edges', false)
    const on = validated('pix2pix-mnist-edges', true)
    expect(on.generator.totalParams).toBe(off.generator.totalParams)
    const nodes = (on.config.generator as { nodes: { name: string; layer: { type: string } }[] }).nodes
    expect(nodes.some((n) => n.layer.type === 'conv2dTranspose')).toBe(false)
    const offNames = (off.config.generator as { nodes: { name: string }[] }).nodes.map((n) => n.name)
    expect(nodes.map((n) => n.name)).toEqual(expect.arrayContaining(offNames))
    expect(validateExperiment(on.config).config.generator).toEqual(on.config.generator)
  })

  it('is a twin-run toggle for generators that up-sample with transposed convolutions, one way', () => {
    const toggle = TWIN_TOGGLES.find((t) => t.id === 'resize-conv')!
    expect(toggle.applies(validated('dcgan-radford-mnist', false).config)).toBe(true)
    expect(toggle.applies(validated('dcgan-radford-mnist', true).config)).toBe(false)
    expect(toggle.applies(validated('mlp-2d-ring8', false).config)).toBe(false)
    expect(toggle.overrides(validated('dcgan-radford-mnist', false).config)).toEqual(['tricks.resizeConv=true'])
  })

  it('offers only the twins a run can start: not instance noise or feature matching beside second-order unrolling', () => {
    const config = (name: string) => validateExperiment(requirePreset(name).config).config
    const offered = (c: ReturnType<typeof config>) => TWIN_TOGGLES.filter((t) => t.applies(c)).map((t) => t.id)
    expect(offered(config('mlp-2d-ring8'))).toEqual(expect.arrayContaining(['instance-noise', 'feature-matching']))
    const second = config('mlp-2d-ring8-unrolled')
    expect(offered(second)).not.toContain('instance-noise')
    expect(offered(second)).not.toContain('feature-matching')
    // Every twin it does offer validates.
    for (const t of TWIN_TOGGLES.filter((x) => x.applies(second))) validateExperiment(applyOverrides(second, t.overrides(second)))
  })
})

describe('--set overrides', () => {
  it('parses JSON values and keeps other text as strings', () => {
    const c = applyOverrides({ a: { b: 1 } }, ['a.b=2', 'a.c=true', 'a.d=[1,2]', 'a.e=hello', 'f.g=0.5'])
    expect(c).toEqual({ a: { b: 2, c: true, d: [1, 2], e: 'hello' }, f: { g: 0.5 } })
  })

  it('does not touch the original', () => {
    const original = { a: { b: 1 } }
    applyOverrides(original, ['a.b=2'])
    expect(original.a.b).toBe(1)
  })

  it.each(['novalue', '=3', 'a..b=1', '__proto__.x=1', 'a.constructor=1'])('refuses "%s"', (text) => {
    expect(() => applyOverrides({ a: {} }, [text])).toThrowError(OverrideError)
  })

  it('refuses to descend into a scalar', () => {
    expect(() => applyOverrides({ a: 1 }, ['a.b=2'])).toThrowError(/a is not an object/)
  })
})
