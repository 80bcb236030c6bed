/**
 * The builder's graph analysis: every preset's models round-trip with their exact parameter
 * counts (the Keras-style pair: 1,164,289 and 40,705), and each kind of mistake is pinned on the
 * layer it belongs to while the rest of the graph keeps its shapes.
 */
import { describe, expect, it } from 'vitest'
import { analyzeGraph, editableFromSpec, specFromEditable, type EditableGraph } from '../../src-shared/model/graph-analysis'
import { PRESETS, requirePreset } from '../../src-shared/config/presets'
import { summarizeModel } from '../../src-shared/model/shape-inference'
import { modelSpecSchema } from '../../src-shared/model/spec'
import { validateExperiment } from '../../src-shared/config/validate'

const keras = requirePreset('dcgan-mnist').config

describe("the builder's graph analysis", () => {
  it('reproduces the Keras-style pair exactly: G 1,164,289 and D 40,705 parameters', () => {
    const g = analyzeGraph(editableFromSpec(keras.generator, 'latent'))
    const d = analyzeGraph(editableFromSpec(keras.discriminator, 'image'))
    expect(g.errors).toEqual([])
    expect(g.summary!.totalParams).toBe(1_164_289)
    expect(g.totalParams).toBe(1_164_289)
    expect(d.summary!.totalParams).toBe(40_705)
    expect(g.nodes.conv2dTranspose_2!.shape).toEqual([28, 28, 128])
  })

  it.each(PRESETS.map((p) => [p.name, p] as const))(
    '%s: both models round-trip with the same counts and still validate',
    (_name, preset) => {
      const { config } = validateExperiment(preset.config)
      const gRole = config.conditioning === 'pix2pix' || config.conditioning === 'cyclegan' ? 'condition' : 'latent'
      const g = analyzeGraph(editableFromSpec(preset.config.generator, gRole))
      const d = analyzeGraph(editableFromSpec(preset.config.discriminator, 'image'))
      expect(g.summary!.totalParams).toBe(summarizeModel(modelSpecSchema.parse(preset.config.generator), gRole).totalParams)
      expect(d.summary!.totalParams).toBe(summarizeModel(modelSpecSchema.parse(preset.config.discriminator), 'image').totalParams)
      // The edited form is a config's model: a run can be launched from it.
      expect(() => validateExperiment({ ...preset.config, generator: g.spec!, discriminator: d.spec! })).not.toThrow()
    },
  )

  const base = (): EditableGraph => editableFromSpec(keras.discriminator, 'image')

  it('accepts nodes in any order (as the editor adds them) and sorts them for training', () => {
    const g = base()
    g.nodes.reverse()
    const a = analyzeGraph(g)
    expect(a.summary!.totalParams).toBe(40_705)
    expect(a.spec!.nodes[0]!.name).toBe('conv2d')
  })

  it('pins a bad parameter, a shape mismatch, a cycle and a dangling layer on their own layers', () => {
    const badParam = base()
    badParam.nodes[0]!.layer = { ...badParam.nodes[0]!.layer, filters: 0 }
    const a = analyzeGraph(badParam)
    expect(a.nodes.conv2d!.error).toMatch(/^filters: /)
    expect(a.nodes.conv2d_2!.blocked).toBe(true) // downstream: waits, not its own error
    expect(a.spec).toBeUndefined()

    const mismatch = base()
    mismatch.nodes.find((n) => n.name === 'flatten')!.inputs = ['input']
    mismatch.nodes.find((n) => n.name === 'flatten')!.layer = { type: 'reshape', targetShape: [7, 7, 7] }
    expect(analyzeGraph(mismatch).nodes.flatten!.error).toMatch(/784.*343|343.*784/)

    const cycle = base()
    cycle.nodes[0]!.inputs = [cycle.nodes[2]!.name]
    const c = analyzeGraph(cycle)
    expect(Object.values(c.nodes).some((n) => /cycle/.test(n.error ?? ''))).toBe(true)

    const dangling = base()
    dangling.nodes.push({ name: 'extra', layer: { type: 'dense', units: 3 }, inputs: ['flatten'] })
    const dd = analyzeGraph(dangling)
    expect(dd.nodes.extra!.error).toMatch(/feeds no output/)
    expect(dd.nodes.extra!.shape).toEqual([3]) // its shape is still inferred
    expect(dd.spec).toBeUndefined()

    const lonely = base()
    lonely.nodes.push({ name: 'lonely', layer: { type: 'dense', units: 3 }, inputs: [] })
    expect(analyzeGraph(lonely).nodes.lonely!.error).toMatch(/not connected/)

    const badName = base()
    badName.nodes.push({ name: '2bad', layer: { type: 'flatten' }, inputs: ['input'] })
    expect(analyzeGraph(badName).nodes['2bad']!.error).toMatch(/^name: a name of letters/)
  })

  it('needs an output', () => {
    const g = base()
    g.outputs = []
    expect(analyzeGraph(g).errors).toContain("no output: mark the layer that gives the model's output")
    expect(specFromEditable(base())).toMatchObject({ outputs: ['dense'] })
  })
})
