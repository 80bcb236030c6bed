/**
 * The real points of a scatter as an image of its plot area, drawn once per points (by identity),
 * pixel size, radius and axis frame, and shared by every plot that asks for the same: a
 * comparison's plots of one dataset get the same points array (CompareScatters fetches each
 * dataset once) and the same frame, so ten plots cost one drawing.
 */
import { splatDots } from '../../../src-shared/plots/splat'

export const REAL_RGB: [number, number, number] = [190, 190, 190]
export const REAL_ALPHA = 0.5
export const REAL_COLOUR = `rgba(${REAL_RGB.join(',')},${REAL_ALPHA})`

export interface RealImageRequest {
  width: number
  height: number
  /** Dot radius in device pixels. */
  radius: number
  /** The linear axes' [xmin, xmax, ymin, ymax]: with the size, what the pixel positions depend on. */
  frame: [number, number, number, number]
}

/** Per points array: images by size, radius and frame (a few: a page shows one or two sizes). */
const images = new WeakMap<[number, number][], Map<string, HTMLCanvasElement>>()
const PER_POINTS = 4

export function realPointsImage(points: [number, number][], req: RealImageRequest): HTMLCanvasElement {
  const key = [req.width, req.height, req.radius, ...req.frame].join(',')
  let bySize = images.get(points)
  if (!bySize) images.set(points, (bySize = new Map()))
  const hit = bySize.get(key)
  if (hit) return hit
  const image = document.createElement('canvas')
  image.width = req.width
  image.height = req.height
  // The axes are linear: a point's pixel is an affine map of it (no per-point call into chart.js).
  const xy = new Float64Array(2 * points.length)
  const [x0, x1, y0, y1] = req.frame
  const sx = req.width / (x1 - x0)
  const sy = req.height / (y1 - y0)
  points.forEach(([x, y], i) => {
    xy[2 * i] = (x - x0) * sx
    xy[2 * i + 1] = (y1 - y) * sy
  })
  const pixels = splatDots(xy, { width: req.width, height: req.height, radius: req.radius, rgb: REAL_RGB, alpha: REAL_ALPHA })
  image.getContext('2d')!.putImageData(new ImageData(pixels, req.width, req.height), 0, 0)
  if (bySize.size >= PER_POINTS) bySize.delete(bySize.keys().next().value!)
  bySize.set(key, image)
  return image
}
