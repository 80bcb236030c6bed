/** Run records as the registry stores them and every client sees them. */
import type { ExperimentConfig } from '../config/experiment'

export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'stopped', 'failed', 'diverged', 'interrupted'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Statuses a run can still leave by itself. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused']

/** Where a run trains: by this machine's trainer processes, or by a queue worker (see src-main/remote). */
export const PLACEMENTS = ['local', 'queue'] as const
export type Placement = (typeof PLACEMENTS)[number]

export interface RunRecord {
  id: number
  name: string
  experiment: string
  status: RunStatus
  gan: string
  dataset: string
  config: ExperimentConfig
  seed: number
  backend: string | null
  backendReason: string | null
  tags: string[]
  notes: string
  parentRunId: number | null
  parentEpoch: number | null
  placement: Placement
  /** The queue worker training it (or that trained it last): "host/pid". */
  worker: string | null
  /** The sweep it belongs to. */
  sweepId: number | null
  step: number
  totalSteps: number
  epoch: number
  /** Training throughput in samples per second, measured over the run. */
  samplesPerSec: number | null
  error: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  updatedAt: string
  /** Last logged value of each metric key. */
  lastMetrics: Record<string, number>
}

export interface MetricPoint {
  step: number
  epoch: number
  value: number
  wallTime: number
}

export type MetricSeries = Record<string, MetricPoint[]>

export interface ArtifactRecord {
  id: number
  runId: number
  kind: string
  epoch: number
  step: number
  path: string
  sha256: string
  bytes: number
  createdAt: string
}

export interface RunFilter {
  status?: RunStatus
  search?: string
  tag?: string
  experiment?: string
  limit?: number
  offset?: number
}

export interface RunComparison {
  runs: RunRecord[]
  /** Dotted config paths whose values differ between the runs, with each run's value. */
  configDiff: { path: string; values: unknown[] }[]
  /** Final value of each metric key for each run (null where a run has none). */
  finalMetrics: Record<string, (number | null)[]>
  metrics: MetricSeries[]
}
