/**
 * Metric curves as charts draw them, shared by the run page and the compare view: stored points
 * extended by live ones, x by step, epoch or wall time (one origin per run, so all of a run's
 * metrics start together), EMA smoothing for per-step series only (a per-epoch series has too few
 * points to smooth, and smoothing would move its values), and what a log axis can show.
 */
import type { MetricPoint, MetricSeries } from '../domain/run'

export type XAxis = 'step' | 'epoch' | 'wallTime'

/** Stored points, then live points past the last stored step. */
export function withLive(stored: readonly MetricPoint[], live: readonly MetricPoint[] | undefined): MetricPoint[] {
  if (!live?.length) return stored as MetricPoint[]
  const last = stored.at(-1)?.step ?? -Infinity
  const extra = live.filter((p) => p.step > last)
  return extra.length ? [...stored, ...extra] : (stored as MetricPoint[])
}

/** A series measured once per epoch: every point at an epoch's last step (`eval.*` ones always are). */
export function isPerEpoch(key: string, points: readonly MetricPoint[], stepsPerEpoch: number): boolean {
  if (key.startsWith('eval.')) return true
  return points.length > 0 && stepsPerEpoch > 1 && points.every((p) => p.step % stepsPerEpoch === 0)
}

/**
 * Where a run's wall-time axis starts: the earliest time any of its metrics was logged, so a
 * per-epoch metric first logged after a minute starts a minute in, not at 0.
 */
export function wallTimeOrigin(series: MetricSeries): number | undefined {
  let origin: number | undefined
  for (const points of Object.values(series)) {
    const first = points[0]?.wallTime
    if (first !== undefined && (origin === undefined || first < origin)) origin = first
  }
  return origin
}

/** Exponential moving average, as TensorBoard smooths (weight 0: raw). */
export function ema(values: readonly number[], weight: number): number[] {
  let last: number | undefined
  return values.map((v) => (last = last === undefined || weight <= 0 ? v : weight * last + (1 - weight) * v))
}

export interface ChartOptions {
  axis: XAxis
  /** The run's wall-time origin (wallTimeOrigin of all its series). */
  origin?: number
  /** EMA weight; ignored for per-epoch series. */
  smoothing: number
  perEpoch: boolean
  /** Drop values a log axis cannot show (≤ 0). */
  log?: boolean
}

/** [x, y] pairs for a chart, how many points a log axis could not show, and the EMA's last value. */
export interface ChartPoints {
  xy: [number, number][]
  dropped: number
  /** The smoothed value of the last point (where an extension continues the EMA). */
  last?: number
}

/** [x, y] pairs for a chart, and how many points a log axis could not show. */
export function chartPoints(points: readonly MetricPoint[], o: ChartOptions): ChartPoints {
  return extendChartPoints({ xy: [], dropped: 0 }, points, 0, o)
}

/**
 * `prev` (chartPoints of points[0, from) with the same options) extended by points[from, …): the
 * same result as chartPoints of all of them, computed for the new points only. A live curve grows
 * a point a step; mapping it whole on every update made most of a live comparison's garbage, and
 * its collections were the longest tasks left (npm run bench:ui).
 */
export function extendChartPoints(prev: ChartPoints, points: readonly MetricPoint[], from: number, o: ChartOptions): ChartPoints {
  const smooth = !o.perEpoch && o.smoothing > 0
  const x0 = o.origin ?? points[0]?.wallTime ?? 0
  const xy = prev.xy.slice()
  let dropped = prev.dropped
  let last = prev.last
  for (let i = from; i < points.length; i++) {
    const p = points[i]!
    const y = smooth ? (last = last === undefined ? p.value : o.smoothing * last + (1 - o.smoothing) * p.value) : p.value
    if (o.log && !(y > 0)) dropped++
    else xy.push([o.axis === 'epoch' ? p.epoch : o.axis === 'wallTime' ? p.wallTime - x0 : p.step, y])
  }
  return { xy, dropped, ...(last === undefined ? {} : { last }) }
}
