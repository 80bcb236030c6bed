/**
 * The model builder's Pinia store (src-renderer/src/stores/builder.ts), without a page: loading a
 * preset's models, adding, connecting and removing layers, the validation the canvas shows, and
 * undo/redo (the edits of one tick are one step). Runs in Node: the store needs Vue's reactivity
 * and Pinia, no DOM.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useBuilderStore } from '../../src-renderer/src/stores/builder'
import { isTranslation } from '../../src-shared/config/experiment'
import { PRESETS, requirePreset } from '../../src-shared/config/presets'
import { summarizeModel } from '../../src-shared/model/shape-inference'
import { modelSpecSchema } from '../../src-shared/model/spec'

type Builder = ReturnType<typeof useBuilderStore>

/** Lets the store close the current tick's undo group (it does so in a microtask). */
const nextTick = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/** The 2D ring preset: z(4) → dense → activation → dense_2 → activation_2 → dense_3 (2 outputs). */
function loadRing(b: Builder, readOnlyRun?: number) {
  const p = requirePreset('mlp-2d-ring8')
  b.load(p.config, { generator: 'latent' }, { source: `preset ${p.name}`, basePreset: p.name, readOnlyRun })
}

const nodeNames = (b: Builder) => b.models.generator.nodes.map((n) => n.name)
const inputsOf = (b: Builder, name: string) => b.models.generator.nodes.find((n) => n.name === name)?.inputs

let b: Builder
beforeEach(() => {
  setActivePinia(createPinia())
  b = useBuilderStore()
})

describe('loading a preset', () => {
  it('every preset opens as two valid graphs whose parameter counts are the ones training builds', () => {
    for (const preset of PRESETS) {
      const role = isTranslation(preset.config.conditioning ?? 'none') ? 'condition' : 'latent'
      b.load(preset.config, { generator: role }, { source: `preset ${preset.name}`, basePreset: preset.name })
      expect(b.valid, preset.name).toBe(true)
      expect(b.analyses.generator.errors, preset.name).toEqual([])
      expect(b.analyses.generator.totalParams, preset.name).toBe(
        summarizeModel(modelSpecSchema.parse(preset.config.generator), role).totalParams,
      )
      expect(b.analyses.discriminator.totalParams, preset.name).toBe(
        summarizeModel(modelSpecSchema.parse(preset.config.discriminator), 'image').totalParams,
      )
      // Every input and layer has a place on the canvas.
      for (const s of ['generator', 'discriminator'] as const) {
        const names = [...b.models[s].inputs, ...b.models[s].nodes].map((n) => n.name)
        expect(Object.keys(b.positions[s]).sort(), `${preset.name} ${s}`).toEqual([...names].sort())
      }
    }
  })

  it('names the source, starts with an empty history and nothing selected, and replaces the draft before it', async () => {
    b.load(requirePreset('dcgan-mnist').config, { generator: 'latent' }, { source: 'preset dcgan-mnist', basePreset: 'dcgan-mnist' })
    b.addLayer('dropout')
    await nextTick()
    expect(b.past).toHaveLength(1)
    loadRing(b)
    expect(b.source).toBe('preset mlp-2d-ring8')
    expect(b.basePreset).toBe('mlp-2d-ring8')
    expect(b.readOnlyRun).toBeNull()
    expect(b.selected).toBeNull()
    expect(b.past).toEqual([])
    expect(b.future).toEqual([])
    expect(nodeNames(b)).toEqual(['dense', 'activation', 'dense_2', 'activation_2', 'dense_3'])
    expect(b.analyses.generator.totalParams).toBe(4 * 128 + 128 + 128 * 128 + 128 + 128 * 2 + 2)
  })

  it("specs() gives back the preset's networks (what a run launched from the builder trains)", () => {
    const p = requirePreset('mlp-2d-ring8')
    loadRing(b)
    const specs = b.specs()
    for (const s of ['generator', 'discriminator'] as const) {
      expect(
        summarizeModel(modelSpecSchema.parse(specs[s])).layers.map((l) => [l.outputShape, l.params]),
        s,
      ).toEqual(summarizeModel(modelSpecSchema.parse(p.config[s])).layers.map((l) => [l.outputShape, l.params]))
    }
  })
})

describe('editing', () => {
  beforeEach(() => loadRing(b))

  it('adds a layer below the selected one, fed by it, under a fresh name, and selects it', () => {
    b.selected = 'activation_2'
    b.addLayer('dense')
    expect(b.selected).toBe('dense_4')
    expect(inputsOf(b, 'dense_4')).toEqual(['activation_2'])
    expect(b.models.generator.nodes.find((n) => n.name === 'dense_4')!.layer).toMatchObject({ type: 'dense', units: 128 })
    const from = b.positions.generator.activation_2!
    expect(b.positions.generator.dense_4!.y).toBeGreaterThan(from.y)
  })

  it('adds an unconnected layer beside the graph when nothing is selected, and an input under a fresh name', () => {
    b.addLayer('dropout')
    expect(inputsOf(b, 'dropout')).toEqual([])
    const others = Object.entries(b.positions.generator)
      .filter(([n]) => n !== 'dropout')
      .map(([, p]) => p.x)
    expect(b.positions.generator.dropout!.x).toBeGreaterThan(Math.max(...others))
    b.selected = null
    b.addInput('label')
    b.addInput('label')
    expect(b.models.generator.inputs.map((i) => [i.name, i.role, i.classes])).toEqual([
      ['input', 'latent', undefined],
      ['label', 'label', 10],
      ['label_2', 'label', 10],
    ])
  })

  it('connects once, never a layer to itself, and disconnects', () => {
    b.addLayer('dropout')
    b.connect('activation', 'dropout')
    b.connect('activation', 'dropout')
    b.connect('dropout', 'dropout')
    expect(inputsOf(b, 'dropout')).toEqual(['activation'])
    b.disconnect('activation', 'dropout')
    expect(inputsOf(b, 'dropout')).toEqual([])
  })

  it('removes a layer with its edges, its output mark and its position, and drops the selection', () => {
    b.selected = 'dense_3'
    b.remove('dense_3')
    expect(nodeNames(b)).not.toContain('dense_3')
    expect(b.models.generator.outputs).toEqual([])
    expect(b.positions.generator.dense_3).toBeUndefined()
    expect(b.selected).toBeNull()
    b.remove('dense_2')
    expect(inputsOf(b, 'activation_2')).toEqual([])
  })

  it('renames a layer everywhere it is named: the layers it feeds, the outputs, its position', () => {
    const at = b.positions.generator.dense_3
    b.rename('dense_3', 'out')
    expect(nodeNames(b)).toContain('out')
    expect(b.models.generator.outputs).toEqual(['out'])
    expect(b.positions.generator.out).toEqual(at)
    b.rename('dense', 'first')
    expect(inputsOf(b, 'activation')).toEqual(['first'])
  })

  it('edits only the side being shown', () => {
    const d = JSON.stringify(b.models.discriminator)
    b.addLayer('dropout')
    expect(JSON.stringify(b.models.discriminator)).toBe(d)
    b.side = 'discriminator'
    b.addLayer('flatten')
    expect(b.models.discriminator.nodes.map((n) => n.name)).toContain('flatten')
    expect(nodeNames(b)).not.toContain('flatten')
  })

  it("changes nothing in a past run's architecture (read-only)", async () => {
    loadRing(b, 7)
    const before = JSON.stringify({ m: b.models, p: b.positions })
    b.addLayer('dense')
    b.remove('dense')
    b.connect('dense', 'dense_3')
    b.rename('dense_3', 'out')
    b.moved('dense', { x: 999, y: 999 })
    await nextTick()
    expect(JSON.stringify({ m: b.models, p: b.positions })).toBe(before)
    expect(b.past).toEqual([])
  })
})

describe('validation', () => {
  beforeEach(() => loadRing(b))

  it('an unconnected layer is an error pinned on it, and the draft is not valid', () => {
    b.addLayer('dropout')
    expect(b.analysis.nodes.dropout!.error).toBe('not connected: connect an input to it')
    expect(b.valid).toBe(false)
    expect(b.analyses.generator.spec).toBeUndefined()
    // Connected but feeding nothing: training would drop its weights.
    b.connect('activation_2', 'dropout')
    expect(b.analysis.nodes.dropout!.error).toBe('feeds no output: connect it onwards or delete it')
    b.remove('dropout')
    expect(b.valid).toBe(true)
  })

  it('a cycle is an error on the layer that closes it', () => {
    b.connect('dense_2', 'dense')
    expect(Object.values(b.analysis.nodes).map((n) => n.error)).toContain('is part of a cycle: a layer cannot feed itself')
    expect(b.valid).toBe(false)
  })

  it('a shape mismatch is pinned on the layer, the layers after it are blocked, not blamed', () => {
    b.updateLayer('dense_2', { type: 'conv2d', filters: 8, kernelSize: 3 })
    expect(b.analysis.nodes.dense_2!.error).toBeTruthy()
    expect(b.analysis.nodes.activation_2!.error).toBeUndefined()
    expect(b.analysis.nodes.activation_2!.blocked).toBe(true)
    expect(b.valid).toBe(false)
  })

  it('no output is an error of the graph; marking one again makes it valid', () => {
    b.toggleOutput('dense_3')
    expect(b.analyses.generator.errors).toContain("no output: mark the layer that gives the model's output")
    expect(b.valid).toBe(false)
    b.toggleOutput('dense_3')
    expect(b.valid).toBe(true)
  })

  it('the parameter count follows an edit of a layer', () => {
    const before = b.analyses.generator.totalParams
    b.updateLayer('dense_2', { units: 64 })
    // dense_2: 128·128+128 → 128·64+64; dense_3 reads 64 instead of 128: 128·2 → 64·2.
    expect(b.analyses.generator.totalParams).toBe(before - (128 * 128 + 128) + (128 * 64 + 64) - 128 * 2 + 64 * 2)
  })
})

describe('undo and redo', () => {
  beforeEach(() => loadRing(b))
  const state = () => JSON.stringify({ m: b.models, p: b.positions })

  it('undo restores the draft before an edit, redo the draft after it', async () => {
    const before = state()
    b.addLayer('dropout')
    await nextTick()
    const after = state()
    expect(after).not.toBe(before)
    b.undo()
    expect(state()).toBe(before)
    expect(nodeNames(b)).not.toContain('dropout')
    b.redo()
    expect(state()).toBe(after)
    expect(nodeNames(b)).toContain('dropout')
    // A redone step can be undone again.
    b.undo()
    expect(state()).toBe(before)
  })

  it('steps back through several edits in order, and forward again', async () => {
    const states = [state()]
    for (const edit of [() => b.addLayer('dropout'), () => b.connect('activation_2', 'dropout'), () => b.rename('dropout', 'drop')]) {
      edit()
      await nextTick()
      states.push(state())
    }
    expect(b.past).toHaveLength(3)
    for (let i = 2; i >= 0; i--) {
      b.undo()
      expect(state()).toBe(states[i])
    }
    b.undo() // nothing left: no change
    expect(state()).toBe(states[0])
    for (let i = 1; i <= 3; i++) {
      b.redo()
      expect(state()).toBe(states[i])
    }
    b.redo()
    expect(state()).toBe(states[3])
  })

  it('the edits of one tick are one step (Delete removes a layer and then its edges)', async () => {
    const before = state()
    b.disconnect('dense_2', 'activation_2')
    b.disconnect('activation', 'dense_2')
    b.remove('dense_2')
    await nextTick()
    expect(b.past).toHaveLength(1)
    b.undo()
    expect(state()).toBe(before)
  })

  it('an edit that changes nothing leaves no step; a drag of under a pixel is not an edit', async () => {
    b.connect('dense', 'activation') // already connected
    b.disconnect('dense_3', 'dense') // no such edge
    b.rename('dense', 'dense')
    const at = b.positions.generator.dense!
    b.moved('dense', { x: at.x + 0.4, y: at.y - 0.4 })
    await nextTick()
    expect(b.past).toEqual([])
    b.moved('dense', { x: at.x + 40, y: at.y })
    await nextTick()
    expect(b.past).toHaveLength(1)
    b.undo()
    expect(b.positions.generator.dense).toEqual(at)
  })

  it('a new edit after an undo drops the steps that were undone', async () => {
    b.addLayer('dropout')
    await nextTick()
    b.undo()
    expect(b.future).toHaveLength(1)
    b.addLayer('flatten')
    await nextTick()
    expect(b.future).toEqual([])
    b.redo()
    expect(nodeNames(b)).toContain('flatten')
    expect(nodeNames(b)).not.toContain('dropout')
  })

  it('undo drops a selection whose layer no longer exists', async () => {
    b.addLayer('dropout')
    await nextTick()
    expect(b.selected).toBe('dropout')
    b.undo()
    expect(b.selected).toBeNull()
  })

  it('keeps the last 200 steps', async () => {
    for (let i = 0; i < 205; i++) {
      b.moved('dense', { x: 1000 + 10 * i, y: 0 })
      await nextTick()
    }
    expect(b.past).toHaveLength(200)
    for (let i = 0; i < 200; i++) b.undo()
    // The five oldest steps are gone: the oldest kept draft is the one after the fifth move.
    expect(b.positions.generator.dense).toEqual({ x: 1000 + 10 * 4, y: 0 })
  })
})
