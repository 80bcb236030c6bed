/**
 * Where a point generator's values lie, for generator.json and plots: the dataset's range (a CSV's
 * lowest and highest coordinates, a mixture's centres ± 3σ); when the dataset cannot be read any
 * more (a CSV moved or deleted since training), the range of generated samples, saying so.
 */
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { boundsOf, type PointRange } from '../../src-shared/util/points'
import { dataShape } from '../../src-shared/config/validate'
import { createDataSource } from '../datasets/create-data-source'
import { DatasetError } from '../datasets/idx'

export const RANGE_FALLBACK_SAMPLES = 2500

export async function pointRangeOf(config: ExperimentConfig, generate: (n: number) => Promise<Float32Array>): Promise<PointRange> {
  let why: string
  try {
    const range = createDataSource(config.dataset, config.training.seed).range
    if (range) return range
    why = 'the dataset gives no range'
  } catch (e) {
    if (!(e instanceof DatasetError)) throw e
    why = e.message
  }
  const dim = dataShape(config)[0]!
  return {
    bounds: boundsOf(await generate(RANGE_FALLBACK_SAMPLES), dim),
    from: `${RANGE_FALLBACK_SAMPLES.toLocaleString('en-US')} generated samples (seed 0), since the dataset could not be read: ${why}`,
  }
}
