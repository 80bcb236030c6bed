/** Flat [x0, y0, x1, y1, …] arrays (what tensors give) to [x, y] pairs (what JSON and charts use). */
export function toPairs(flat: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = []
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!])
  return out
}

/** Where point data lies: each coordinate's [min, max], and what that was measured on (for people). */
export interface PointRange {
  bounds: [number, number][]
  from: string
}

/** Each coordinate's [min, max] of flat points of `dim` numbers. */
export function boundsOf(flat: ArrayLike<number>, dim: number): [number, number][] {
  const bounds = Array.from({ length: dim }, (): [number, number] => [Infinity, -Infinity])
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i]!
    if (!Number.isFinite(v)) continue
    const b = bounds[i % dim]!
    if (v < b[0]) b[0] = v
    if (v > b[1]) b[1] = v
  }
  return bounds
}
