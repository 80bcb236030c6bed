/**
 * Translucent dots splatted into an RGBA pixel buffer, as a canvas would composite them one over
 * another ("source-over"): where dots overlap the picture gets denser, so a cloud of samples shows
 * where they crowd. Done on the CPU into one buffer (one putImageData) because stamping a
 * thousand dots with drawImage took 13-44 ms per plot in Chromium's 2D canvas (npm run bench:ui).
 */
export interface SplatOptions {
  width: number
  height: number
  /** Dot radius, in pixels; its edge is anti-aliased over one pixel. */
  radius: number
  /** Colour of every dot. */
  rgb: [number, number, number]
  /** Opacity of one dot (0-1). */
  alpha: number
}

/**
 * RGBA bytes (width × height × 4) with a dot at each position of `xy` (x0, y0, x1, y1, …: pixels,
 * x right, y down, pixel centres at +0.5).
 */
export function splatDots(xy: ArrayLike<number>, o: SplatOptions): Uint8ClampedArray<ArrayBuffer> {
  const { width: w, height: h, radius: r } = o
  // Transmittance per pixel: the share of what lies beneath that still shows through.
  const through = new Float32Array(w * h).fill(1)
  const reach = Math.ceil(r + 0.5)
  for (let k = 0; k + 1 < xy.length; k += 2) {
    const cx = xy[k]!
    const cy = xy[k + 1]!
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) continue
    const x0 = Math.max(0, Math.floor(cx) - reach)
    const x1 = Math.min(w - 1, Math.floor(cx) + reach)
    const y0 = Math.max(0, Math.floor(cy) - reach)
    const y1 = Math.min(h - 1, Math.floor(cy) + reach)
    for (let py = y0; py <= y1; py++) {
      const dy = py + 0.5 - cy
      for (let px = x0; px <= x1; px++) {
        const dx = px + 0.5 - cx
        const coverage = Math.min(1, Math.max(0, r + 0.5 - Math.sqrt(dx * dx + dy * dy)))
        if (coverage > 0) through[py * w + px]! *= 1 - o.alpha * coverage
      }
    }
  }
  const out = new Uint8ClampedArray(w * h * 4)
  const [red, green, blue] = o.rgb
  for (let i = 0; i < w * h; i++) {
    const a = 1 - through[i]!
    if (a <= 0) continue
    out[4 * i] = red
    out[4 * i + 1] = green
    out[4 * i + 2] = blue
    out[4 * i + 3] = Math.round(255 * a)
  }
  return out
}
