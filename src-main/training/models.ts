/**
 * Builds tfjs-layers models from src-shared model specs. Layer names are explicit and stable
 * (`g03_dense` in sequential specs, `g_<node>` in graphs), so weights and optimizer state line up across processes when a run resumes.
 */
import * as tf from '@tensorflow/tfjs'
import { layerActivation, type ActivationName, type LayerSpec, type ModelSpec } from '../../src-shared/model/spec'
import { toGraph } from '../../src-shared/model/shape-inference'
import { BlurPooling2D } from './blur-pooling'

export interface BuildOptions {
  /** Layer (and so variable) name prefix: 'g' and 'd'; CycleGAN's second pair 'gba' and 'da'. */
  prefix: string
  seed: number
  /**
   * Build a final sigmoid as linear: the loss then works on logits, which is numerically stable
   * (sigmoid cross-entropy with logits) and mathematically the same model.
   */
  finalSigmoidAsLogits?: boolean
  /**
   * Add, as a last output, the features that feed output 0 (the input of D's real/fake layer): what
   * feature matching compares between real and generated batches.
   */
  featureOutput?: boolean
}

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>
/** A seeded kernel initializer: Glorot-uniform, or N(0, std²) where the layer asks for it. */
export type MakeInitializer = (std?: number) => Initializer
type TfActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'softmax'

function splitActivation(a: ActivationName): { inline: TfActivation; leaky: boolean } {
  return a === 'leakyRelu' ? { inline: 'linear', leaky: true } : { inline: a, leaky: false }
}

/** One tfjs layer (plus a LeakyReLU when the spec asks for that activation inline). */
function makeLayers(layer: LayerSpec, name: string, init: MakeInitializer, strip: boolean): tf.layers.Layer[] {
  switch (layer.type) {
    case 'dense':
    case 'conv2d':
    case 'conv2dTranspose': {
      const act = splitActivation(strip ? 'linear' : layer.activation)
      const common = { name, activation: act.inline, useBias: layer.useBias, kernelInitializer: init(layer.initStd) }
      const main =
        layer.type === 'dense'
          ? tf.layers.dense({ ...common, units: layer.units })
          : (layer.type === 'conv2d' ? tf.layers.conv2d : tf.layers.conv2dTranspose)({
              ...common,
              filters: layer.filters,
              kernelSize: layer.kernelSize,
              strides: layer.strides,
              padding: layer.padding,
            })
      return act.leaky ? [main, tf.layers.leakyReLU({ name: `${name}_leaky`, alpha: 0.2 })] : [main]
    }
    case 'activation':
      if (strip) return []
      return [
        layer.activation === 'leakyRelu'
          ? tf.layers.leakyReLU({ name, alpha: layer.alpha })
          : tf.layers.activation({ name, activation: layer.activation }),
      ]
    case 'upSampling2d':
      return [tf.layers.upSampling2d({ name, size: [layer.size, layer.size] })]
    case 'maxPooling2d':
      return [tf.layers.maxPooling2d({ name, poolSize: layer.poolSize })]
    case 'averagePooling2d':
      return [tf.layers.averagePooling2d({ name, poolSize: layer.poolSize })]
    case 'blurPooling2d':
      return [new BlurPooling2D({ name })]
    case 'zeroPadding2d':
      return [tf.layers.zeroPadding2d({ name, padding: layer.padding })]
    case 'reshape':
      return [tf.layers.reshape({ name, targetShape: layer.targetShape })]
    case 'flatten':
      return [tf.layers.flatten({ name })]
    // No seed: tfjs reuses a seeded dropout's mask on every call, which would freeze the mask for
    // the whole run. (So models with dropout are not bit-reproducible.)
    case 'dropout':
      return [tf.layers.dropout({ name, rate: layer.rate })]
    case 'batchNorm':
      return [tf.layers.batchNormalization({ name, momentum: layer.momentum })]
    case 'layerNorm':
      return [tf.layers.layerNormalization({ name })]
    case 'embedding':
      return [tf.layers.embedding({ name, inputDim: layer.inputDim, outputDim: layer.outputDim, embeddingsInitializer: init() })]
    case 'concatenate':
      return [tf.layers.concatenate({ name })]
    case 'multiply':
      return [tf.layers.multiply({ name })]
    case 'add':
      return [tf.layers.add({ name })]
  }
}

/**
 * Builds the functional model of a spec (sequential specs as a chain). Outputs come in the spec's
 * order; inputs too (feed them in that order to `apply`).
 */
export function buildModel(spec: ModelSpec, options: BuildOptions): tf.LayersModel {
  const graph = toGraph(spec)
  let seed = options.seed
  const init: MakeInitializer = (std) =>
    std === undefined
      ? tf.initializers.glorotUniform({ seed: seed++ })
      : tf.initializers.randomNormal({ mean: 0, stddev: std, seed: seed++ })
  const layerName = (node: string) => (graph.sequential ? `${options.prefix}${node}` : `${options.prefix}_${node}`)
  const tensors = new Map<string, tf.SymbolicTensor>()
  const inputs = graph.inputs.map((i) => {
    const t = tf.input({ shape: i.shape, name: `${options.prefix}_in_${i.name}` })
    tensors.set(i.name, t)
    return t
  })
  for (const node of graph.nodes) {
    const k = graph.outputs.indexOf(node.name)
    const act = layerActivation(node.layer)
    // Heads built as logits: the losses apply sigmoid / softmax themselves, stably.
    const strip = (k === 0 && options.finalSigmoidAsLogits === true && act === 'sigmoid') || (k > 0 && act === 'softmax')
    const ins = node.inputs.map((n) => tensors.get(n)!)
    let out: tf.SymbolicTensor = ins.length === 1 ? ins[0]! : (ins as unknown as tf.SymbolicTensor)
    for (const layer of makeLayers(node.layer, layerName(node.name), init, strip)) out = layer.apply(out) as tf.SymbolicTensor
    tensors.set(node.name, out)
  }
  const outputs = graph.outputs.map((o) => tensors.get(o)!)
  if (options.featureOutput) {
    const head = graph.nodes.find((n) => n.name === graph.outputs[0])!
    outputs.push(tensors.get(head.inputs[0]!)!)
  }
  return tf.model({
    name: options.prefix.startsWith('g') ? `generator${options.prefix.slice(1)}` : `discriminator${options.prefix.slice(1)}`,
    inputs,
    outputs,
  })
}
