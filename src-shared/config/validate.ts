/**
 * Full validation of an experiment config: the schema, then the cross-field rules that need shape
 * inference (G maps z to a data point, D maps a data point to one score). Nothing is allocated
 * before this passes.
 */
import { experimentConfigSchema, type ExperimentConfig } from './experiment'
import { ConfigError, fieldErrors, type FieldError } from './errors'
import { sameShape, ShapeError, summarizeModel, type ModelSummary, type Shape } from '../model/shape-inference'

export function dataShape(config: Pick<ExperimentConfig, 'dataset'>): Shape {
  switch (config.dataset.kind) {
    case 'toy2d':
      return [2]
    case 'image':
      // Every built-in and IDX dataset is 28×28 grey.
      return [28, 28, 1]
  }
}

export interface ValidatedExperiment {
  config: ExperimentConfig
  generator: ModelSummary
  discriminator: ModelSummary
}

function summarize(which: 'generator' | 'discriminator', config: ExperimentConfig, errors: FieldError[]): ModelSummary | undefined {
  try {
    return summarizeModel(config[which])
  } catch (e) {
    if (e instanceof ShapeError) {
      errors.push({ path: `${which}.layers[${e.layerIndex}]`, message: e.message.replace(/^layers\[\d+\]: /, '') })
      return undefined
    }
    throw e
  }
}

export function validateExperiment(raw: unknown): ValidatedExperiment {
  const parsed = experimentConfigSchema.safeParse(raw)
  if (!parsed.success) throw new ConfigError(fieldErrors(parsed.error))
  const config = parsed.data
  const errors: FieldError[] = []
  const g = summarize('generator', config, errors)
  const d = summarize('discriminator', config, errors)
  const data = dataShape(config)
  if (!sameShape(config.generator.inputShape, [config.latent.dim])) {
    errors.push({ path: 'generator.inputShape', message: `must be [${config.latent.dim}] (latent.dim), got [${config.generator.inputShape.join(', ')}]` })
  }
  if (g && !sameShape(g.outputShape, data)) {
    errors.push({ path: 'generator.layers', message: `the generator outputs [${g.outputShape.join(', ')}] but the dataset's samples are [${data.join(', ')}]` })
  }
  if (!sameShape(config.discriminator.inputShape, data)) {
    errors.push({ path: 'discriminator.inputShape', message: `must be [${data.join(', ')}] (the dataset's sample shape), got [${config.discriminator.inputShape.join(', ')}]` })
  }
  if (d && !sameShape(d.outputShape, [1])) {
    errors.push({ path: 'discriminator.layers', message: `the discriminator must output one score per sample ([1]), got [${d.outputShape.join(', ')}]` })
  }
  const last = config.discriminator.layers.length - 1
  const lastLayer = config.discriminator.layers[last]!
  const endsInSigmoid = 'activation' in lastLayer && lastLayer.activation === 'sigmoid'
  if (config.gan === 'vanilla' && !endsInSigmoid) {
    errors.push({ path: `discriminator.layers[${last}]`, message: 'the vanilla GAN needs D to end in a sigmoid (its output is a probability)' })
  }
  if (config.gan !== 'vanilla' && endsInSigmoid) {
    errors.push({ path: `discriminator.layers[${last}]`, message: `${config.gan} needs D to output a raw score: use a linear activation, not sigmoid` })
  }
  if (config.dataset.kind === 'image' && config.dataset.name === 'mnist-idx' && !config.dataset.dir) {
    errors.push({ path: 'dataset.dir', message: 'mnist-idx needs the directory holding the MNIST IDX files' })
  }
  if (errors.length > 0 || !g || !d) throw new ConfigError(errors)
  return { config, generator: g, discriminator: d }
}
