/**
 * Model specs: the one definition of a network that the builder edits, `model summary` prints and
 * the training engine instantiates. Sequential for now (each layer feeds the next); shapes exclude
 * the batch dimension and use channels-last like Keras.
 */
import { z } from 'zod'

const positiveInt = (max: number) => z.int().min(1).max(max)
const kernel = positiveInt(15)
const activationName = z.enum(['linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'softmax'])
export type ActivationName = z.infer<typeof activationName>

const dense = z.strictObject({
  type: z.literal('dense'),
  units: positiveInt(65_536),
  activation: activationName.default('linear'),
  useBias: z.boolean().default(true),
})
const conv2d = z.strictObject({
  type: z.literal('conv2d'),
  filters: positiveInt(4096),
  kernelSize: kernel,
  strides: positiveInt(8).default(1),
  padding: z.enum(['same', 'valid']).default('same'),
  activation: activationName.default('linear'),
  useBias: z.boolean().default(true),
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

export const layerSpecSchema = z.discriminatedUnion('type', [
  dense, conv2d, conv2dTranspose, upSampling2d, pooling2d, zeroPadding2d, reshape, flatten, dropout,
  batchNorm, layerNorm, activation,
])
export type LayerSpec = z.infer<typeof layerSpecSchema>
export type LayerType = LayerSpec['type']

export const modelSpecSchema = z.strictObject({
  /** Input shape without the batch dimension, e.g. [100] for a latent vector or [28, 28, 1]. */
  inputShape: z.array(positiveInt(1 << 16)).min(1).max(3),
  layers: z.array(layerSpecSchema).min(1).max(200),
})
export type ModelSpec = z.infer<typeof modelSpecSchema>
export type ModelSpecInput = z.input<typeof modelSpecSchema>
