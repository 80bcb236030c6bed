/**
 * What one sample of a config's data is: its shape, and whether it is a point (a vector) or an
 * image. Kept apart from validate.ts so a view that only asks this does not load the config
 * schema (the comparison page's chunk evaluated the whole zod schema for it: 55-100 ms).
 */
import type { ExperimentConfig } from './experiment'
import type { Shape } from '../model/shape-inference'

export function dataShape(config: Pick<ExperimentConfig, 'dataset'>): Shape {
  switch (config.dataset.kind) {
    case 'toy2d':
      return [2]
    case 'csv':
      return [2]
    case 'image':
    case 'paired':
    case 'unpaired':
    case 'folder':
      // Every built-in and IDX dataset is 28×28 grey; folders are resized to it.
      return [28, 28, 1]
  }
}

/**
 * Whether a config's samples are points (a vector per sample: 2D toys, CSV points, any future
 * point data) rather than images. Every door and service that treats points differently asks this
 * (sample, synth, eval, generator.json, the run page), so a new point dataset needs only its shape.
 */
export function isPointData(config: Pick<ExperimentConfig, 'dataset'>): boolean {
  return dataShape(config).length === 1
}
