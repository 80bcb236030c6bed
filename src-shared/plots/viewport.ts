/**
 * The square of data space a 2D plot shows: centred on the data, padded, equal scales on both
 * axes. The trainer computes D's decision surface over it and the UI draws scatters in it, so the
 * heat map and the points line up, and every epoch and every run of a dataset share one frame.
 */
export interface Viewport {
  x: [number, number]
  y: [number, number]
}

/** Padding around the data, as a share of its larger span (on each side: half of it). */
export const VIEWPORT_PADDING = 0.25

/** A square around `bounds` ([[xmin, xmax], [ymin, ymax]]); a point or an empty range still gets a frame. */
export function squareViewport(bounds: readonly (readonly [number, number])[], padding = VIEWPORT_PADDING): Viewport {
  const [bx, by] = bounds
  const finite = (b: readonly [number, number] | undefined): b is readonly [number, number] =>
    !!b && Number.isFinite(b[0]) && Number.isFinite(b[1]) && b[0] <= b[1]
  if (!finite(bx) || !finite(by)) return { x: [-1, 1], y: [-1, 1] }
  const cx = (bx[0] + bx[1]) / 2
  const cy = (by[0] + by[1]) / 2
  const span = Math.max(bx[1] - bx[0], by[1] - by[0])
  const half = span > 0 ? (span / 2) * (1 + padding) : 1
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] }
}

/** The smallest viewport holding all of them (the frame a comparison of several runs shares). */
export function unionViewport(views: readonly Viewport[]): Viewport | null {
  if (views.length === 0) return null
  const lo = (k: 'x' | 'y') => Math.min(...views.map((v) => v[k][0]))
  const hi = (k: 'x' | 'y') => Math.max(...views.map((v) => v[k][1]))
  return { x: [lo('x'), hi('x')], y: [lo('y'), hi('y')] }
}
