/**
 * What the second-order unrolled GAN (training.unrollGradient) runs on. Its look-ahead runs D as a
 * function of weights that are not D's variables (src-main/training/unrolled-lookahead.ts), written
 * for an MLP D with one logit out, the vanilla objective and D's Adam; anything else is refused
 * here, with the reason, before a run starts.
 */
import type { ExperimentConfig } from './experiment'
import type { FieldError } from './errors'
import { isGraphSpec, specLayers } from '../model/spec'

const HIDDEN_ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'tanh']

/** Whether the config unrolls D with G's gradient through the look-ahead. */
export function secondOrderUnrolling(config: ExperimentConfig): boolean {
  return config.training.unrollGradient === 'second-order' && config.training.unrollSteps > 0
}

export function secondOrderUnrollErrors(config: ExperimentConfig): FieldError[] {
  if (!secondOrderUnrolling(config)) return []
  const errors: FieldError[] = []
  const refuse = (path: string, found: string, needs: string) =>
    errors.push({ path, message: `the second-order unrolled GAN (training.unrollGradient) needs ${needs}, not ${found}` })
  const { gan, conditioning, tricks } = config
  const dOptimizer = config.optimizers.discriminator.type
  if (gan !== 'vanilla') refuse('gan', `the ${gan} objective`, 'the vanilla objective')
  if (conditioning !== 'none') refuse('conditioning', `${conditioning} conditioning`, 'no conditioning')
  if (dOptimizer !== 'adam') refuse('optimizers.discriminator.type', dOptimizer, "Adam for D (the look-ahead steps are D's Adam updates)")
  const plainD = 'D to see the batches as they are'
  if (tricks.featureMatching) refuse('tricks.featureMatching', 'feature matching', "G's adversarial loss against the look-ahead D")
  if (tricks.instanceNoise > 0) refuse('tricks.instanceNoise', 'instance noise', plainD)
  if (tricks.translate > 0) refuse('tricks.translate', 'random translation', plainD)
  if (tricks.virtualBatchNorm > 0) refuse('tricks.virtualBatchNorm', 'virtual batch norm', 'a G without a reference batch')
  if (isGraphSpec(config.discriminator)) {
    refuse('discriminator', 'a graph discriminator', 'a sequential MLP discriminator')
    return errors
  }
  // The layers as the look-ahead reads the built model (mlp-layers.ts): dense layers, each with
  // at most one activation, given on the layer or as an activation layer right after a linear one;
  // the last may be a sigmoid (built as the logit it wraps).
  const layers = specLayers(config.discriminator)
  let afterLinearDense = false
  layers.forEach((layer, i) => {
    const activation = 'activation' in layer ? String(layer.activation) : undefined
    const last = i === layers.length - 1
    const allowed = HIDDEN_ACTIVATIONS.includes(activation ?? '') || (last && activation === 'sigmoid')
    const ok = layer.type === 'dense' ? allowed : layer.type === 'activation' && allowed && afterLinearDense
    afterLinearDense = layer.type === 'dense' && activation === 'linear'
    if (!ok)
      refuse(
        `discriminator.layers[${i}]`,
        `a ${layer.type}${activation ? ` (${activation})` : ''} layer`,
        'an MLP D: dense layers with linear, ReLU, LeakyReLU or tanh activations, each on the layer or as one activation layer right after it (the final sigmoid is read as a logit)',
      )
  })
  return errors
}
