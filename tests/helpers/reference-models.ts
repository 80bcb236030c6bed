/** The lecture's Keras-style MNIST models (shared/seeds 000): G = 1,164,289, D = 40,705 params. */
import type { ModelSpecInput } from '../../src-shared/model/spec'

export const kerasGenerator: ModelSpecInput = {
  inputShape: [100],
  layers: [
    { type: 'dense', units: 6272 },
    { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
    { type: 'reshape', targetShape: [7, 7, 128] },
    { type: 'conv2dTranspose', filters: 128, kernelSize: 4, strides: 2, padding: 'same' },
    { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
    { type: 'conv2dTranspose', filters: 128, kernelSize: 4, strides: 2, padding: 'same' },
    { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
    { type: 'conv2d', filters: 1, kernelSize: 7, padding: 'same', activation: 'tanh' },
  ],
}

export const kerasDiscriminator: ModelSpecInput = {
  inputShape: [28, 28, 1],
  layers: [
    { type: 'conv2d', filters: 64, kernelSize: 3, strides: 2, padding: 'same' },
    { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
    { type: 'dropout', rate: 0.4 },
    { type: 'conv2d', filters: 64, kernelSize: 3, strides: 2, padding: 'same' },
    { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
    { type: 'dropout', rate: 0.4 },
    { type: 'flatten' },
    { type: 'dense', units: 1, activation: 'sigmoid' },
  ],
}
