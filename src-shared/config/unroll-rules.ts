/**
 * What the second-order unrolled GAN (training.unrollGradient) runs on. Its look-ahead runs D as a
 * function of weights that are not D's variables (src-main/training/unrolled-lookahead.ts), written
 * for an MLP D with one logit out, the vanilla objective and D's Adam; anything else is refused
 * here, with the reason, before a run starts.
 */
import type { ExperimentConfig } from './experiment'
import type { FieldError } from './errors'
import { isGraphSpec, type LayerSpec, type ModelSpec } from '../model/spec'

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
  const chain = layerChain(config.discriminator)
  if (!chain) {
    refuse('discriminator', 'a graph discriminator with branches', 'a D whose layers form one chain (an MLP)')
    return errors
  }
  let afterLinearDense = false
  chain.forEach(({ layer, path }, i) => {
    const activation = 'activation' in layer ? String(layer.activation) : undefined
    const last = i === chain.length - 1
    const allowed = HIDDEN_ACTIVATIONS.includes(activation ?? '') || (last && activation === 'sigmoid')
    const ok = layer.type === 'dense' ? allowed : layer.type === 'activation' && allowed && afterLinearDense
    afterLinearDense = layer.type === 'dense' && activation === 'linear'
    if (!ok)
      refuse(
        `discriminator.${path}`,
        `a ${layer.type}${activation ? ` (${activation})` : ''} layer`,
        'an MLP D: dense layers with linear, ReLU, LeakyReLU or tanh activations, each on the layer or as one activation layer right after it (the final sigmoid is read as a logit)',
      )
  })
  return errors
}

/**
 * The layers of a model that is one chain, input to output, with their paths in the spec; null
 * for a graph with branches. The model builder keeps every model as a graph, so a sequential MLP
 * edited there comes back as a chain of nodes.
 */
function layerChain(spec: ModelSpec): { layer: LayerSpec; path: string }[] | null {
  if (!isGraphSpec(spec)) return spec.layers.map((layer, i) => ({ layer, path: `layers[${i}]` }))
  if (spec.inputs.length !== 1 || spec.outputs.length !== 1) return null
  const byName = new Map(spec.nodes.map((node, i) => [node.name, { node, i }]))
  const chain: { layer: LayerSpec; path: string }[] = []
  let name: string = spec.outputs[0]!
  while (name !== spec.inputs[0]!.name) {
    const at = byName.get(name)
    if (!at || at.node.inputs.length !== 1 || chain.length > spec.nodes.length) return null
    chain.unshift({ layer: at.node.layer, path: `nodes[${at.i}]` })
    name = at.node.inputs[0]!
  }
  return chain.length === spec.nodes.length ? chain : null
}
