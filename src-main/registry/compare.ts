/** Comparison of N runs: what differs in their configs, their final metrics, their curves. */
import type { RunComparison } from '../../src-shared/domain/run'
import type { Registry } from './registry'
import { comparePoints } from '../../src-shared/compare/points-per-curve'

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value)
    if (entries.length === 0) out.set(prefix, value)
    for (const [k, v] of entries) flatten(v, Array.isArray(value) ? `${prefix}${k}` : prefix ? `${prefix}.${k}` : k, out)
  } else {
    out.set(prefix, value)
  }
}

export function configDiff(configs: unknown[]): RunComparison['configDiff'] {
  const flat = configs.map((c) => {
    const m = new Map<string, unknown>()
    flatten(c, '', m)
    return m
  })
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort()
  return paths
    .map((path) => ({ path, values: flat.map((m) => m.get(path) ?? null) }))
    .filter(({ values }) => values.some((v) => JSON.stringify(v) !== JSON.stringify(values[0])))
}

export { comparePoints }

export function compareRuns(
  registry: Registry,
  ids: number[],
  { maxPoints = comparePoints(ids.length), curves = true }: { maxPoints?: number; curves?: boolean } = {},
): RunComparison {
  const runs = ids.map((id) => registry.getRun(id))
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.lastMetrics)))].sort()
  return {
    runs,
    configDiff: configDiff(runs.map((r) => r.config)),
    finalMetrics: Object.fromEntries(keys.map((k) => [k, runs.map((r) => r.lastMetrics[k] ?? null)])),
    metrics: curves ? runs.map((r) => registry.metrics(r.id, undefined, maxPoints)) : [],
  }
}
