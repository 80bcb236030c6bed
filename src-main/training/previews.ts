/**
 * What a run shows of its generator while it trains: a fixed-z batch, as points for 2D data and
 * as an image grid for image data; streamed live and saved once per epoch as an artifact.
 */
import type { DataSource } from '../datasets/data-source'
import { toPairs } from '../../src-shared/util/points'
import { imageGridPng } from '../export/image-grid'

export interface Preview {
  /** Artifact kind, file extension and content for the epoch's saved sample. */
  artifact(epoch: number, step: number): Promise<{ kind: string; ext: string; data: Buffer }>
  /** The live preview for a progress event. */
  live(): Promise<{ points?: [number, number][]; grid?: string }>
  /** Minimum milliseconds between live previews (a grid costs more to send than points). */
  intervalMs: number
}

export const GRID_SIZE = 64
export const POINTS_SAVED = 512
export const POINTS_LIVE = 256

/** Columns of a conditional model's class × z grid (one row per class). */
export const CLASS_GRID_COLUMNS = 10

/**
 * `classGrid`, for conditional models, draws one row per class with the same z down each column
 * (the per-class rows the gallery shows).
 */
export function createPreview(source: DataSource, generate: (n: number) => Promise<Float32Array>, classGrid?: { rows: number; draw: () => Promise<Float32Array> }): Preview {
  if (source.kind === 'points') {
    return {
      intervalMs: 400,
      artifact: async (epoch, step) => ({
        kind: 'samples-2d',
        ext: 'json',
        data: Buffer.from(JSON.stringify({ epoch, step, points: toPairs(await generate(POINTS_SAVED)) })),
      }),
      live: async () => ({ points: toPairs(await generate(POINTS_LIVE)) }),
    }
  }
  const [height, width] = source.shape as [number, number, number]
  const grid = classGrid
    ? async () => imageGridPng(await classGrid.draw(), { count: classGrid.rows * CLASS_GRID_COLUMNS, height, width, columns: CLASS_GRID_COLUMNS })
    : async () => imageGridPng(await generate(GRID_SIZE), { count: GRID_SIZE, height, width, columns: 8 })
  return {
    intervalMs: 3000,
    artifact: async () => ({ kind: 'samples-grid', ext: 'png', data: await grid() }),
    live: async () => ({ grid: `data:image/png;base64,${(await grid()).toString('base64')}` }),
  }
}
