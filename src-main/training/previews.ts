/**
 * What a run shows of its generator while it trains: a fixed-z batch, as points for 2D data and
 * as an image grid for image data; streamed live and saved once per epoch as an artifact. Point
 * runs also show D's decision surface (D's output on a grid under the points), live and per epoch.
 */
import type { DataSource } from '../datasets/data-source'
import { toPairs } from '../../src-shared/util/points'
import type { DecisionSurface } from '../../src-shared/plots/decision-surface'
import { imageGridPng } from '../util/image-grid'

export interface Preview {
  /** Artifact kind, file extension and content for the epoch's saved sample. */
  artifact(epoch: number, step: number): Promise<{ kind: string; ext: string; data: Buffer }>
  /** The live preview for a progress event. */
  live(): Promise<{ points?: [number, number][]; grid?: string; surface?: DecisionSurface }>
  /** Minimum milliseconds between live previews (a grid costs more to send than points). */
  intervalMs: number
}

export const GRID_SIZE = 64
export const POINTS_SAVED = 512
export const POINTS_LIVE = 256

/**
 * The seed of the previews' z: the same in every run (not derived from the run's seed), so two
 * runs of one latent space are compared sample for sample, epoch by epoch.
 */
export const PREVIEW_Z_SEED = 777

/** Columns of a conditional model's class × z grid (one row per class). */
export const CLASS_GRID_COLUMNS = 10

export interface PreviewSources {
  /** n samples from the previews' fixed z (PREVIEW_Z_SEED). */
  generate: (n: number) => Promise<Float32Array>
  /** Conditional models: one row per class with the same z down each column (the gallery's per-class rows). */
  classGrid?: { rows: number; draw: () => Promise<Float32Array> }
  /** Point runs: D's decision surface now (undefined when D cannot be drawn over the plane). */
  surface?: () => Promise<DecisionSurface | undefined>
}

/** What an epoch's `samples-2d` artifact holds (runs.points reads it back). */
export interface SavedPoints {
  epoch: number
  step: number
  /** The seed of the z the points come from (absent in runs from before it was recorded). */
  zSeed: number
  points: [number, number][]
  surface?: DecisionSurface
}

export function createPreview(source: DataSource, sources: PreviewSources): Preview {
  const { generate, classGrid, surface } = sources
  if (source.kind === 'points') {
    const withSurface = async () => {
      const s = surface ? await surface() : undefined
      return s ? { surface: s } : {}
    }
    return {
      intervalMs: 400,
      artifact: async (epoch, step) => {
        const saved: SavedPoints = {
          epoch,
          step,
          zSeed: PREVIEW_Z_SEED,
          points: toPairs(await generate(POINTS_SAVED)),
          ...(await withSurface()),
        }
        return { kind: 'samples-2d', ext: 'json', data: Buffer.from(JSON.stringify(saved)) }
      },
      live: async () => ({ points: toPairs(await generate(POINTS_LIVE)), ...(await withSurface()) }),
    }
  }
  const [height, width] = source.shape as [number, number, number]
  const grid = classGrid
    ? async () =>
        imageGridPng(await classGrid.draw(), { count: classGrid.rows * CLASS_GRID_COLUMNS, height, width, columns: CLASS_GRID_COLUMNS })
    : async () => imageGridPng(await generate(GRID_SIZE), { count: GRID_SIZE, height, width, columns: 8 })
  return {
    intervalMs: 3000,
    artifact: async () => ({ kind: 'samples-grid', ext: 'png', data: await grid() }),
    live: async () => ({ grid: `data:image/png;base64,${(await grid()).toString('base64')}` }),
  }
}
