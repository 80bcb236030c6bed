/**
 * Builds tfjs-layers models from src-shared model specs. Layer names are explicit and stable
 * (`g03_dense`), so weights and optimizer state line up across processes when a run resumes.
 */
import * as tf from '@tensorflow/tfjs'
import type { ActivationName, LayerSpec, ModelSpec } from '../../src-shared/model/spec'

export interface BuildOptions {
  prefix: 'g' | 'd'
  seed: number
  /**
   * Build a final sigmoid as linear: the loss then works on logits, which is numerically stable
   * (sigmoid cross-entropy with logits) and mathematically the same model.
   */
  finalSigmoidAsLogits?: boolean
}

type TfActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax'

function splitActivation(a: ActivationName): { inline: TfActivation; leaky: boolean } {
  return a === 'leakyRelu' ? { inline: 'linear', leaky: true } : { inline: a, leaky: false }
}

export function buildModel(spec: ModelSpec, options: BuildOptions): tf.Sequential {
  const model = tf.sequential({ name: options.prefix === 'g' ? 'generator' : 'discriminator' })
  const last = spec.layers.length - 1
  let seed = options.seed
  const init = () => tf.initializers.glorotUniform({ seed: seed++ })
  spec.layers.forEach((layer: LayerSpec, i) => {
    const name = `${options.prefix}${String(i).padStart(2, '0')}_${layer.type}`
    const first = i === 0 ? { inputShape: spec.inputShape } : {}
    const stripSigmoid = options.finalSigmoidAsLogits && i === last
    switch (layer.type) {
      case 'dense':
      case 'conv2d':
      case 'conv2dTranspose': {
        const act = stripSigmoid && layer.activation === 'sigmoid' ? splitActivation('linear') : splitActivation(layer.activation)
        const common = { ...first, name, activation: act.inline, useBias: layer.useBias, kernelInitializer: init() }
        if (layer.type === 'dense') model.add(tf.layers.dense({ ...common, units: layer.units }))
        else {
          const conv = { ...common, filters: layer.filters, kernelSize: layer.kernelSize, strides: layer.strides, padding: layer.padding }
          model.add(layer.type === 'conv2d' ? tf.layers.conv2d(conv) : tf.layers.conv2dTranspose(conv))
        }
        if (act.leaky) model.add(tf.layers.leakyReLU({ name: `${name}_leaky`, alpha: 0.2 }))
        break
      }
      case 'activation':
        if (layer.activation === 'leakyRelu') model.add(tf.layers.leakyReLU({ ...first, name, alpha: layer.alpha }))
        else if (!(stripSigmoid && layer.activation === 'sigmoid')) model.add(tf.layers.activation({ ...first, name, activation: layer.activation }))
        break
      case 'upSampling2d':
        model.add(tf.layers.upSampling2d({ ...first, name, size: [layer.size, layer.size] }))
        break
      case 'maxPooling2d':
        model.add(tf.layers.maxPooling2d({ ...first, name, poolSize: layer.poolSize }))
        break
      case 'averagePooling2d':
        model.add(tf.layers.averagePooling2d({ ...first, name, poolSize: layer.poolSize }))
        break
      case 'zeroPadding2d':
        model.add(tf.layers.zeroPadding2d({ ...first, name, padding: layer.padding }))
        break
      case 'reshape':
        model.add(tf.layers.reshape({ ...first, name, targetShape: layer.targetShape }))
        break
      case 'flatten':
        model.add(tf.layers.flatten({ ...first, name }))
        break
      case 'dropout':
        // No seed: tfjs reuses a seeded dropout's mask on every call, which would freeze the
        // mask for the whole run. (So models with dropout are not bit-reproducible.)
        model.add(tf.layers.dropout({ ...first, name, rate: layer.rate }))
        break
      case 'batchNorm':
        model.add(tf.layers.batchNormalization({ ...first, name, momentum: layer.momentum }))
        break
      case 'layerNorm':
        model.add(tf.layers.layerNormalization({ ...first, name }))
        break
    }
  })
  return model
}
