/**
 * generator.json: what an exported generator takes and gives, so code outside the workbench can
 * drive it (the sampler page, the Node script, a Python loader): its inputs in order with their
 * roles, the latent prior, classes or codes, and the output's shape and value range.
 */
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { dataShape, infoganCodes, isPointData } from '../../src-shared/config/validate'
import { toGraph } from '../../src-shared/model/shape-inference'
import type { PointRange } from '../../src-shared/util/points'
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
  output: {
    shape: number[]
    /** Images: [−1, 1] (tanh). Points: the lowest and highest coordinate of the data (see `bounds`). */
    range: [number, number]
    /** Points: each coordinate's [min, max]. */
    bounds?: [number, number][]
    /** Points: where the bounds come from, the dataset or (when its file cannot be read) generated samples. */
    rangeFrom?: string
    toPixels: string
    kind: 'points' | 'image'
  }
}

export function describeGenerator(config: ExperimentConfig, pointRange?: PointRange): GeneratorDescription {
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
    output: isPointData(config)
      ? pointOutput(shape, pointRange)
      : { shape, range: [-1, 1], toPixels: 'pixel = round((value + 1) * 127.5)', kind: 'image' },
  }
}

function pointOutput(shape: number[], pointRange: PointRange | undefined): GeneratorDescription['output'] {
  if (!pointRange) throw new Error('describeGenerator: point data needs its range')
  const range: [number, number] = [Math.min(...pointRange.bounds.map((b) => b[0])), Math.max(...pointRange.bounds.map((b) => b[1]))]
  return {
    shape,
    range,
    bounds: pointRange.bounds,
    rangeFrom: pointRange.from,
    toPixels: "points: the values are coordinates in the data's own units; use them as they are",
    kind: 'points',
  }
}
