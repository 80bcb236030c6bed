/**
 * D's decision surface of a point run: D's output on a fixed grid over the data's viewport (the
 * frame the UI's scatter uses), computed with every preview. The grid is made once per run.
 */
import type { DataSource } from '../datasets/data-source'
import type { GanModel } from './gan-model'
import { compactValues, SURFACE_SIZE, surfaceGrid, type DecisionSurface } from '../../src-shared/plots/decision-surface'
import { squareViewport } from '../../src-shared/plots/viewport'

/** A function giving the surface now, or undefined for data without a 2D range or a D that reads more than points. */
export function decisionSurface(data: DataSource, gan: GanModel): (() => Promise<DecisionSurface | undefined>) | undefined {
  if (data.kind !== 'points' || data.shape[0] !== 2 || !data.range || !gan.discriminatePoints) return undefined
  const viewport = squareViewport(data.range.bounds)
  const grid = surfaceGrid(viewport, SURFACE_SIZE)
  return async () => {
    const d = await gan.discriminatePoints!(grid)
    return d && { viewport, size: SURFACE_SIZE, values: compactValues(d.values), kind: d.kind }
  }
}
