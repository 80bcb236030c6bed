/**
 * An MLP model read as a list of dense layers, each with the element-wise activation after it: the
 * shape that code computing an MLP outside tfjs' layers needs (the native MLP step; the second-order
 * unrolled look-ahead, which runs D as a function of weights that are not its variables).
 */
import * as tf from '@tensorflow/tfjs'

export const ACT = { linear: 0, relu: 1, leaky: 2, tanh: 3 } as const

/** One dense layer and the element-wise activation after it. */
export interface DenseStep {
  kernel: tf.Variable
  bias: tf.Variable | undefined
  act: number
  alpha: number
}

/** The dense layers of an MLP model with their activations, or why it is not one. */
export function denseSteps(model: tf.LayersModel): DenseStep[] | string {
  const steps: DenseStep[] = []
  for (const layer of model.layers) {
    const kind = layer.getClassName()
    const config = layer.getConfig() as { activation?: string; alpha?: number }
    if (kind === 'InputLayer') continue
    if (kind === 'Dense') {
      const act =
        config.activation === 'relu'
          ? ACT.relu
          : config.activation === 'tanh'
            ? ACT.tanh
            : config.activation === 'linear'
              ? ACT.linear
              : undefined
      if (act === undefined) return `a dense layer with ${config.activation}`
      const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable)
      if (!kernel || layer.trainableWeights.length !== (bias ? 2 : 1) || layer.nonTrainableWeights.length)
        return 'a dense layer with other weights'
      steps.push({ kernel, bias, act, alpha: 0 })
      continue
    }
    const last = steps.at(-1)
    if (!last || last.act !== ACT.linear) return `${kind} not after a linear dense layer`
    if (kind === 'LeakyReLU') {
      last.act = ACT.leaky
      last.alpha = config.alpha ?? 0.3
    } else if (kind === 'Activation' && (config.activation === 'relu' || config.activation === 'tanh' || config.activation === 'linear')) {
      last.act = ACT[config.activation === 'relu' ? 'relu' : config.activation === 'tanh' ? 'tanh' : 'linear']
    } else {
      return `a ${kind} layer`
    }
  }
  return steps.length ? steps : 'no dense layer'
}
