/**
 * Full validation of an experiment config: the schema, then the cross-field rules that need shape
 * inference (G maps z to a data point, D maps a data point to one score). Nothing is allocated
 * before this passes.
 */
import { withResizeConvolutions } from '../model/resize-conv'
import { experimentConfigSchema, type ExperimentConfig } from './experiment'
import { dataShape } from './data-shape'
import { ConfigError, fieldErrors, type FieldError } from './errors'
import { assertConfigDepth } from './json-depth'
import { secondOrderUnrollErrors } from './unroll-rules'
import { sameShape, ShapeError, summarizeModel, type ModelSummary, type Shape } from '../model/shape-inference'
import { isGraphSpec, layerActivation, outputLayer, specLayers } from '../model/spec'

export { dataShape, isPointData } from './data-shape'

export const INFOGAN_DEFAULTS = { categorical: 10, continuous: 2, continuousWeight: 0.1, categoricalWeight: 1, warmup: 0 } as const

/** InfoGAN's code settings (the defaults when the config leaves them out). */
export function infoganCodes(config: Pick<ExperimentConfig, 'infogan'>): {
  categorical: number
  continuous: number
  continuousWeight: number
  categoricalWeight: number
  warmup: number
} {
  return { ...INFOGAN_DEFAULTS, ...config.infogan }
}

/** Classes of a labelled dataset (every built-in image dataset has 10); undefined when unlabelled. */
export function datasetClasses(config: Pick<ExperimentConfig, 'dataset'>): number | undefined {
  if (config.dataset.kind === 'image') return 10
  if (config.dataset.kind === 'folder' && config.dataset.labelsFromFolders) return config.dataset.classes
  return undefined
}

export interface ValidatedExperiment {
  config: ExperimentConfig
  generator: ModelSummary
  discriminator: ModelSummary
}

function summarize(which: 'generator' | 'discriminator', config: ExperimentConfig, errors: FieldError[]): ModelSummary | undefined {
  try {
    return summarizeModel(config[which], which === 'generator' ? 'latent' : 'image')
  } catch (e) {
    if (e instanceof ShapeError) {
      errors.push({ path: `${which}.${e.where}`, message: e.detail })
      return undefined
    }
    throw e
  }
}

const show = (s: Shape) => `[${s.join(', ')}]`

/** The inputs each model must have for the conditioning, checked against the summary. */
function checkInputs(
  which: 'generator' | 'discriminator',
  seq: boolean,
  summary: ModelSummary,
  expected: { role: 'latent' | 'label' | 'code' | 'image' | 'condition'; shape: Shape; why: string }[],
  classes: number | undefined,
  errors: FieldError[],
): void {
  const base = which
  const inputPath = (i: number) => (seq ? `${base}.inputShape` : `${base}.inputs[${i}]`)
  if (summary.inputs.length !== expected.length) {
    const want = expected.map((e) => `${e.role} ${show(e.shape)}`).join(' and ')
    errors.push({
      path: seq ? `${base}.inputShape` : `${base}.inputs`,
      message: `needs ${expected.length === 1 ? 'one input' : `${expected.length} inputs`} (${want}), got ${summary.inputs.length}`,
    })
    return
  }
  expected.forEach((e) => {
    const i = summary.inputs.findIndex((inp) => inp.role === e.role)
    if (i < 0) {
      errors.push({ path: `${base}.inputs`, message: `needs a ${e.role} input (${e.why})` })
      return
    }
    const input = summary.inputs[i]!
    if (!sameShape(input.shape, e.shape))
      errors.push({ path: inputPath(i), message: `must be ${show(e.shape)} (${e.why}), got ${show(input.shape)}` })
    if (e.role === 'label' && input.classes !== classes)
      errors.push({ path: `${base}.inputs[${i}].classes`, message: `must be ${classes} (the dataset's classes), got ${input.classes}` })
  })
}

export function validateExperiment(raw: unknown): ValidatedExperiment {
  assertConfigDepth(raw)
  const parsed = experimentConfigSchema.safeParse(raw)
  if (!parsed.success) throw new ConfigError(fieldErrors(parsed.error))
  const config = parsed.data
  // One place, before anything reads the generator: training, summaries and the builder agree.
  if (config.tricks.resizeConv) config.generator = withResizeConvolutions(config.generator)
  const errors: FieldError[] = []
  const g = summarize('generator', config, errors)
  const d = summarize('discriminator', config, errors)
  const data = dataShape(config)
  const classes = datasetClasses(config)
  const labelled = config.conditioning === 'cgan' || config.conditioning === 'acgan'
  const info = config.conditioning === 'infogan' ? infoganCodes(config) : undefined
  const codeSize = info ? info.categorical + info.continuous : 0
  if (labelled && classes === undefined) {
    errors.push({
      path: 'conditioning',
      message: `${config.conditioning} needs a labelled dataset; ${config.dataset.kind} data has no labels`,
    })
  }
  const latent = { role: 'latent' as const, shape: [config.latent.dim], why: 'latent.dim' }
  const label = { role: 'label' as const, shape: [1], why: 'a class index' }
  const image = { role: 'image' as const, shape: data, why: "the dataset's sample shape" }
  const code = { role: 'code' as const, shape: [codeSize], why: 'infogan.categorical + infogan.continuous' }
  const pix2pix = config.conditioning === 'pix2pix'
  const cycle = config.conditioning === 'cyclegan'
  const translation = pix2pix || cycle
  const condition = { role: 'condition' as const, shape: data, why: cycle ? "domain A's images" : "the paired dataset's condition images" }
  if (pix2pix !== (config.dataset.kind === 'paired')) {
    errors.push(
      pix2pix
        ? { path: 'dataset.kind', message: 'pix2pix trains on paired images: use a "paired" dataset' }
        : { path: 'conditioning', message: 'a paired dataset is for image-to-image translation: use conditioning "pix2pix"' },
    )
  }
  if (cycle !== (config.dataset.kind === 'unpaired')) {
    errors.push(
      cycle
        ? { path: 'dataset.kind', message: 'CycleGAN trains on two unpaired image domains: use an "unpaired" dataset' }
        : { path: 'conditioning', message: 'an unpaired dataset is for CycleGAN: use conditioning "cyclegan"' },
    )
  }
  if (config.pix2pix && !pix2pix) errors.push({ path: 'pix2pix', message: 'only used with conditioning "pix2pix"' })
  if (config.acgan && config.conditioning !== 'acgan') errors.push({ path: 'acgan', message: 'only used with conditioning "acgan"' })
  if (config.cyclegan && !cycle) errors.push({ path: 'cyclegan', message: 'only used with conditioning "cyclegan"' })
  if (cycle) {
    // CycleGAN's own loop (two translators, two critics) has no place for these.
    if (config.tricks.featureMatching)
      errors.push({
        path: 'tricks.featureMatching',
        message: 'not available for CycleGAN (its generators are trained by the adversarial and cycle losses)',
      })
    if (config.tricks.virtualBatchNorm > 0) errors.push({ path: 'tricks.virtualBatchNorm', message: 'not available for CycleGAN' })
    if (config.training.unrollSteps > 0) errors.push({ path: 'training.unrollSteps', message: 'not available for CycleGAN' })
    if (config.gan === 'wgan-gp')
      errors.push({
        path: 'gan',
        message: "CycleGAN trains with the vanilla, LSGAN (the paper's) or WGAN objective; the gradient penalty is not implemented for it",
      })
    if (config.training.generatorEma > 0)
      errors.push({
        path: 'training.generatorEma',
        message: 'not available for CycleGAN (weight averaging is implemented for one generator)',
      })
  }
  if (config.tricks.translate > 0) {
    const refuse = (message: string) => errors.push({ path: 'tricks.translate', message })
    if (data.length !== 3) refuse('shifts images: this dataset is points')
    else if (pix2pix || cycle)
      refuse(`not available for ${pix2pix ? 'pix2pix (D sees the condition image beside the sample)' : 'CycleGAN'}`)
    else if (config.gan === 'wgan-gp')
      refuse('not available with the gradient penalty (its second derivative through the shift is not implemented)')
  }
  if (config.tricks.virtualBatchNorm > 0 && !specLayers(config.generator).some((l) => l.type === 'batchNorm')) {
    errors.push({
      path: 'tricks.virtualBatchNorm',
      message: 'the generator has no batch-norm layer: there is nothing for a reference batch to normalise',
    })
  }
  if (g) {
    const gInputs = labelled ? [latent, label] : info ? [latent, code] : translation ? [condition] : [latent]
    checkInputs('generator', !isGraphSpec(config.generator), g, gInputs, classes, errors)
    if (g.outputs.length !== 1)
      errors.push({ path: 'generator.outputs', message: `the generator has one output (a sample), got ${g.outputs.length}` })
    else if (!sameShape(g.outputShape, data)) {
      errors.push({
        path: 'generator.layers',
        message: `the generator outputs ${show(g.outputShape)} but the dataset's samples are ${show(data)}`,
      })
    }
  }
  if (d) {
    checkInputs(
      'discriminator',
      !isGraphSpec(config.discriminator),
      d,
      config.conditioning === 'cgan' ? [image, label] : pix2pix ? [condition, image] : [image],
      classes,
      errors,
    )
    const heads = config.conditioning === 'acgan' || info ? 2 : 1
    if (d.outputs.length !== heads) {
      const two = info
        ? "an InfoGAN discriminator has two outputs: the real/fake score [1], then Q's code estimates"
        : 'an AC-GAN discriminator has two outputs: the real/fake score [1], then class scores'
      errors.push({
        path: 'discriminator.outputs',
        message: heads === 2 ? two : `the discriminator has one output (its score), got ${d.outputs.length}`,
      })
    } else {
      // PatchGAN (pix2pix, CycleGAN): a grid of scores, one per patch, is also a valid output.
      const patch = translation && d.outputShape.length === 3 && d.outputShape[2] === 1
      if (!sameShape(d.outputShape, [1]) && !patch) {
        errors.push({
          path: 'discriminator.layers',
          message: `the discriminator must output one score per sample ([1])${translation ? ' or per patch ([h, w, 1])' : ''}, got ${show(d.outputShape)}`,
        })
      }
      if (heads === 2 && !info && classes !== undefined && !sameShape(d.outputs[1]!.shape, [classes])) {
        errors.push({
          path: 'discriminator.outputs[1]',
          message: `the class head must output ${show([classes])} (the dataset's classes), got ${show(d.outputs[1]!.shape)}`,
        })
      }
      if (info && !sameShape(d.outputs[1]!.shape, [codeSize])) {
        errors.push({
          path: 'discriminator.outputs[1]',
          message: `Q must output ${show([codeSize])} (categorical logits, then continuous estimates), got ${show(d.outputs[1]!.shape)}`,
        })
      }
    }
    const source = outputLayer(config.discriminator, 0)
    if (source) {
      const endsInSigmoid = layerActivation(source.layer) === 'sigmoid'
      if (config.gan === 'vanilla' && !endsInSigmoid) {
        errors.push({
          path: `discriminator.${source.path}`,
          message: 'the vanilla GAN needs D to end in a sigmoid (its output is a probability)',
        })
      }
      if (config.gan !== 'vanilla' && endsInSigmoid) {
        errors.push({
          path: `discriminator.${source.path}`,
          message: `${config.gan} needs D to output a raw score: use a linear activation, not sigmoid`,
        })
      }
    }
    const classHead = config.conditioning === 'acgan' ? outputLayer(config.discriminator, 1) : undefined
    if (classHead && layerActivation(classHead.layer) !== 'softmax') {
      errors.push({ path: `discriminator.${classHead.path}`, message: 'the class head must end in a softmax (class probabilities)' })
    }
    const qHead = info ? outputLayer(config.discriminator, 1) : undefined
    if (qHead && (layerActivation(qHead.layer) ?? 'linear') !== 'linear') {
      errors.push({
        path: `discriminator.${qHead.path}`,
        message: 'Q must be linear: it outputs categorical logits and continuous estimates side by side',
      })
    }
  }
  if (config.infogan && !info) {
    errors.push({ path: 'infogan', message: 'only used with conditioning "infogan"' })
  }
  if (config.dataset.kind === 'folder' && config.dataset.labelsFromFolders && config.dataset.classes === undefined) {
    errors.push({ path: 'dataset.classes', message: 'with labelsFromFolders, say how many class subfolders there are' })
  }
  if (config.dataset.kind === 'image' && config.dataset.name === 'mnist-idx' && !config.dataset.dir) {
    errors.push({ path: 'dataset.dir', message: 'mnist-idx needs the directory holding the MNIST IDX files' })
  }
  errors.push(...secondOrderUnrollErrors(config))
  if (errors.length > 0 || !g || !d) throw new ConfigError(errors)
  return { config, generator: g, discriminator: d }
}
