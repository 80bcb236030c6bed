/**
 * The runs table's columns: the run's own fields, any config setting (hyperparameter columns) and
 * any last metric value (evaluation columns), each with the value it sorts by.
 */
import type { RunRecord } from '../domain/run'
import { configLeaves, valueAt } from '../config/config-paths'
import { isMetricKey, metricInfo, sortMetricKeys } from '../metrics/metric-catalog'

export type ColumnKind = 'run' | 'config' | 'metric'

export interface Column {
  id: string
  label: string
  kind: ColumnKind
  /** Right-aligned numbers. */
  numeric: boolean
  /** The value it sorts by (null sorts last either way); absent: not sortable. */
  sortValue?: (r: RunRecord) => number | string | null
}

const seconds = (r: RunRecord) => {
  if (!r.startedAt) return null
  const end = r.finishedAt ? Date.parse(r.finishedAt) : Date.now()
  return Math.max(0, Math.round((end - Date.parse(r.startedAt)) / 1000))
}

export const RUN_COLUMNS: Column[] = [
  { id: 'id', label: '#', kind: 'run', numeric: true, sortValue: (r) => r.id },
  { id: 'name', label: 'Name', kind: 'run', numeric: false, sortValue: (r) => r.name.toLowerCase() },
  { id: 'status', label: 'Status', kind: 'run', numeric: false, sortValue: (r) => r.status },
  { id: 'dataset', label: 'Dataset', kind: 'run', numeric: false, sortValue: (r) => r.dataset },
  { id: 'gan', label: 'GAN', kind: 'run', numeric: false, sortValue: (r) => `${r.gan} ${r.config.conditioning}` },
  { id: 'backend', label: 'Backend', kind: 'run', numeric: false, sortValue: (r) => r.backend },
  { id: 'progress', label: 'Progress', kind: 'run', numeric: false, sortValue: (r) => (r.totalSteps ? r.step / r.totalSteps : 0) },
  { id: 'samplesPerSec', label: 'samples/s', kind: 'run', numeric: true, sortValue: (r) => r.samplesPerSec },
  { id: 'duration', label: 'Duration', kind: 'run', numeric: true, sortValue: seconds },
  { id: 'created', label: 'Created', kind: 'run', numeric: false, sortValue: (r) => r.createdAt },
  { id: 'tags', label: 'Tags', kind: 'run', numeric: false, sortValue: (r) => r.tags.join(' ') || null },
  { id: 'notes', label: 'Notes', kind: 'run', numeric: false, sortValue: (r) => r.notes || null },
]

export const DEFAULT_COLUMNS = [
  'id',
  'name',
  'status',
  'dataset',
  'backend',
  'progress',
  'm:dLoss',
  'm:gLoss',
  'samplesPerSec',
  'duration',
  'tags',
  'notes',
]

/** The sections of a config offered as columns (a model's layers are an architecture, not a setting). */
const SKIPPED = /^(generator|discriminator)[.[]/

export function configColumn(path: string): Column {
  return {
    id: `c:${path}`,
    label: path,
    kind: 'config',
    numeric: false,
    sortValue: (r) => {
      const v = valueAt(r.config, path)
      return typeof v === 'number' || typeof v === 'string' ? v : v === undefined || v === null ? null : JSON.stringify(v)
    },
  }
}

export function metricColumn(key: string): Column {
  return { id: `m:${key}`, label: metricInfo(key).label, kind: 'metric', numeric: true, sortValue: (r) => r.lastMetrics[key] ?? null }
}

export function columnById(id: string): Column | null {
  if (id.startsWith('c:')) return configColumn(id.slice(2))
  if (id.startsWith('m:')) return metricColumn(id.slice(2))
  return RUN_COLUMNS.find((c) => c.id === id) ?? null
}

/** Config settings of the listed runs: the ones that vary between them first. */
export function configChoices(runs: RunRecord[]): { path: string; varies: boolean }[] {
  const values = new Map<string, Set<string>>()
  for (const r of runs) {
    for (const l of configLeaves(r.config)) {
      if (SKIPPED.test(l.path)) continue
      const set = values.get(l.path) ?? new Set<string>()
      set.add(JSON.stringify(l.value))
      values.set(l.path, set)
    }
  }
  const all = [...values.entries()].map(([path, set]) => ({ path, varies: set.size > 1 }))
  return [...all.filter((c) => c.varies), ...all.filter((c) => !c.varies)]
}

/** Metrics any listed run has logged. */
export function metricChoices(runs: RunRecord[]): string[] {
  return sortMetricKeys(new Set(runs.flatMap((r) => Object.keys(r.lastMetrics)).filter(isMetricKey)))
}

/** Sorts by a column; runs without a value go last whichever the direction. */
export function sortRuns(runs: RunRecord[], column: Column | null, dir: 'asc' | 'desc'): RunRecord[] {
  if (!column?.sortValue) return runs
  const key = column.sortValue
  const sign = dir === 'asc' ? 1 : -1
  return [...runs].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1
    if (y === null || y === undefined) return -1
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })
    return sign * c || a.id - b.id
  })
}
