/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): keeps a curve's visual shape with
 * a fixed number of points, so charts stay fast on runs with 100k metric points. Works on raw
 * registry rows ([key, step, epoch, value, wallTime]) between `start` and `end`, returning the
 * indices of the rows to keep, so only those become objects.
 */
type Row = readonly [string, number, number, number, number]

export function downsampleIndices(rows: readonly Row[], start: number, end: number, threshold: number): number[] {
  const n = end - start
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => start + i)
  const step = (i: number) => rows[start + i]![1]
  const value = (i: number) => rows[start + i]![3]
  const out: number[] = [start]
  const every = (n - 2) / (threshold - 2)
  let a = 0
  for (let i = 0; i < threshold - 2; i++) {
    const nextStart = Math.floor((i + 1) * every) + 1
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n)
    let avgX = 0
    let avgY = 0
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += step(j)
      avgY += value(j)
    }
    const count = Math.max(nextEnd - nextStart, 1)
    avgX /= count
    avgY /= count
    const rangeStart = Math.floor(i * every) + 1
    const rangeEnd = Math.floor((i + 1) * every) + 1
    const ax = step(a)
    const ay = value(a)
    let maxArea = -1
    let chosen = rangeStart
    for (let j = rangeStart; j < rangeEnd; j++) {
      const area = Math.abs((ax - avgX) * (value(j) - ay) - (ax - step(j)) * (avgY - ay))
      if (area > maxArea) {
        maxArea = area
        chosen = j
      }
    }
    out.push(start + chosen)
    a = chosen
  }
  out.push(end - 1)
  return out
}
