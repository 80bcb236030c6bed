/**
 * The model builder's view of a graph being edited: nodes in any order, possibly unconnected,
 * cyclic or with bad parameters. Every node gets its output shape and parameter count where they
 * can be inferred, or the error that belongs to it, so the editor can mark the offending layer.
 * A graph with no error becomes a GraphSpec in topological order, checked by summarizeModel: the
 * same code as `model summary` and training.
 */
import {
  graphSpecSchema,
  IDENTIFIER_PATTERN,
  IDENTIFIER_RULE,
  layerSpecSchema,
  modelSpecSchema,
  type GraphSpec,
  type InputRole,
  type LayerSpec,
  type ModelSpecInput,
} from './spec'
import { inferLayer, layerLabel, ShapeError, summarizeModel, toGraph, type ModelSummary, type Shape } from './shape-inference'

export interface EditableInput {
  name: string
  shape: number[]
  role: InputRole
  classes?: number
}

export interface EditableNode {
  name: string
  /** A layer as edited: validated (and given its defaults) by the analysis. */
  layer: { type: string } & Record<string, unknown>
  inputs: string[]
}

export interface EditableGraph {
  inputs: EditableInput[]
  nodes: EditableNode[]
  outputs: string[]
}

export interface NodeAnalysis {
  shape?: Shape
  params?: number
  label?: string
  /** This node's own problem. */
  error?: string
  /** An input of this node has a problem, so its shape is unknown (not its own error). */
  blocked?: boolean
}

export interface GraphAnalysis {
  nodes: Record<string, NodeAnalysis>
  /** Problems of the graph as a whole (no output, a name used twice…). */
  errors: string[]
  /** Sum over the nodes whose parameters are known. */
  totalParams: number
  /** Present when the graph has no error: the spec to train, and its summary. */
  spec?: GraphSpec
  summary?: ModelSummary
}

/**
 * A spec (sequential or graph, as a preset writes it) as an editable graph. A sequential spec's
 * layers are named by type (`conv2d`, `conv2d_2`, …): graph node names must start with a letter.
 */
export function editableFromSpec(spec: ModelSpecInput, role: InputRole): EditableGraph {
  const graph = toGraph(modelSpecSchema.parse(spec), role)
  const rename = new Map<string, string>()
  if (graph.sequential) {
    const counts = new Map<string, number>()
    for (const n of graph.nodes) {
      const k = (counts.get(n.layer.type) ?? 0) + 1
      counts.set(n.layer.type, k)
      rename.set(n.name, k === 1 ? n.layer.type : `${n.layer.type}_${k}`)
    }
  }
  const name = (n: string) => rename.get(n) ?? n
  return {
    inputs: graph.inputs.map((i) => ({ ...i, shape: [...i.shape] })),
    nodes: graph.nodes.map((n) => ({ name: name(n.name), layer: { ...n.layer } as EditableNode['layer'], inputs: n.inputs.map(name) })),
    outputs: graph.outputs.map(name),
  }
}

/** The editable graph as a spec input (what a run config holds), whether or not it is valid. */
export function specFromEditable(graph: EditableGraph): ModelSpecInput {
  return { inputs: graph.inputs, nodes: graph.nodes, outputs: graph.outputs } as ModelSpecInput
}

export function analyzeGraph(graph: EditableGraph): GraphAnalysis {
  const nodes: Record<string, NodeAnalysis> = {}
  const errors: string[] = []
  const shapes = new Map<string, Shape>()
  for (const input of graph.inputs) {
    if (shapes.has(input.name)) errors.push(`the input name "${input.name}" is used twice`)
    shapes.set(input.name, input.shape)
  }
  const byName = new Map<string, EditableNode>()
  const layers = new Map<string, LayerSpec>()
  for (const node of graph.nodes) {
    const own: NodeAnalysis = {}
    nodes[node.name] = own
    if (!IDENTIFIER_PATTERN.test(node.name)) own.error = `name: ${IDENTIFIER_RULE}`
    if (byName.has(node.name) || shapes.has(node.name)) own.error ??= `the name "${node.name}" is used twice`
    byName.set(node.name, node)
    const parsed = layerSpecSchema.safeParse(node.layer)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      own.error ??= `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`
    } else {
      layers.set(node.name, parsed.data)
      own.label = layerLabel(parsed.data)
    }
    if (node.inputs.length === 0) own.error ??= 'not connected: connect an input to it'
    for (const name of node.inputs)
      if (!shapes.has(name) && !graph.nodes.some((n) => n.name === name)) own.error ??= `reads "${name}", which does not exist`
  }

  // Depth-first topological order; a node met again while still on the path closes a cycle.
  const order: EditableNode[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (node: EditableNode) => {
    if (state.get(node.name) === 'done') return
    if (state.get(node.name) === 'visiting') {
      nodes[node.name]!.error ??= 'is part of a cycle: a layer cannot feed itself'
      return
    }
    state.set(node.name, 'visiting')
    for (const name of node.inputs) {
      const upstream = byName.get(name)
      if (upstream) visit(upstream)
    }
    state.set(node.name, 'done')
    order.push(node)
  }
  for (const node of graph.nodes) visit(node)

  let totalParams = 0
  for (const node of order) {
    const own = nodes[node.name]!
    const layer = layers.get(node.name)
    if (own.error || !layer) continue
    const inputShapes = node.inputs.map((n) => shapes.get(n))
    if (inputShapes.some((s) => s === undefined)) {
      own.blocked = true
      continue
    }
    try {
      const out = inferLayer(layer, inputShapes as Shape[], node.name)
      own.shape = out.shape
      own.params = out.params
      totalParams += out.params
      shapes.set(node.name, out.shape)
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e
      own.error = e.detail
    }
  }

  if (graph.outputs.length === 0) errors.push("no output: mark the layer that gives the model's output")
  for (const name of graph.outputs) if (!byName.has(name)) errors.push(`the output "${name}" is not a layer`)
  // What training refuses: a layer no output depends on (its weights would be dropped).
  const used = new Set(graph.outputs)
  for (const node of [...order].reverse()) if (used.has(node.name)) for (const n of node.inputs) used.add(n)
  for (const node of graph.nodes) if (!used.has(node.name)) nodes[node.name]!.error ??= 'feeds no output: connect it onwards or delete it'
  for (const input of graph.inputs) if (!used.has(input.name)) errors.push(`the input "${input.name}" feeds no output`)

  const ok = errors.length === 0 && Object.values(nodes).every((n) => !n.error && !n.blocked)
  if (!ok) return { nodes, errors, totalParams }
  const spec = graphSpecSchema.parse({
    inputs: graph.inputs,
    nodes: order.map((n) => ({ name: n.name, layer: layers.get(n.name)!, inputs: n.inputs })),
    outputs: graph.outputs,
  })
  try {
    return { nodes, errors, totalParams, spec, summary: summarizeModel(spec) }
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e
    return { nodes, errors: [e.message], totalParams }
  }
}
