/**
 * Model specs: the one definition of a network that the builder edits, `model summary` prints and
 * the training engine instantiates. Two forms: sequential (`{inputShape, layers}`, each layer feeds
 * the next) and graph (named inputs, nodes that name their inputs, named outputs) for conditional
 * models and skips. Shapes exclude the batch dimension and use channels-last like Keras.
 */
import { z } from 'zod'

const positiveInt = (max: number) => z.int().min(1).max(max)
const kernel = positiveInt(15)
const activationName = z
  .enum(['linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'softmax'])
  .describe("Activation applied to the layer's output (leakyRelu with slope 0.2).")
export type ActivationName = z.infer<typeof activationName>

/**
 * How a layer's kernel starts: absent, Glorot-uniform (Keras' default); a number, a zero-centred
 * normal with that standard deviation (Radford et al. 2016 start every DCGAN layer at 0.02).
 * Biases start at zero either way.
 */
const initStd = z
  .number()
  .gt(0)
  .max(10)
  .optional()
  .describe('Start the kernel N(0, initStd²) instead of Glorot-uniform (Radford et al. 2016: 0.02).')

const dense = z
  .strictObject({
    type: z.literal('dense'),
    units: positiveInt(65_536).describe('Output width.'),
    activation: activationName.default('linear'),
    useBias: z.boolean().default(true).describe('Add a learned bias.'),
    initStd,
  })
  .describe('Fully connected layer.')
const conv2d = z
  .strictObject({
    type: z.literal('conv2d'),
    filters: positiveInt(4096).describe('Output channels.'),
    kernelSize: kernel.describe('Square kernel side.'),
    strides: positiveInt(8).default(1).describe('Stride in both directions.'),
    padding: z
      .enum(['same', 'valid'])
      .default('same')
      .describe("same: output side = input side / stride (TensorFlow's rule); valid: no padding."),
    activation: activationName.default('linear'),
    useBias: z.boolean().default(true).describe('Add a learned bias.'),
    initStd,
  })
  .describe('2D convolution (channels-last).')
const conv2dTranspose = conv2d
  .extend({ type: z.literal('conv2dTranspose') })
  .describe('Transposed 2D convolution (up-sampling with learned filters).')
const upSampling2d = z
  .strictObject({ type: z.literal('upSampling2d'), size: positiveInt(8).default(2).describe('Up-sampling factor.') })
  .describe('Nearest-neighbour up-sampling by `size` in both directions.')
const pooling2d = z
  .strictObject({
    type: z.enum(['maxPooling2d', 'averagePooling2d']),
    poolSize: positiveInt(8).default(2).describe('Window side and stride.'),
  })
  .describe('Max or average pooling (stride = poolSize).')
const blurPooling2d = z
  .strictObject({ type: z.literal('blurPooling2d') })
  .describe(
    'Anti-aliased down-sampling by 2 (Zhang 2019, BlurPool): a fixed [1, 3, 3, 1] binomial blur with reflected edges, then every second pixel. Its gradient is spread smoothly over the pixels, where a stride-2 convolution with an odd kernel (3×3) hands them a pattern that alternates pixel by pixel, which a generator trained against it can copy as stripes.',
  )
const zeroPadding2d = z
  .strictObject({
    type: z.literal('zeroPadding2d'),
    padding: z
      .tuple([z.tuple([z.int().min(0).max(64), z.int().min(0).max(64)]), z.tuple([z.int().min(0).max(64), z.int().min(0).max(64)])])
      .describe('[[top, bottom], [left, right]]'),
  })
  .describe('Zeros added around the image.')
const reshape = z
  .strictObject({
    type: z.literal('reshape'),
    targetShape: z
      .array(positiveInt(1 << 20))
      .min(1)
      .max(4)
      .describe('The new shape.'),
  })
  .describe('Reshape (without the batch dimension), e.g. [7, 7, 128].')
const flatten = z.strictObject({ type: z.literal('flatten') }).describe('Flatten to one axis.')
const dropout = z
  .strictObject({ type: z.literal('dropout'), rate: z.number().min(0).lt(1).describe('Fraction of units dropped.') })
  .describe('Dropout while training (not seeded: models with dropout are not bit-reproducible).')
const batchNorm = z
  .strictObject({
    type: z.literal('batchNorm'),
    momentum: z.number().gt(0).lt(1).default(0.99).describe('Momentum of the moving mean and variance used at inference.'),
  })
  .describe('Batch normalisation.')
const layerNorm = z.strictObject({ type: z.literal('layerNorm') }).describe('Layer normalisation.')
const activation = z
  .strictObject({
    type: z.literal('activation'),
    activation: activationName,
    alpha: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe("Negative slope for leakyRelu (Keras' LeakyReLU default is 0.3; the lectures use 0.2)."),
  })
  .describe('An activation on its own.')

const embedding = z
  .strictObject({
    type: z.literal('embedding'),
    inputDim: positiveInt(100_000).describe('Number of classes.'),
    outputDim: positiveInt(65_536).describe("Length of each class's vector."),
  })
  .describe("A class index → a learned vector per class (input [L] → [L, outputDim]), as in AC-GAN's G.")
const concatenate = z
  .strictObject({ type: z.literal('concatenate') })
  .describe('Concatenates its inputs on the last axis (graph specs only).')
const merge = z
  .strictObject({ type: z.enum(['multiply', 'add']) })
  .describe('Element-wise product or sum of its inputs (graph specs only).')

export const layerSpecSchema = z.discriminatedUnion('type', [
  dense,
  conv2d,
  conv2dTranspose,
  upSampling2d,
  pooling2d,
  blurPooling2d,
  zeroPadding2d,
  reshape,
  flatten,
  dropout,
  batchNorm,
  layerNorm,
  activation,
  embedding,
  concatenate,
  merge,
])
export type LayerSpec = z.infer<typeof layerSpecSchema>
export type LayerType = LayerSpec['type']

const shape = z
  .array(positiveInt(1 << 16))
  .min(1)
  .max(3)

export const sequentialSpecSchema = z
  .strictObject({
    inputShape: shape.describe('Input shape without the batch dimension, e.g. [100] for a latent vector or [28, 28, 1].'),
    layers: z.array(layerSpecSchema).min(1).max(200).describe('Layers in order, each feeding the next.'),
  })
  .describe('A layer stack.')
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

export const graphSpecSchema = z
  .strictObject({
    inputs: z
      .array(
        z.strictObject({
          name: identifier.describe('The name nodes use to read this input.'),
          shape: shape.describe('Shape without the batch dimension.'),
          role: z
            .enum(INPUT_ROLES)
            .describe(
              "latent: z; label: a class index (shape [1]); code: InfoGAN codes; image: a sample (D's input); condition: the image a translation is conditioned on.",
            ),
          classes: positiveInt(100_000).optional().describe('For label inputs: how many classes.'),
        }),
      )
      .min(1)
      .max(8)
      .describe('Named inputs.'),
    nodes: z
      .array(
        z.strictObject({
          name: identifier.describe("The node's name, unique in the graph."),
          layer: layerSpecSchema.describe('The layer it applies.'),
          inputs: z.array(identifier).min(1).max(8).describe('Names of the inputs and earlier nodes it reads.'),
        }),
      )
      .min(1)
      .max(300)
      .describe('In dependency order: a node may only name inputs and earlier nodes (so graphs have no cycles).'),
    outputs: z
      .array(identifier)
      .min(1)
      .max(4)
      .describe("Node names; D's first output is its real/fake score, an AC-GAN's second its class scores."),
  })
  .describe('A graph: named inputs, nodes that name what they read, named outputs.')
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
  if (!isGraphSpec(spec))
    return k === 0 ? { layer: spec.layers[spec.layers.length - 1]!, path: `layers[${spec.layers.length - 1}]` } : undefined
  const name = spec.outputs[k]
  const index = spec.nodes.findIndex((n) => n.name === name)
  return index < 0 ? undefined : { layer: spec.nodes[index]!.layer, path: `nodes[${index}]` }
}

/** The final activation a layer applies, if it has one. */
export function layerActivation(layer: LayerSpec): ActivationName | undefined {
  return 'activation' in layer ? layer.activation : undefined
}
