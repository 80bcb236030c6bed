/** Renders generated images (values in [-1, 1]) as one PNG grid, for galleries and artifacts. */
import { PNG } from 'pngjs'
import { GRID_PAD, GRID_SCALE } from '../../src-shared/util/grid-layout'

export interface GridOptions {
  count: number
  height: number
  width: number
  /** Images per row; default ⌈√count⌉. */
  columns?: number
  /** Pixel scale factor, for legible 28×28 digits. */
  scale?: number
  padding?: number
}

export function imageGridPng(values: ArrayLike<number>, o: GridOptions): Buffer {
  const columns = o.columns ?? Math.ceil(Math.sqrt(o.count))
  const rows = Math.ceil(o.count / columns)
  const scale = o.scale ?? GRID_SCALE
  const pad = o.padding ?? GRID_PAD
  const cellW = o.width * scale
  const cellH = o.height * scale
  const png = new PNG({ width: columns * (cellW + pad) + pad, height: rows * (cellH + pad) + pad })
  png.data.fill(40) // dark grey gutters
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255
  const pixels = o.height * o.width
  for (let n = 0; n < o.count; n++) {
    const ox = pad + (n % columns) * (cellW + pad)
    const oy = pad + Math.floor(n / columns) * (cellH + pad)
    for (let y = 0; y < o.height; y++) {
      for (let x = 0; x < o.width; x++) {
        const v = values[n * pixels + y * o.width + x]!
        const g = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)))
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const o4 = ((oy + y * scale + sy) * png.width + ox + x * scale + sx) * 4
            png.data[o4] = g
            png.data[o4 + 1] = g
            png.data[o4 + 2] = g
          }
        }
      }
    }
  }
  return PNG.sync.write(png)
}
