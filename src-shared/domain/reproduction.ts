/** Reproduction records as the registry stores them and every client sees them. */
import type { ReproductionEntry } from '../reproductions/catalog'
import { ACTIVE_STATUSES, type Placement, type RunStatus } from './run'
import type { EvalModes } from './eval'

export const REPRODUCTION_STATUSES = ['running', 'completed', 'stopped', 'failed', 'interrupted'] as const
export type ReproductionStatus = (typeof REPRODUCTION_STATUSES)[number]

/** How one seed went: its run's final status (anything but `completed` is a failed seed), or not run. */
export type SeedStatus = RunStatus | 'not-run' | 'evaluation-failed'

/** Where a reused seed's run came from: the reproduction that trained it, and that one's commit. */
export interface SeedReuse {
  reproductionId: number
  commit: string | null
}

export interface SeedResult {
  seed: number
  runId: number | null
  status: SeedStatus
  error?: string | null
  /** The protocol's measurements; a variant's baseline values are under `baseline.<metric>`, its reference's under `reference.<metric>`. */
  values: Record<string, number>
  baselineRunId?: number | null
  baselineStatus?: SeedStatus
  referenceRunId?: number | null
  referenceStatus?: SeedStatus
  /** 2D protocols: the modes scored against (centres and σ), for plots of the 3σ circles. */
  modes?: EvalModes
  /** The backend the seed's run trained on, and why (as the run records it). */
  backend?: string | null
  /** Set when the run was not trained by this reproduction but reused from an earlier one. */
  reusedFrom?: SeedReuse
  baselineReusedFrom?: SeedReuse
  referenceReusedFrom?: SeedReuse
}

/** The runs a comparison trains beside its recipe on each seed: the judged baseline, then the reference shown. */
export type Companion = 'baseline' | 'reference'

/** A seed's companion runs that were started, in that order (the tables and the page list them so). */
export function companionRuns(s: SeedResult): { role: Companion; runId: number; status: SeedStatus; reusedFrom?: SeedReuse }[] {
  const run = (role: Companion, runId: number | null | undefined, status: SeedStatus | undefined, reusedFrom?: SeedReuse) =>
    runId ? [{ role, runId, status: status ?? 'not-run', ...(reusedFrom ? { reusedFrom } : {}) }] : []
  return [
    ...run('baseline', s.baselineRunId, s.baselineStatus, s.baselineReusedFrom),
    ...run('reference', s.referenceRunId, s.referenceStatus, s.referenceReusedFrom),
  ]
}

/** Whether a seed's run (recipe or companion) could still leave this status by itself: queued, running or paused. */
export const seedActive = (status: SeedStatus | undefined): boolean =>
  status !== undefined && (ACTIVE_STATUSES as readonly SeedStatus[]).includes(status)

/**
 * A reproduction that ended before its runs did (its process died, or it failed) records each run
 * still marked queued, running or paused as interrupted, so no seed reads as training for good.
 */
export function settleActiveSeeds(results: SeedResult[]): SeedResult[] {
  const settled = (status: SeedStatus | undefined) => (seedActive(status) ? 'interrupted' : status)
  return results.map((s) => ({
    ...s,
    status: settled(s.status)!,
    ...(s.baselineStatus ? { baselineStatus: settled(s.baselineStatus) } : {}),
    ...(s.referenceStatus ? { referenceStatus: settled(s.referenceStatus) } : {}),
  }))
}

export interface ReproductionRecord {
  id: number
  name: string
  quick: boolean
  seeds: number
  target: Placement
  status: ReproductionStatus
  /** The command line (or UI action) that started it. */
  command: string
  commit: string | null
  /** The machine it ran on, in one line. */
  machine: string
  /** The catalog entry as it was when run: the paper figures and goals it was judged against. */
  entry: ReproductionEntry
  /** Training steps per run and samples per evaluation. */
  steps: number
  samples: number
  results: SeedResult[]
  error: string | null
  createdAt: string
  finishedAt: string | null
}

/** Progress of a reproduction (the CLI prints it, the UI shows it). */
export interface ReproductionProgressEvent {
  reproductionId: number
  name: string
  /** 1-based index of the seed being worked on, of `seeds`. */
  seedIndex: number
  seeds: number
  stage: 'training' | 'training-baseline' | 'training-reference' | 'waiting' | 'evaluating' | 'done'
  runId?: number
  step?: number
  totalSteps?: number
  status?: ReproductionStatus
  message: string
}
