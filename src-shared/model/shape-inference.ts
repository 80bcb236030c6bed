/**
 * Shape inference and parameter counting, pure and framework-free. Mirrors Keras/tfjs-layers rules
 * so the counts match `model.countParams()` of the built network exactly (tested).
 */
import { isGraphSpec, type GraphSpec, type InputRole, type LayerSpec, type ModelSpec, type SequentialSpec } from './spec'

export type Shape = number[]

export interface LayerSummary {
  index: number
  /** The node's name (graph specs) or `NN_type` (sequential specs, as the built layers are named). */
  name: string
  type: LayerSpec['type']
  label: string
  /** Names of the inputs or nodes feeding this one. */
  inputs: string[]
  outputShape: Shape
  params: number
  trainableParams: number
}

export interface ModelSummary {
  inputs: { name: string; shape: Shape; role: InputRole; classes?: number }[]
  outputs: { name: string; shape: Shape }[]
  /** The first input's and first output's shapes (the only ones of a sequential model). */
  inputShape: Shape
  outputShape: Shape
  layers: LayerSummary[]
  totalParams: number
  trainableParams: number
}

export class ShapeError extends Error {
  constructor(
    /** Where in the spec: `layers[3]`, `nodes[2]`, `nodes[2].inputs[0]`, `outputs[1]`… */
    readonly where: string,
    readonly detail: string,
  ) {
    super(`${where}: ${detail}`)
    this.name = 'ShapeError'
  }
}

/** Above this many parameters a spec is refused before anything is allocated. */
export const MAX_PARAMS = 100_000_000

const product = (shape: Shape) => shape.reduce((a, b) => a * b, 1)

function spatial(shape: Shape, index: string, what: string): [number, number, number] {
  if (shape.length !== 3)
    throw new ShapeError(index, `${what} needs an input of rank 3 (height, width, channels), got [${shape.join(', ')}]`)
  return shape as [number, number, number]
}

function convOut(size: number, k: number, s: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / s) : Math.ceil((size - k + 1) / s)
}

export function layerLabel(layer: LayerSpec): string {
  switch (layer.type) {
    case 'dense':
      return `Dense ${layer.units}${layer.activation !== 'linear' ? ` ${layer.activation}` : ''}`
    case 'conv2d':
    case 'conv2dTranspose':
      return (
        `${layer.type === 'conv2d' ? 'Conv2D' : 'Conv2DTranspose'} ${layer.filters} ${layer.kernelSize}×${layer.kernelSize}` +
        `${layer.strides > 1 ? ` s${layer.strides}` : ''}${layer.activation !== 'linear' ? ` ${layer.activation}` : ''}`
      )
    case 'upSampling2d':
      return `UpSampling2D ×${layer.size}`
    case 'maxPooling2d':
      return `MaxPooling2D ${layer.poolSize}`
    case 'averagePooling2d':
      return `AveragePooling2D ${layer.poolSize}`
    case 'blurPooling2d':
      return 'BlurPooling2D'
    case 'zeroPadding2d':
      return 'ZeroPadding2D'
    case 'reshape':
      return `Reshape ${layer.targetShape.join('×')}`
    case 'flatten':
      return 'Flatten'
    case 'dropout':
      return `Dropout ${layer.rate}`
    case 'batchNorm':
      return 'BatchNorm'
    case 'layerNorm':
      return 'LayerNorm'
    case 'activation':
      return layer.activation === 'leakyRelu' ? `LeakyReLU ${layer.alpha}` : layer.activation
    case 'embedding':
      return `Embedding ${layer.inputDim}→${layer.outputDim}`
    case 'concatenate':
      return 'Concatenate'
    case 'multiply':
      return 'Multiply'
    case 'add':
      return 'Add'
  }
}

const MERGES = new Set<LayerSpec['type']>(['concatenate', 'multiply', 'add'])

/** Output shape and (total, trainable) parameter counts of a merge layer over 2+ inputs. */
function inferMerge(layer: LayerSpec, inputs: Shape[], index: string): Shape {
  const [first, ...rest] = inputs as [Shape, ...Shape[]]
  const show = inputs.map((s) => `[${s.join(', ')}]`).join(', ')
  if (layer.type === 'concatenate') {
    const ok = rest.every((s) => s.length === first.length && sameShape(s.slice(0, -1), first.slice(0, -1)))
    if (!ok) throw new ShapeError(index, `Concatenate needs inputs that differ only in their last dimension, got ${show}`)
    return [...first.slice(0, -1), inputs.reduce((a, s) => a + s[s.length - 1]!, 0)]
  }
  if (!rest.every((s) => sameShape(s, first))) throw new ShapeError(index, `${layerLabel(layer)} needs inputs of one shape, got ${show}`)
  return first
}

/** Output shape and (total, trainable) parameter counts of one layer. */
export function inferLayer(layer: LayerSpec, inputs: Shape[], index: string): { shape: Shape; params: number; trainable: number } {
  if (MERGES.has(layer.type)) {
    if (inputs.length < 2) throw new ShapeError(index, `${layerLabel(layer)} needs at least two inputs`)
    return { shape: inferMerge(layer, inputs, index), params: 0, trainable: 0 }
  }
  if (inputs.length !== 1) throw new ShapeError(index, `${layerLabel(layer)} takes one input, got ${inputs.length}`)
  const input = inputs[0]!
  const same = (params = 0, trainable = params) => ({ shape: input, params, trainable })
  switch (layer.type) {
    case 'dense': {
      const d = input[input.length - 1]!
      const params = d * layer.units + (layer.useBias ? layer.units : 0)
      return { shape: [...input.slice(0, -1), layer.units], params, trainable: params }
    }
    case 'conv2d': {
      const [h, w, c] = spatial(input, index, 'Conv2D')
      const { kernelSize: k, strides: s, padding } = layer
      const oh = convOut(h, k, s, padding)
      const ow = convOut(w, k, s, padding)
      if (oh < 1 || ow < 1) throw new ShapeError(index, `kernel ${k} is larger than the ${h}×${w} input`)
      const params = k * k * c * layer.filters + (layer.useBias ? layer.filters : 0)
      return { shape: [oh, ow, layer.filters], params, trainable: params }
    }
    case 'conv2dTranspose': {
      const [h, w, c] = spatial(input, index, 'Conv2DTranspose')
      const { kernelSize: k, strides: s, padding } = layer
      const up = (n: number) => (padding === 'same' ? n * s : (n - 1) * s + k)
      const params = k * k * c * layer.filters + (layer.useBias ? layer.filters : 0)
      return { shape: [up(h), up(w), layer.filters], params, trainable: params }
    }
    case 'upSampling2d': {
      const [h, w, c] = spatial(input, index, 'UpSampling2D')
      return { shape: [h * layer.size, w * layer.size, c], params: 0, trainable: 0 }
    }
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const [h, w, c] = spatial(input, index, 'Pooling')
      const p = layer.poolSize
      if (h < p || w < p) throw new ShapeError(index, `pool size ${p} is larger than the ${h}×${w} input`)
      return { shape: [Math.floor(h / p), Math.floor(w / p), c], params: 0, trainable: 0 }
    }
    case 'blurPooling2d': {
      const [h, w, c] = spatial(input, index, 'BlurPooling2D')
      if (h < 2 || w < 2) throw new ShapeError(index, `blur pooling needs at least 2×2 (got ${h}×${w})`)
      return { shape: [Math.ceil(h / 2), Math.ceil(w / 2), c], params: 0, trainable: 0 }
    }
    case 'zeroPadding2d': {
      const [h, w, c] = spatial(input, index, 'ZeroPadding2D')
      const [[t, b], [l, r]] = layer.padding
      return { shape: [h + t + b, w + l + r, c], params: 0, trainable: 0 }
    }
    case 'reshape': {
      const from = product(input)
      const to = product(layer.targetShape)
      if (from !== to) {
        throw new ShapeError(
          index,
          `cannot reshape [${input.join(', ')}] (${from} values) to [${layer.targetShape.join(', ')}] (${to} values)`,
        )
      }
      return { shape: [...layer.targetShape], params: 0, trainable: 0 }
    }
    case 'flatten':
      return { shape: [product(input)], params: 0, trainable: 0 }
    case 'batchNorm': {
      // gamma and beta are trained; the moving mean and variance are not (Keras counts all four).
      const c = input[input.length - 1]!
      return same(4 * c, 2 * c)
    }
    case 'layerNorm':
      return same(2 * input[input.length - 1]!)
    case 'embedding': {
      const params = layer.inputDim * layer.outputDim
      return { shape: [...input, layer.outputDim], params, trainable: params }
    }
    case 'dropout':
    case 'activation':
      return same()
    case 'concatenate':
    case 'multiply':
    case 'add':
      throw new ShapeError(index, 'unreachable: merges are handled above')
  }
}

/** The graph form of any spec; a sequential spec becomes a chain named as its built layers are. */
export function toGraph(spec: ModelSpec, inputRole: InputRole = 'latent'): GraphSpec & { sequential: boolean } {
  if (isGraphSpec(spec)) return { ...spec, sequential: false }
  const seq: SequentialSpec = spec
  const names = seq.layers.map((l, i) => `${String(i).padStart(2, '0')}_${l.type}`)
  return {
    sequential: true,
    inputs: [{ name: 'input', shape: seq.inputShape, role: inputRole }],
    nodes: seq.layers.map((layer, i) => ({ name: names[i]!, layer, inputs: [i === 0 ? 'input' : names[i - 1]!] })),
    outputs: [names[names.length - 1]!],
  }
}

/**
 * Shapes and parameter counts of every layer, checking the graph on the way: unique names, inputs
 * that exist and come earlier (no cycles), outputs that are nodes, no node that feeds no output.
 */
export function summarizeModel(spec: ModelSpec, inputRole: InputRole = 'latent'): ModelSummary {
  const graph = toGraph(spec, inputRole)
  const at = (i: number) => (graph.sequential ? `layers[${i}]` : `nodes[${i}]`)
  const shapes = new Map<string, Shape>()
  graph.inputs.forEach((input, i) => {
    if (shapes.has(input.name)) throw new ShapeError(`inputs[${i}].name`, `"${input.name}" is used twice`)
    if (input.role === 'label' && (input.shape.length !== 1 || input.shape[0] !== 1 || !input.classes)) {
      throw new ShapeError(`inputs[${i}]`, 'a label input has shape [1] and says how many classes it takes')
    }
    shapes.set(input.name, [...input.shape])
  })
  let total = 0
  let trainable = 0
  const layers = graph.nodes.map((node, index) => {
    if (shapes.has(node.name)) throw new ShapeError(`${at(index)}.name`, `"${node.name}" is used twice`)
    const inputs = node.inputs.map((name, j) => {
      const shape = shapes.get(name)
      if (!shape) throw new ShapeError(`${at(index)}.inputs[${j}]`, `"${name}" is not an input or an earlier node`)
      return shape
    })
    const out = inferLayer(node.layer, inputs, at(index))
    shapes.set(node.name, out.shape)
    total += out.params
    trainable += out.trainable
    if (total > MAX_PARAMS) {
      throw new ShapeError(at(index), `the model would have over ${MAX_PARAMS.toLocaleString('en-US')} parameters`)
    }
    return {
      index,
      name: node.name,
      type: node.layer.type,
      label: layerLabel(node.layer),
      inputs: [...node.inputs],
      outputShape: out.shape,
      params: out.params,
      trainableParams: out.trainable,
    }
  })
  const outputs = graph.outputs.map((name, i) => {
    if (!graph.nodes.some((n) => n.name === name)) throw new ShapeError(`outputs[${i}]`, `"${name}" is not a node`)
    return { name, shape: shapes.get(name)! }
  })
  // A node no output depends on would hold weights the built model drops: refuse it.
  const used = new Set(graph.outputs)
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!
    if (!used.has(node.name)) throw new ShapeError(at(i), `"${node.name}" feeds no output`)
    for (const name of node.inputs) used.add(name)
  }
  graph.inputs.forEach((input, i) => {
    if (!used.has(input.name)) throw new ShapeError(`inputs[${i}]`, `"${input.name}" feeds no output`)
  })
  return {
    inputs: graph.inputs.map((i) => ({ ...i, shape: [...i.shape] })),
    outputs,
    inputShape: [...graph.inputs[0]!.shape],
    outputShape: outputs[0]!.shape,
    layers,
    totalParams: total,
    trainableParams: trainable,
  }
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
