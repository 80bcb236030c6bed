/**
 * Model specs: the one definition of a network that the builder edits, `model summary` prints and
 * the training engine instantiates. Two forms: sequential (`{inputShape, layers}`, each layer feeds
 * the next) and graph (named inputs, nodes that name their inputs, named outputs) for conditional
 * models and skips. Shapes exclude the batch dimension and use channels-last like Keras.
 */
import { z } from 'zod'

const positiveInt = (max: number) => z.int().min(1).max(max)
const kernel = positiveInt(15)
const activationName = z.enum(['linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'softmax'])
export type ActivationName = z.infer<typeof activationName>

/**
 * How a layer's kernel starts: absent, Glorot-uniform (Keras' default); a number, a zero-centred
 * normal with that standard deviation (Radford et al. 2016 start every DCGAN layer at 0.02).
 * Biases start at zero either way.
 */
const initStd = z.number().gt(0).max(10).optional()

const dense = z.strictObject({
  type: z.literal('dense'),
  units: positiveInt(65_536),
  activation: activationName.default('linear'),
  useBias: z.boolean().default(true),
  initStd,
})
const conv2d = z.strictObject({
  type: z.literal('conv2d'),
  filters: positiveInt(4096),
  kernelSize: kernel,
  strides: positiveInt(8).default(1),
  padding: z.enum(['same', 'valid']).default('same'),
  activation: activationName.default('linear'),
  useBias: z.boolean().default(true),
  initStd,
})
const conv2dTranspose = conv2d.extend({ type: z.literal('conv2dTranspose') })
const upSampling2d = z.strictObject({ type: z.literal('upSampling2d'), size: positiveInt(8).default(2) })
const pooling2d = z.strictObject({
  type: z.enum(['maxPooling2d', 'averagePooling2d']),
  poolSize: positiveInt(8).default(2),
})
const zeroPadding2d = z.strictObject({
  type: z.literal('zeroPadding2d'),
  /** [[top, bottom], [left, right]] */
  padding: z.tuple([z.tuple([z.int().min(0).max(64), z.int().min(0).max(64)]), z.tuple([z.int().min(0).max(64), z.int().min(0).max(64)])]),
})
const reshape = z.strictObject({ type: z.literal('reshape'), targetShape: z.array(positiveInt(1 << 20)).min(1).max(4) })
const flatten = z.strictObject({ type: z.literal('flatten') })
const dropout = z.strictObject({ type: z.literal('dropout'), rate: z.number().min(0).lt(1) })
const batchNorm = z.strictObject({ type: z.literal('batchNorm'), momentum: z.number().gt(0).lt(1).default(0.99) })
const layerNorm = z.strictObject({ type: z.literal('layerNorm') })
const activation = z.strictObject({
  type: z.literal('activation'),
  activation: activationName,
  /** Negative slope for leakyRelu (Keras' LeakyReLU default is 0.3; the lectures use 0.2). */
  alpha: z.number().min(0).max(1).default(0.2),
})

/** A class index → a learned vector per class (input [L] → [L, outputDim]), as in AC-GAN's G. */
const embedding = z.strictObject({ type: z.literal('embedding'), inputDim: positiveInt(100_000), outputDim: positiveInt(65_536) })
/** Merge layers take two or more inputs (graph specs only). */
const concatenate = z.strictObject({ type: z.literal('concatenate') })
const merge = z.strictObject({ type: z.enum(['multiply', 'add']) })

export const layerSpecSchema = z.discriminatedUnion('type', [
  dense, conv2d, conv2dTranspose, upSampling2d, pooling2d, zeroPadding2d, reshape, flatten, dropout,
  batchNorm, layerNorm, activation, embedding, concatenate, merge,
])
export type LayerSpec = z.infer<typeof layerSpecSchema>
export type LayerType = LayerSpec['type']

const shape = z.array(positiveInt(1 << 16)).min(1).max(3)

export const sequentialSpecSchema = z.strictObject({
  /** Input shape without the batch dimension, e.g. [100] for a latent vector or [28, 28, 1]. */
  inputShape: shape,
  layers: z.array(layerSpecSchema).min(1).max(200),
})
export type SequentialSpec = z.infer<typeof sequentialSpecSchema>

export const IDENTIFIER_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,39}$/
export const IDENTIFIER_RULE = 'a name of letters, digits and _ starting with a letter (at most 40)'
const identifier = z.string().regex(IDENTIFIER_PATTERN, IDENTIFIER_RULE)

/**
 * What an input carries. latent: z; label: a class index (shape [1], `classes` values); code:
 * InfoGAN-style latent codes; image: a sample (D's input); condition: the image a translation is
 * conditioned on (pix2pix's input to G, and to D beside the image).
 */
export const INPUT_ROLES = ['latent', 'label', 'code', 'image', 'condition'] as const
export type InputRole = (typeof INPUT_ROLES)[number]

export const graphSpecSchema = z.strictObject({
  inputs: z.array(z.strictObject({
    name: identifier,
    shape,
    role: z.enum(INPUT_ROLES),
    /** For label inputs: how many classes. */
    classes: positiveInt(100_000).optional(),
  })).min(1).max(8),
  /** In dependency order: a node may only name inputs and earlier nodes (so graphs have no cycles). */
  nodes: z.array(z.strictObject({ name: identifier, layer: layerSpecSchema, inputs: z.array(identifier).min(1).max(8) })).min(1).max(300),
  /** Node names; D's first output is its real/fake score, an AC-GAN's second its class scores. */
  outputs: z.array(identifier).min(1).max(4),
})
export type GraphSpec = z.infer<typeof graphSpecSchema>

export const modelSpecSchema = z.union([sequentialSpecSchema, graphSpecSchema])
export type ModelSpec = z.infer<typeof modelSpecSchema>
export type ModelSpecInput = z.input<typeof modelSpecSchema>

export type SequentialSpecInput = z.input<typeof sequentialSpecSchema>
export type GraphSpecInput = z.input<typeof graphSpecSchema>

export function isGraphSpec(spec: ModelSpec): spec is GraphSpec {
  return 'nodes' in spec
}

/** Every layer of a spec, in order (for questions such as "is this model convolutional?"). */
export function specLayers(spec: ModelSpec): LayerSpec[] {
  return isGraphSpec(spec) ? spec.nodes.map((n) => n.layer) : spec.layers
}

/** The layer that produces output `k` (a sequential spec has one output, its last layer). */
export function outputLayer(spec: ModelSpec, k = 0): { layer: LayerSpec; path: string } | undefined {
  if (!isGraphSpec(spec)) return k === 0 ? { layer: spec.layers[spec.layers.length - 1]!, path: `layers[${spec.layers.length - 1}]` } : undefined
  const name = spec.outputs[k]
  const index = spec.nodes.findIndex((n) => n.name === name)
  return index < 0 ? undefined : { layer: spec.nodes[index]!.layer, path: `nodes[${index}]` }
}

/** The final activation a layer applies, if it has one. */
export function layerActivation(layer: LayerSpec): ActivationName | undefined {
  return 'activation' in layer ? layer.activation : undefined
}
