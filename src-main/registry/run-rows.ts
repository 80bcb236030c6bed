/** Mapping between `runs` rows and RunRecord. */
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { Placement, RunRecord, RunStatus } from '../../src-shared/domain/run'

export interface RunRow {
  id: number
  experiment: string
  name: string
  status: RunStatus
  gan: string
  dataset: string
  config_json: string
  seed: number
  backend: string | null
  backend_reason: string | null
  notes: string
  parent_run_id: number | null
  parent_epoch: number | null
  placement: Placement
  worker: string | null
  sweep_id: number | null
  step: number
  total_steps: number
  epoch: number
  samples_per_sec: number | null
  error: string | null
  pid: number | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  updated_at: string
  tags: string | null
}

export const RUN_SELECT = `
  SELECT r.*, e.name AS experiment,
    (SELECT json_group_array(tag) FROM (SELECT tag FROM run_tags t WHERE t.run_id = r.id ORDER BY tag)) AS tags
  FROM runs r JOIN experiments e ON e.id = r.experiment_id`

export function toRunRecord(row: RunRow, lastMetrics: Record<string, number>): RunRecord {
  return {
    id: row.id,
    name: row.name,
    experiment: row.experiment,
    status: row.status,
    gan: row.gan,
    dataset: row.dataset,
    config: JSON.parse(row.config_json) as ExperimentConfig,
    seed: row.seed,
    backend: row.backend,
    backendReason: row.backend_reason,
    tags: row.tags ? (JSON.parse(row.tags) as string[]) : [],
    notes: row.notes,
    parentRunId: row.parent_run_id,
    parentEpoch: row.parent_epoch,
    placement: row.placement,
    worker: row.worker,
    sweepId: row.sweep_id,
    step: row.step,
    totalSteps: row.total_steps,
    epoch: row.epoch,
    samplesPerSec: row.samples_per_sec,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    lastMetrics,
  }
}
