/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): keeps a curve's visual shape with
 * a fixed number of points, so charts stay fast on runs with 100k metric points.
 */
import type { MetricPoint } from '../../src-shared/domain/run'

export function downsample(points: MetricPoint[], threshold: number): MetricPoint[] {
  if (threshold >= points.length || threshold < 3) return points
  const out: MetricPoint[] = [points[0]!]
  const every = (points.length - 2) / (threshold - 2)
  let a = 0
  for (let i = 0; i < threshold - 2; i++) {
    const start = Math.floor((i + 1) * every) + 1
    const end = Math.min(Math.floor((i + 2) * every) + 1, points.length)
    let avgX = 0
    let avgY = 0
    for (let j = start; j < end; j++) {
      avgX += points[j]!.step
      avgY += points[j]!.value
    }
    const n = Math.max(end - start, 1)
    avgX /= n
    avgY /= n
    const rangeStart = Math.floor(i * every) + 1
    const rangeEnd = Math.floor((i + 1) * every) + 1
    const pa = points[a]!
    let maxArea = -1
    let chosen = rangeStart
    for (let j = rangeStart; j < rangeEnd; j++) {
      const p = points[j]!
      const area = Math.abs((pa.step - avgX) * (p.value - pa.value) - (pa.step - p.step) * (avgY - pa.value))
      if (area > maxArea) {
        maxArea = area
        chosen = j
      }
    }
    out.push(points[chosen]!)
    a = chosen
  }
  out.push(points[points.length - 1]!)
  return out
}
