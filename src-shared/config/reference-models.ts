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
