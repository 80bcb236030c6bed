/** Renders 2D points (generated over real) to a PNG, for `sample --out FILE.png`. */
import { PNG } from 'pngjs'

export interface ScatterLayer {
  points: ArrayLike<number> // flat x, y pairs
  color: [number, number, number]
}

export function scatterPng(layers: ScatterLayer[], size = 512): Buffer {
  const png = new PNG({ width: size, height: size })
  png.data.fill(255)
  let min = Infinity
  let max = -Infinity
  for (const l of layers)
    for (let i = 0; i < l.points.length; i++) {
      const v = l.points[i]!
      if (Number.isFinite(v)) {
        min = Math.min(min, v)
        max = Math.max(max, v)
      }
    }
  if (!Number.isFinite(min)) {
    min = -1
    max = 1
  }
  const pad = (max - min) * 0.08 || 1
  const lo = min - pad
  const span = max + pad - lo
  const px = (v: number) => Math.round(((v - lo) / span) * (size - 1))
  for (const { points, color } of layers) {
    for (let i = 0; i + 1 < points.length; i += 2) {
      const x = px(points[i]!)
      const y = size - 1 - px(points[i + 1]!)
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx
          const yy = y + dy
          if (xx < 0 || yy < 0 || xx >= size || yy >= size) continue
          const o = (yy * size + xx) * 4
          png.data[o] = color[0]
          png.data[o + 1] = color[1]
          png.data[o + 2] = color[2]
          png.data[o + 3] = 255
        }
    }
  }
  return PNG.sync.write(png)
}
