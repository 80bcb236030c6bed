/**
 * The lectures' reference MNIST models (shared/seeds), as model specs.
 * Keras-style (seed 000): G = 1,164,289 params, D = 40,705 params, reproduced exactly.
 */
import type { SequentialSpecInput } from '../model/spec'

const leaky = { type: 'activation', activation: 'leakyRelu', alpha: 0.2 } as const

/** Dense 6272 → LeakyReLU → Reshape 7×7×128 → Conv2DTranspose 128 (×2, stride 2) → Conv2D 1 tanh. */
export const kerasDcganGenerator: SequentialSpecInput = {
  inputShape: [100],
  layers: [
    { type: 'dense', units: 6272 },
    leaky,
    { type: 'reshape', targetShape: [7, 7, 128] },
    { type: 'conv2dTranspose', filters: 128, kernelSize: 4, strides: 2, padding: 'same' },
    leaky,
    { type: 'conv2dTranspose', filters: 128, kernelSize: 4, strides: 2, padding: 'same' },
    leaky,
    { type: 'conv2d', filters: 1, kernelSize: 7, padding: 'same', activation: 'tanh' },
  ],
}

/** Conv2D 64 s2 → LeakyReLU → Dropout → Conv2D 64 s2 → LeakyReLU → Dropout → Flatten → Dense 1. */
export const kerasDcganDiscriminator: SequentialSpecInput = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 64, kernelSize: 3, strides: 2, padding: 'same' },
    leaky,
    { type: 'dropout', rate: 0.4 },
    { type: 'conv2d', filters: 64, kernelSize: 3, strides: 2, padding: 'same' },
    leaky,
    { type: 'dropout', rate: 0.4 },
    { type: 'flatten' },
    { type: 'dense', units: 1, activation: 'sigmoid' },
  ],
}

/** Lecture 9a "GAN: generating digits": up-sampling + 5×5 convolutions. */
export const lectureGenerator: SequentialSpecInput = {
  inputShape: [100],
  layers: [
    { type: 'dense', units: 12544 },
    leaky,
    { type: 'reshape', targetShape: [7, 7, 256] },
    { type: 'conv2d', filters: 128, kernelSize: 5, padding: 'same' },
    leaky,
    { type: 'upSampling2d', size: 2 },
    { type: 'conv2d', filters: 64, kernelSize: 5, padding: 'same' },
    leaky,
    { type: 'upSampling2d', size: 2 },
    { type: 'conv2d', filters: 1, kernelSize: 5, padding: 'same', activation: 'tanh' },
  ],
}

export const lectureDiscriminator: SequentialSpecInput = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 64, kernelSize: 5, padding: 'same' },
    leaky,
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'dropout', rate: 0.3 },
    { type: 'conv2d', filters: 128, kernelSize: 5, padding: 'same' },
    leaky,
    { type: 'maxPooling2d', poolSize: 2 },
    { type: 'dropout', rate: 0.3 },
    { type: 'flatten' },
    { type: 'dense', units: 1, activation: 'sigmoid' },
  ],
}

/**
 * The Keras-style generator with batch normalisation after the dense layer and each transposed
 * convolution, before the activation (Radford et al. 2016, DCGAN). Seen here at batch 64: the
 * plain pair collapses to blank images within the first epoch (D wins, G's gradients vanish); this
 * one keeps the losses balanced and draws strokes after one epoch.
 */
export const dcganBnGenerator: SequentialSpecInput = {
  ...kerasDcganGenerator,
  layers: kerasDcganGenerator.layers.flatMap((l): SequentialSpecInput['layers'] =>
    l.type === 'dense' || l.type === 'conv2dTranspose' ? [l, { type: 'batchNorm', momentum: 0.9 }] : [l],
  ),
}

const relu = { type: 'activation', activation: 'relu' } as const
const bn = { type: 'batchNorm', momentum: 0.9 } as const

/**
 * DCGAN as Radford et al. (2016) define it, at 28×28 (the InfoGAN paper's MNIST sizes): G projects
 * z to 7×7×128 and doubles twice with 4×4 stride-2 transposed convolutions; batch norm and ReLU
 * after every layer but the tanh output. Layers followed by batch norm carry no bias (its shift
 * replaces it). 784,641 parameters, and a third of the Keras-style G's arithmetic.
 */
export const radfordDcganGenerator: SequentialSpecInput = {
  inputShape: [100],
  layers: [
    { type: 'dense', units: 6272, useBias: false },
    bn,
    relu,
    { type: 'reshape', targetShape: [7, 7, 128] },
    { type: 'conv2dTranspose', filters: 64, kernelSize: 4, strides: 2, padding: 'same', useBias: false },
    bn,
    relu,
    { type: 'conv2dTranspose', filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' },
  ],
}

/**
 * Radford et al.'s D at 28×28: 4×4 stride-2 convolutions 64 → 128 with LeakyReLU 0.2, batch norm on
 * all but the first, no dropout, no pooling, one sigmoid unit. 138,945 parameters: unlike the
 * 40,705-parameter Keras-style D with dropout 0.4, it keeps up with a batch-norm G (seen here: that
 * D sat at chance for 1,000 steps while this one tells real from generated and so teaches G).
 */
export const radfordDcganDiscriminator: SequentialSpecInput = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 64, kernelSize: 4, strides: 2, padding: 'same' },
    leaky,
    { type: 'conv2d', filters: 128, kernelSize: 4, strides: 2, padding: 'same', useBias: false },
    bn,
    leaky,
    { type: 'flatten' },
    { type: 'dense', units: 1, activation: 'sigmoid' },
  ],
}
