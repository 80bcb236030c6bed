/**
 * Shape inference and parameter counting, pure and framework-free. Mirrors Keras/tfjs-layers rules
 * so the counts match `model.countParams()` of the built network exactly (tested).
 */
import type { LayerSpec, ModelSpec } from './spec'

export type Shape = number[]

export interface LayerSummary {
  index: number
  type: LayerSpec['type']
  label: string
  outputShape: Shape
  params: number
  trainableParams: number
}

export interface ModelSummary {
  inputShape: Shape
  outputShape: Shape
  layers: LayerSummary[]
  totalParams: number
  trainableParams: number
}

export class ShapeError extends Error {
  constructor(
    readonly layerIndex: number,
    message: string,
  ) {
    super(`layers[${layerIndex}]: ${message}`)
    this.name = 'ShapeError'
  }
}

/** Above this many parameters a spec is refused before anything is allocated. */
export const MAX_PARAMS = 100_000_000

const product = (shape: Shape) => shape.reduce((a, b) => a * b, 1)

function spatial(shape: Shape, index: number, what: string): [number, number, number] {
  if (shape.length !== 3) throw new ShapeError(index, `${what} needs an input of rank 3 (height, width, channels), got [${shape.join(', ')}]`)
  return shape as [number, number, number]
}

function convOut(size: number, k: number, s: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / s) : Math.ceil((size - k + 1) / s)
}

function layerLabel(layer: LayerSpec): string {
  switch (layer.type) {
    case 'dense': return `Dense ${layer.units}${layer.activation !== 'linear' ? ` ${layer.activation}` : ''}`
    case 'conv2d':
    case 'conv2dTranspose':
      return `${layer.type === 'conv2d' ? 'Conv2D' : 'Conv2DTranspose'} ${layer.filters} ${layer.kernelSize}×${layer.kernelSize}` +
        `${layer.strides > 1 ? ` s${layer.strides}` : ''}${layer.activation !== 'linear' ? ` ${layer.activation}` : ''}`
    case 'upSampling2d': return `UpSampling2D ×${layer.size}`
    case 'maxPooling2d': return `MaxPooling2D ${layer.poolSize}`
    case 'averagePooling2d': return `AveragePooling2D ${layer.poolSize}`
    case 'zeroPadding2d': return 'ZeroPadding2D'
    case 'reshape': return `Reshape ${layer.targetShape.join('×')}`
    case 'flatten': return 'Flatten'
    case 'dropout': return `Dropout ${layer.rate}`
    case 'batchNorm': return 'BatchNorm'
    case 'layerNorm': return 'LayerNorm'
    case 'activation': return layer.activation === 'leakyRelu' ? `LeakyReLU ${layer.alpha}` : layer.activation
  }
}

/** Output shape and (total, trainable) parameter counts of one layer. */
export function inferLayer(layer: LayerSpec, input: Shape, index: number): { shape: Shape; params: number; trainable: number } {
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
    case 'zeroPadding2d': {
      const [h, w, c] = spatial(input, index, 'ZeroPadding2D')
      const [[t, b], [l, r]] = layer.padding
      return { shape: [h + t + b, w + l + r, c], params: 0, trainable: 0 }
    }
    case 'reshape': {
      const from = product(input)
      const to = product(layer.targetShape)
      if (from !== to) {
        throw new ShapeError(index, `cannot reshape [${input.join(', ')}] (${from} values) to [${layer.targetShape.join(', ')}] (${to} values)`)
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
    case 'dropout':
    case 'activation':
      return same()
  }
}

export function summarizeModel(spec: ModelSpec): ModelSummary {
  let shape: Shape = [...spec.inputShape]
  let total = 0
  let trainable = 0
  const layers = spec.layers.map((layer, index) => {
    const out = inferLayer(layer, shape, index)
    shape = out.shape
    total += out.params
    trainable += out.trainable
    if (total > MAX_PARAMS) {
      throw new ShapeError(index, `the model would have over ${MAX_PARAMS.toLocaleString('en-US')} parameters`)
    }
    return { index, type: layer.type, label: layerLabel(layer), outputShape: shape, params: out.params, trainableParams: out.trainable }
  })
  return { inputShape: [...spec.inputShape], outputShape: shape, layers, totalParams: total, trainableParams: trainable }
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
