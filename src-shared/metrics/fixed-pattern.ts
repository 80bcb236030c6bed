/**
 * Fixed-pattern energy: how much pixel-scale texture a set of images has in common. Each image's
 * pixel-scale part is what a 3×3 binomial blur ([1, 2, 1]/4 along each axis, edges repeated) takes
 * away; the mean of those residuals over the images keeps only what they share, and its energy
 * (sum of squares) is the figure. Real images share little at that scale (only the average outline
 * of their classes); stripes a generator draws in the same place on every sample add up in full.
 * Blur lowers it rather than raising it, unlike a ratio of frequency bands.
 */

/** Energy of the mean pixel-scale residual of `n` images of h×w (one channel), stored image after image. */
export function fixedPatternEnergy(images: ArrayLike<number>, n: number, h: number, w: number): number {
  if (n < 1) throw new Error('fixed-pattern energy needs at least one image')
  if (images.length < n * h * w) throw new Error(`expected ${n} images of ${h}×${w}, got ${images.length} values`)
  // The blur is linear, so the mean of the residuals is the residual of the mean image: one blur, not n.
  const mean = new Float64Array(h * w)
  for (let i = 0; i < n * h * w; i++) mean[i % (h * w)]! += images[i]! / n
  const at = (y: number, x: number) => mean[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!
  let energy = 0
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let blurred = 0
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) blurred += (dy === 0 ? 2 : 1) * (dx === 0 ? 2 : 1) * at(y + dy, x + dx)
      energy += (at(y, x) - blurred / 16) ** 2
    }
  return energy
}
