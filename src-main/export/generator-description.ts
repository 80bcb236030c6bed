/**
 * generator.json: what an exported generator takes and gives, so code outside the workbench can
 * drive it (the sampler page, the Node script, a Python loader): its inputs in order with their
 * roles, the latent prior, classes or codes, and the output's shape and value range.
 */
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { dataShape, infoganCodes } from '../../src-shared/config/validate'
import { toGraph } from '../../src-shared/model/shape-inference'
import { CLASS_NAMES } from '../datasets/image-datasets'

export interface GeneratorDescription {
  format: 'gan-workbench-generator'
  version: 1
  conditioning: ExperimentConfig['conditioning']
  /** In the order the model takes them. */
  inputs: {
    name: string
    role: string
    shape: number[]
    /** latent: the prior (seeded the same way as tf.randomNormal / tf.randomUniform(−1, 1)). */
    distribution?: 'normal' | 'uniform'
    spherical?: boolean
    /** label: class indices [n, 1] as float32. */
    classes?: number
    classNames?: readonly string[]
    /** code (InfoGAN): a one-hot categorical code of `categorical` values, then `continuous` values in [−1, 1]. */
    categorical?: number
    continuous?: number
  }[]
  output: { shape: number[]; range: [number, number]; toPixels: string; kind: 'points' | 'image' }
}

export function describeGenerator(config: ExperimentConfig): GeneratorDescription {
  const graph = toGraph(config.generator, 'latent')
  const ds = config.dataset
  const classNames = ds.kind === 'image' ? CLASS_NAMES[ds.name] : undefined
  const shape = dataShape(config)
  return {
    format: 'gan-workbench-generator',
    version: 1,
    conditioning: config.conditioning,
    inputs: graph.inputs.map((input) => {
      const base = { name: input.name, role: input.role, shape: input.shape }
      switch (input.role) {
        case 'latent':
          return { ...base, distribution: config.latent.distribution, spherical: config.latent.spherical }
        case 'label':
          return { ...base, classes: input.classes, ...(classNames ? { classNames } : {}) }
        case 'code': {
          const c = infoganCodes(config)
          return { ...base, categorical: c.categorical, continuous: c.continuous }
        }
        default:
          return base
      }
    }),
    output: shape.length === 1
      ? { shape, range: [-1, 1] as [number, number], toPixels: 'points: use the values as they are', kind: 'points' as const }
      : { shape, range: [-1, 1] as [number, number], toPixels: 'pixel = round((value + 1) * 127.5)', kind: 'image' as const },
  }
}
