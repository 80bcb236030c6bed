/**
 * D's decision surface for 2D runs (GAN Lab's heat map under the points): D's output on an n × n
 * grid of cell centres over the plot's viewport, saved with every epoch's fixed-z points and
 * streamed with the live ones. Vanilla GANs give D's probability that a point is real (0..1, 0.5
 * undecided); LSGAN and WGAN critics give unbounded scores, drawn relative to their own range.
 */
import type { Viewport } from './viewport'

/** Cells per side: 48 × 48 = 2,304 evaluations of D per surface (an MLP D does them in about a millisecond). */
export const SURFACE_SIZE = 48

export interface DecisionSurface {
  viewport: Viewport
  /** Cells per side. */
  size: number
  /**
   * Row-major, `size` rows of `size` values: row r is the cell centres at y = y0 + (r + ½)·h,
   * column c at x = x0 + (c + ½)·w (row 0 at the bottom of the plot).
   */
  values: number[]
  /** `probability`: D(x) in [0, 1] (vanilla GAN); `score`: a critic's raw output (LSGAN, WGAN). */
  kind: 'probability' | 'score'
}

/** The grid's cell centres as flat [x0, y0, x1, y1, …], row by row (what D is run on). */
export function surfaceGrid(viewport: Viewport, size = SURFACE_SIZE): Float32Array {
  const out = new Float32Array(size * size * 2)
  const w = (viewport.x[1] - viewport.x[0]) / size
  const h = (viewport.y[1] - viewport.y[0]) / size
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = 2 * (r * size + c)
      out[i] = viewport.x[0] + (c + 0.5) * w
      out[i + 1] = viewport.y[0] + (r + 0.5) * h
    }
  }
  return out
}

/** Values kept to 4 significant digits: a surface is drawn in 256 colours, and JSON stays small. */
export function compactValues(values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : 0))
}

/** The range colours are spread over: [0, 1] for probabilities, the surface's own min..max for scores. */
export function surfaceRange(surface: Pick<DecisionSurface, 'values' | 'kind'>): [number, number] {
  if (surface.kind === 'probability') return [0, 1]
  let lo = Infinity
  let hi = -Infinity
  for (const v of surface.values) {
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  if (!Number.isFinite(lo)) return [0, 1]
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi]
}

/**
 * D's colour scale: blue where D says real (high), red where it says generated (low), dark in
 * between; RGB for a value t in [0, 1].
 */
export function surfaceColour(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t))
  const base = [22, 26, 34]
  const real = [46, 110, 190]
  const fake = [170, 60, 50]
  const to = u >= 0.5 ? real : fake
  const k = Math.abs(u - 0.5) * 2
  return [0, 1, 2].map((i) => Math.round(base[i]! + (to[i]! - base[i]!) * k)) as [number, number, number]
}
