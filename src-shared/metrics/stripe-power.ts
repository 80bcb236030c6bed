/**
 * Stripes and checkerboards at the pixel scale: the share of an image's non-constant power that
 * lies at the 2-pixel period (the Nyquist frequency), along rows and along columns. A strided
 * convolution in D hands G gradients with power there (Odena, Dumoulin, Olah 2016, "Deconvolution
 * and Checkerboard Artifacts"), and a G that copies it draws stripes one pixel wide that a
 * classifier may not mind but a reader does. Real digits and garments are smooth at that scale, so
 * the ratio of generated to real share is about 1 without artifacts and several times that with.
 */

export interface NyquistShare {
  /** Along rows: power of Σₓ (−1)ˣ p(x), over all the rows' non-constant power (vertical stripes). */
  x: number
  /** Along columns (horizontal stripes). */
  y: number
}

/**
 * For n square images of side `side` (flat, row-major): per axis, Σ |X_{side/2}|² over every line,
 * divided by Σ side · Σ (p − mean)² over every line (Parseval: the line's power at every frequency
 * but 0). Lines of a constant value add nothing to either. `side` must be even.
 */
export function nyquistShare(images: ArrayLike<number>, side: number): NyquistShare {
  if (side % 2 !== 0 || side < 2) throw new RangeError(`nyquistShare: the side must be even (got ${side})`)
  const area = side * side
  const n = Math.floor(images.length / area)
  const at = { x: 0, y: 0 }
  const total = { x: 0, y: 0 }
  const line = (offset: number, step: number, axis: 'x' | 'y') => {
    let sum = 0
    let alternating = 0
    for (let i = 0; i < side; i++) {
      const p = images[offset + i * step]!
      sum += p
      alternating += i % 2 === 0 ? p : -p
    }
    const mean = sum / side
    let squares = 0
    for (let i = 0; i < side; i++) squares += (images[offset + i * step]! - mean) ** 2
    at[axis] += alternating * alternating
    total[axis] += side * squares
  }
  for (let k = 0; k < n; k++) {
    for (let r = 0; r < side; r++) line(k * area + r * side, 1, 'x')
    for (let c = 0; c < side; c++) line(k * area + c, side, 'y')
  }
  return { x: total.x > 0 ? at.x / total.x : 0, y: total.y > 0 ? at.y / total.y : 0 }
}

/**
 * Generated images' 2-pixel-period share over real images', on the worse axis: about 1 when G is
 * as smooth at the pixel scale as the data, 3 or more where stripes are plain to see.
 */
export function stripeRatio(generated: ArrayLike<number>, real: ArrayLike<number>, side: number): number {
  const g = nyquistShare(generated, side)
  const r = nyquistShare(real, side)
  const ratio = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Infinity : 1)
  return Math.max(ratio(g.x, r.x), ratio(g.y, r.y))
}
