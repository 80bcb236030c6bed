/**
 * A long curve reduced to what a chart of a few hundred pixels can show: the x range cut into
 * equal buckets, and in each its lowest and highest point, in x order (a spike survives; an
 * average would hide it), plus the curve's first and last points. Charts drew every point of a
 * live run (thousands, growing a point a step) and that drawing was the page's longest work
 * (npm run bench:ui).
 */
export function minMaxPerBucket(xy: readonly [number, number][], buckets: number): [number, number][] {
  const n = xy.length
  if (n <= 2 * buckets + 2) return xy as [number, number][]
  const x0 = xy[0]![0]
  const span = xy[n - 1]![0] - x0
  if (!(span > 0)) return xy as [number, number][]
  const out: [number, number][] = [xy[0]!]
  let bucket = -1
  let lo = -1
  let hi = -1
  const close = () => {
    if (lo < 0) return
    if (lo === hi) out.push(xy[lo]!)
    else if (lo < hi) out.push(xy[lo]!, xy[hi]!)
    else out.push(xy[hi]!, xy[lo]!)
  }
  for (let i = 1; i < n - 1; i++) {
    const [x, y] = xy[i]!
    const b = Math.min(buckets - 1, Math.floor(((x - x0) / span) * buckets))
    if (b !== bucket) {
      close()
      bucket = b
      lo = hi = i
    } else if (!(y >= xy[lo]![1])) lo = i
    else if (y > xy[hi]![1]) hi = i
  }
  close()
  out.push(xy[n - 1]!)
  return out
}
