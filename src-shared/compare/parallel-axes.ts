/**
 * Axes of a parallel-coordinates view of runs: the config fields that differ between them (the
 * hyperparameters of a sweep) followed by chosen final metrics. Each axis maps a run's value to
 * 0..1 (bottom..top): numbers linearly, or on a log scale when they are positive and span more
 * than a factor of 20 (learning rates); anything else as evenly spaced categories.
 */
export interface ParallelAxis {
  key: string
  kind: 'linear' | 'log' | 'category'
  /** Per run: 0..1, or null when the run has no value there. */
  positions: (number | null)[]
  ticks: { at: number; label: string }[]
}

const LOG_SPAN = 20

export function formatValue(v: unknown): string {
  if (typeof v === 'number')
    return Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4 ? v.toExponential(1) : v.toPrecision(3)
  return typeof v === 'string' ? v : JSON.stringify(v)
}

export function axisOf(key: string, values: unknown[]): ParallelAxis | null {
  const present = values.filter((v) => v !== null && v !== undefined)
  if (present.length === 0 || present.some((v) => typeof v === 'object')) return null // absent, or a whole architecture
  if (present.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    const nums = present as number[]
    const min = Math.min(...nums)
    const max = Math.max(...nums)
    const log = min > 0 && max / min > LOG_SPAN
    const f = (v: number) => (log ? Math.log(v) : v)
    const span = f(max) - f(min)
    const pos = (v: number) => (span === 0 ? 0.5 : (f(v) - f(min)) / span)
    return {
      key,
      kind: log ? 'log' : 'linear',
      positions: values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? pos(v) : null)),
      ticks:
        span === 0
          ? [{ at: 0.5, label: formatValue(min) }]
          : [
              { at: 0, label: formatValue(min) },
              { at: 1, label: formatValue(max) },
            ],
    }
  }
  const labels = [...new Set(present.map(formatValue))].sort()
  const at = (label: string) => (labels.length === 1 ? 0.5 : labels.indexOf(label) / (labels.length - 1))
  return {
    key,
    kind: 'category',
    positions: values.map((v) => (v === null || v === undefined ? null : at(formatValue(v)))),
    ticks: labels.map((label) => ({ at: at(label), label })),
  }
}

export function parallelAxes(
  comparison: { configDiff: { path: string; values: unknown[] }[]; finalMetrics: Record<string, (number | null)[]> },
  metricKeys: string[],
): ParallelAxis[] {
  const config = comparison.configDiff.map((d) => axisOf(d.path, d.values))
  const metrics = metricKeys.filter((k) => k in comparison.finalMetrics).map((k) => axisOf(k, comparison.finalMetrics[k]!))
  return [...config, ...metrics].filter((a): a is ParallelAxis => a !== null)
}
