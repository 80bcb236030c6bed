/**
 * The model builder's draft: a generator and a discriminator as editable graphs, their node
 * positions, and the undo/redo history (whole snapshots: a model is a few kilobytes). Shapes,
 * parameter counts and errors come from the shared graph analysis, the code `model summary` and
 * training use. A run's architecture opens read-only.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  analyzeGraph,
  editableFromSpec,
  specFromEditable,
  type EditableGraph,
  type EditableNode,
  type GraphAnalysis,
} from '../../../src-shared/model/graph-analysis'
import { layerSpecSchema, type InputRole, type LayerType, type ModelSpecInput } from '../../../src-shared/model/spec'

export type ModelSide = 'generator' | 'discriminator'
type Position = { x: number; y: number }

interface Snapshot {
  models: Record<ModelSide, EditableGraph>
  positions: Record<ModelSide, Record<string, Position>>
}

/** What a layer dropped from the palette starts as (then given its schema defaults). */
export const PALETTE: { type: LayerType; title: string; defaults: Record<string, unknown> }[] = [
  { type: 'dense', title: 'Dense', defaults: { units: 128 } },
  { type: 'conv2d', title: 'Conv2D', defaults: { filters: 64, kernelSize: 3 } },
  { type: 'conv2dTranspose', title: 'Conv2DTranspose', defaults: { filters: 64, kernelSize: 4, strides: 2 } },
  { type: 'upSampling2d', title: 'UpSampling2D', defaults: {} },
  { type: 'maxPooling2d', title: 'MaxPooling2D', defaults: {} },
  { type: 'averagePooling2d', title: 'AveragePooling2D', defaults: {} },
  { type: 'blurPooling2d', title: 'BlurPooling2D', defaults: {} },
  {
    type: 'zeroPadding2d',
    title: 'ZeroPadding2D',
    defaults: {
      padding: [
        [1, 1],
        [1, 1],
      ],
    },
  },
  { type: 'reshape', title: 'Reshape', defaults: { targetShape: [7, 7, 128] } },
  { type: 'flatten', title: 'Flatten', defaults: {} },
  { type: 'batchNorm', title: 'BatchNorm', defaults: { momentum: 0.9 } },
  { type: 'layerNorm', title: 'LayerNorm', defaults: {} },
  { type: 'dropout', title: 'Dropout', defaults: { rate: 0.3 } },
  { type: 'activation', title: 'Activation', defaults: { activation: 'leakyRelu' } },
  { type: 'embedding', title: 'Embedding (label)', defaults: { inputDim: 10, outputDim: 50 } },
  { type: 'concatenate', title: 'Concatenate', defaults: {} },
  { type: 'multiply', title: 'Multiply', defaults: {} },
  { type: 'add', title: 'Add (skip)', defaults: {} },
]

/** Inputs a model can take (a label for cGAN/AC-GAN conditioning, a condition image for translation). */
export const INPUT_KINDS: { role: InputRole; title: string; shape: number[]; classes?: number }[] = [
  { role: 'latent', title: 'Latent z', shape: [100] },
  { role: 'label', title: 'Label', shape: [1], classes: 10 },
  { role: 'code', title: 'Codes (InfoGAN)', shape: [12] },
  { role: 'image', title: 'Image', shape: [28, 28, 1] },
  { role: 'condition', title: 'Condition image', shape: [28, 28, 1] },
]

const NODE_DX = 230
const NODE_DY = 96

/** Rows per column: a deeper graph continues in the next column (a U-Net's skips stay visible). */
const COLUMN_ROWS = 10

/**
 * Rows by depth (longest path from an input), side by side within a row; past COLUMN_ROWS rows the
 * graph wraps into another column instead of stretching the canvas out of view.
 */
export function layoutGraph(graph: EditableGraph): Record<string, Position> {
  const depth = new Map<string, number>(graph.inputs.map((i) => [i.name, 0]))
  const byName = new Map(graph.nodes.map((n) => [n.name, n]))
  const depthOf = (name: string, seen = new Set<string>()): number => {
    if (depth.has(name)) return depth.get(name)!
    const node = byName.get(name)
    if (!node || seen.has(name)) return 0
    seen.add(name)
    const d = 1 + Math.max(0, ...node.inputs.map((i) => depthOf(i, seen)))
    depth.set(name, d)
    return d
  }
  for (const n of graph.nodes) depthOf(n.name)
  const names = [...graph.inputs.map((i) => i.name), ...graph.nodes.map((n) => n.name)]
  const width = Math.max(1, ...[...depth.values()].map((d) => names.filter((n) => (depth.get(n) ?? 0) === d).length))
  const lanes = new Map<number, number>()
  const positions: Record<string, Position> = {}
  for (const name of names) {
    const d = depth.get(name) ?? 0
    const lane = lanes.get(d) ?? 0
    lanes.set(d, lane + 1)
    const column = Math.floor(d / COLUMN_ROWS)
    positions[name] = { x: column * (width + 0.6) * NODE_DX + lane * NODE_DX, y: (d % COLUMN_ROWS) * NODE_DY }
  }
  return positions
}

/** Beside the whole graph, so a new unconnected node never lands on another. */
function besideGraph(pos: Record<string, Position>): Position {
  const all = Object.values(pos)
  return all.length ? { x: Math.max(...all.map((p) => p.x)) + NODE_DX, y: Math.min(...all.map((p) => p.y)) } : { x: 0, y: 0 }
}

function freshName(graph: EditableGraph, base: string): string {
  const taken = new Set([...graph.inputs.map((i) => i.name), ...graph.nodes.map((n) => n.name)])
  if (!taken.has(base)) return base
  for (let k = 2; ; k++) if (!taken.has(`${base}_${k}`)) return `${base}_${k}`
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T

export const useBuilderStore = defineStore('builder', () => {
  const empty = (): EditableGraph => ({ inputs: [], nodes: [], outputs: [] })
  const models = ref<Record<ModelSide, EditableGraph>>({ generator: empty(), discriminator: empty() })
  const positions = ref<Record<ModelSide, Record<string, Position>>>({ generator: {}, discriminator: {} })
  const side = ref<ModelSide>('generator')
  const selected = ref<string | null>(null)
  /** Where the draft came from: a preset's name (its data and objective), a template, a run. */
  const basePreset = ref<string | null>(null)
  const source = ref<string>('')
  /** Set when showing a past run's architecture: nothing may change. */
  const readOnlyRun = ref<number | null>(null)
  const past = ref<string[]>([])
  const future = ref<string[]>([])
  /** Bumped on every change the canvas must redraw (structure or positions). */
  const revision = ref(0)

  const analyses = computed<Record<ModelSide, GraphAnalysis>>(() => ({
    generator: analyzeGraph(models.value.generator),
    discriminator: analyzeGraph(models.value.discriminator),
  }))
  const graph = computed(() => models.value[side.value])
  const analysis = computed(() => analyses.value[side.value])
  const loaded = computed(() => models.value.generator.nodes.length > 0 || models.value.discriminator.nodes.length > 0)
  const valid = computed(() => Boolean(analyses.value.generator.spec && analyses.value.discriminator.spec))

  const snapshot = (): string => JSON.stringify({ models: models.value, positions: positions.value } satisfies Snapshot)
  function restore(s: string) {
    const snap = JSON.parse(s) as Snapshot
    models.value = snap.models
    positions.value = snap.positions
    if (selected.value && !models.value[side.value].nodes.some((n) => n.name === selected.value)) selected.value = null
    revision.value++
  }

  /** The state before the edits of the current tick (they make one undo step), or null. */
  let groupBefore: string | null = null

  /**
   * Applies an edit to the current model. Edits made in the same tick are one undoable step (the
   * Delete key removes a layer and, as separate changes, its edges); edits that change nothing
   * leave no step behind.
   */
  function edit(change: (g: EditableGraph, pos: Record<string, Position>) => void) {
    if (readOnlyRun.value !== null) return
    if (groupBefore === null) {
      groupBefore = snapshot()
      queueMicrotask(() => {
        const before = groupBefore!
        groupBefore = null
        if (snapshot() === before) return
        past.value.push(before)
        if (past.value.length > 200) past.value.shift()
        future.value = []
      })
    }
    change(models.value[side.value], positions.value[side.value])
    revision.value++
  }

  function undo() {
    const prev = past.value.pop()
    if (prev === undefined) return
    future.value.push(snapshot())
    restore(prev)
  }

  function redo() {
    const next = future.value.pop()
    if (next === undefined) return
    past.value.push(snapshot())
    restore(next)
  }

  function load(
    specs: { generator: ModelSpecInput; discriminator: ModelSpecInput },
    roles: { generator: InputRole },
    from: { source: string; basePreset: string | null; readOnlyRun?: number },
  ) {
    const g = editableFromSpec(specs.generator, roles.generator)
    const d = editableFromSpec(specs.discriminator, 'image')
    models.value = { generator: g, discriminator: d }
    positions.value = { generator: layoutGraph(g), discriminator: layoutGraph(d) }
    basePreset.value = from.basePreset
    source.value = from.source
    readOnlyRun.value = from.readOnlyRun ?? null
    selected.value = null
    past.value = []
    future.value = []
    revision.value++
  }

  /** Adds a layer (below the selected node and fed by it, when one is selected). */
  function addLayer(type: LayerType, at?: Position) {
    const entry = PALETTE.find((p) => p.type === type)!
    edit((g, pos) => {
      const name = freshName(g, type)
      const from =
        selected.value && (g.nodes.some((n) => n.name === selected.value) || g.inputs.some((i) => i.name === selected.value))
          ? selected.value
          : null
      const layer = layerSpecSchema.parse({ type, ...entry.defaults }) as EditableNode['layer']
      g.nodes.push({ name, layer, inputs: from ? [from] : [] })
      const anchor = from ? pos[from] : undefined
      pos[name] = at ?? (anchor ? { x: anchor.x + NODE_DX / 2, y: anchor.y + NODE_DY / 2 } : besideGraph(pos))
      selected.value = name
    })
  }

  function addInput(role: InputRole, at?: Position) {
    const kind = INPUT_KINDS.find((k) => k.role === role)!
    edit((g, pos) => {
      const name = freshName(g, role === 'latent' ? 'z' : role)
      g.inputs.push({ name, role, shape: [...kind.shape], ...(kind.classes ? { classes: kind.classes } : {}) })
      pos[name] = at ?? besideGraph(pos)
      selected.value = name
    })
  }

  function connect(from: string, to: string) {
    edit((g) => {
      const node = g.nodes.find((n) => n.name === to)
      if (node && from !== to && !node.inputs.includes(from)) node.inputs.push(from)
    })
  }

  function disconnect(from: string, to: string) {
    edit((g) => {
      const node = g.nodes.find((n) => n.name === to)
      if (node) node.inputs = node.inputs.filter((i) => i !== from)
    })
  }

  function remove(name: string) {
    edit((g, pos) => {
      g.nodes = g.nodes.filter((n) => n.name !== name)
      g.inputs = g.inputs.filter((i) => i.name !== name)
      for (const n of g.nodes) n.inputs = n.inputs.filter((i) => i !== name)
      g.outputs = g.outputs.filter((o) => o !== name)
      delete pos[name]
      if (selected.value === name) selected.value = null
    })
  }

  function updateLayer(name: string, patch: Record<string, unknown>) {
    edit((g) => {
      const node = g.nodes.find((n) => n.name === name)
      if (node) node.layer = { ...node.layer, ...patch }
    })
  }

  function updateInput(name: string, patch: { shape?: number[]; classes?: number }) {
    edit((g) => {
      const input = g.inputs.find((i) => i.name === name)
      if (input) Object.assign(input, patch)
    })
  }

  function rename(name: string, to: string) {
    if (!to || to === name) return
    edit((g, pos) => {
      const node = g.nodes.find((n) => n.name === name) ?? g.inputs.find((i) => i.name === name)
      if (!node) return
      node.name = to
      for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === name ? to : i))
      g.outputs = g.outputs.map((o) => (o === name ? to : o))
      pos[to] = pos[name]!
      delete pos[name]
      selected.value = to
    })
  }

  function toggleOutput(name: string) {
    edit((g) => {
      g.outputs = g.outputs.includes(name) ? g.outputs.filter((o) => o !== name) : [...g.outputs, name]
    })
  }

  /** Drag ends are remembered (and undoable), not every pixel of the drag. */
  function moved(name: string, to: Position) {
    const at = positions.value[side.value][name]
    if (at && Math.abs(at.x - to.x) < 1 && Math.abs(at.y - to.y) < 1) return
    edit((_g, pos) => {
      pos[name] = { x: to.x, y: to.y }
    })
  }

  /** Both models as run-config specs: in dependency order when valid (the launcher validates them again). */
  function specs(): { generator: ModelSpecInput; discriminator: ModelSpecInput } {
    const of = (s: ModelSide) => clone(analyses.value[s].spec ?? specFromEditable(models.value[s]))
    return { generator: of('generator'), discriminator: of('discriminator') }
  }

  return {
    models,
    positions,
    side,
    selected,
    basePreset,
    source,
    readOnlyRun,
    revision,
    past,
    future,
    analyses,
    graph,
    analysis,
    loaded,
    valid,
    load,
    addLayer,
    addInput,
    connect,
    disconnect,
    remove,
    updateLayer,
    updateInput,
    rename,
    toggleOutput,
    moved,
    undo,
    redo,
    specs,
  }
})
