/**
 * Stripes and checkerboards at the pixel scale. A strided convolution in D hands G gradients with
 * power at periods of about 2 pixels (Odena, Dumoulin, Olah 2016, "Deconvolution and Checkerboard
 * Artifacts"); a G that copies it draws stripes about one pixel wide, often drifting in phase, so
 * their power sits in the top band of frequencies (periods of 2 to 2.5 pixels), not at the 2-pixel
 * period alone. Real digits and garments have less power there than just below it, and so does a
 * G that is merely blurry; a striped G has more. So the measure is, per axis, the top band's power
 * over the band below it (periods of 2.5 to 4 pixels), in generated over real images: about 1 or
 * less without artifacts, 2 or more where the stripes are plain to see.
 */

/** Per axis, the power at each frequency k = 0 … side/2 (cycles per side) of every line, mean removed, summed. */
export interface LineSpectra {
  /** Along rows (vertical stripes show here). */
  x: Float64Array
  /** Along columns (horizontal stripes). */
  y: Float64Array
}

/** n square images of side `side` (flat, row-major): each line's DFT power |X_k|², summed over lines and images. */
export function lineSpectra(images: ArrayLike<number>, side: number): LineSpectra {
  if (side % 2 !== 0 || side < 4) throw new RangeError(`lineSpectra: the side must be even and at least 4 (got ${side})`)
  const half = side / 2
  const cos = Array.from({ length: half + 1 }, (_, k) =>
    Float64Array.from({ length: side }, (_, i) => Math.cos((2 * Math.PI * k * i) / side)),
  )
  const sin = Array.from({ length: half + 1 }, (_, k) =>
    Float64Array.from({ length: side }, (_, i) => Math.sin((2 * Math.PI * k * i) / side)),
  )
  const area = side * side
  const n = Math.floor(images.length / area)
  const out = { x: new Float64Array(half + 1), y: new Float64Array(half + 1) }
  const line = new Float64Array(side)
  const add = (offset: number, step: number, into: Float64Array) => {
    let sum = 0
    for (let i = 0; i < side; i++) sum += line[i] = images[offset + i * step]!
    const mean = sum / side
    for (let i = 0; i < side; i++) line[i]! -= mean
    for (let k = 1; k <= half; k++) {
      let re = 0
      let im = 0
      for (let i = 0; i < side; i++) {
        re += line[i]! * cos[k]![i]!
        im -= line[i]! * sin[k]![i]!
      }
      into[k]! += re * re + im * im
    }
  }
  for (let j = 0; j < n; j++) {
    for (let r = 0; r < side; r++) add(j * area + r * side, 1, out.x)
    for (let c = 0; c < side; c++) add(j * area + c, side, out.y)
  }
  return out
}

/** The top band (frequencies ≥ 0.39 cycles per pixel: periods of 2 to 2.55 pixels) and the band below it, down to periods of 4 pixels. */
export function stripeBands(side: number): { top: [number, number]; below: [number, number] } {
  const topFrom = Math.ceil(0.39 * side)
  return { top: [topFrom, side / 2], below: [Math.ceil(side / 4), topFrom - 1] }
}

function bandPower(p: Float64Array, [from, to]: [number, number]): number {
  let s = 0
  for (let k = from; k <= to; k++) s += p[k]!
  return s
}

/** Top band over the band below it. */
export function topBandRatio(p: Float64Array, side: number): number {
  const bands = stripeBands(side)
  const below = bandPower(p, bands.below)
  const top = bandPower(p, bands.top)
  return below > 0 ? top / below : top > 0 ? Infinity : 0
}

/**
 * Generated images' top-band ratio over real images', on the worse axis: about 1 or less when G
 * is as smooth at the pixel scale as the data (or blurrier), 2 or more where stripes show.
 */
export function stripeRatio(generated: ArrayLike<number>, real: ArrayLike<number>, side: number): number {
  const g = lineSpectra(generated, side)
  const r = lineSpectra(real, side)
  const ratio = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Infinity : 1)
  return Math.max(ratio(topBandRatio(g.x, side), topBandRatio(r.x, side)), ratio(topBandRatio(g.y, side), topBandRatio(r.y, side)))
}
