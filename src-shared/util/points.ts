/** Flat [x0, y0, x1, y1, …] arrays (what tensors give) to [x, y] pairs (what JSON and charts use). */
export function toPairs(flat: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = []
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!])
  return out
}
