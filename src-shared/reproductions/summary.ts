/**
 * A reproduction's table: per goal row, the paper's figures, ours per seed, mean ± standard
 * deviation (min–max) over the seeds that ran, and pass/fail. Every seed must meet the goal; a
 * seed whose run failed, diverged or was stopped has no figure and fails the row.
 */
import { isPeerRow, withCurrentFindings, type GoalRow, type ReproductionEntry } from './catalog'
import { seedActive, type ReproductionRecord, type SeedResult, type SeedStatus } from '../domain/reproduction'

/** `running`: no seed has failed the row yet, and some are still training or waiting to. */
export type Verdict = 'pass' | 'fail' | 'info' | 'no-goal' | 'running'

export interface RowSummary {
  row: GoalRow
  perSeed: (number | null)[]
  mean: number | null
  sd: number | null
  min: number | null
  max: number | null
  verdict: Verdict
  /** Why it failed or cannot be judged. */
  why?: string
}

export interface ReproductionSummary {
  rows: RowSummary[]
  /** Every judged row passes (rows awaiting a peer figure do not count either way). */
  passed: boolean
  /** Some goal row cannot be judged yet (its peer figure is not supplied): a pass is not final. */
  pending: boolean
  failedSeeds: number[]
}

const seedOk = (s: SeedResult) => s.status === 'completed'

/** A seed's run not started, or still queued, running or paused: while its reproduction runs, not a failure yet. */
const unfinished = (status: SeedStatus) => status === 'not-run' || seedActive(status)

/** A seed whose recipe completed but is not scored yet: the service scores a seed once all its runs have ended. */
const unscored = (s: Pick<SeedResult, 'status' | 'values'>) => s.status === 'completed' && Object.keys(s.values).length === 0

/**
 * Whether a seed is still to come in a running reproduction: any of its runs (the recipe's, the
 * judged baseline's, the reference's) unfinished, or its runs ended and not scored yet.
 */
function stillToCome(s: SeedResult, entry: ReproductionEntry, inProgress: boolean): boolean {
  return (
    inProgress &&
    (unfinished(s.status) ||
      unscored(s) ||
      (entry.baseline !== undefined && unfinished(s.baselineStatus ?? 'not-run')) ||
      (entry.reference !== undefined && unfinished(s.referenceStatus ?? 'not-run')))
  )
}

/** A row's figure for one seed: ours from the seed's run, or the peer's for the same seed number. */
function seedValue(row: GoalRow, s: SeedResult, entry: ReproductionEntry): number | null {
  if (isPeerRow(row)) return entry.peer?.perSeed?.[s.seed - 1] ?? null
  return seedOk(s) ? (s.values[row.metric] ?? null) : null
}

function stats(values: number[]): Pick<RowSummary, 'mean' | 'sd' | 'min' | 'max'> {
  if (values.length === 0) return { mean: null, sd: null, min: null, max: null }
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) }
}

/** Whether one seed meets a row's goal (undefined: no goal to judge). */
function meets(row: GoalRow, seed: SeedResult, entry: ReproductionEntry): boolean | undefined {
  const v = seed.values[row.metric]
  const goal = row.goal
  switch (goal.kind) {
    case 'report':
      return undefined
    case 'at-least':
      return v !== undefined && v >= goal.value - 1e-12
    case 'at-most':
      return v !== undefined && v <= goal.value + 1e-12
    case 'at-least-baseline': {
      const b = seed.values[`baseline.${row.metric}`]
      return v !== undefined && b !== undefined && v >= b
    }
    case 'at-most-peer': {
      const peer = entry.peer?.value
      return peer === null || peer === undefined ? undefined : v !== undefined && v <= peer
    }
  }
}

/**
 * Without a `status` the record is taken as ended: a seed that did not complete fails its rows. While
 * it runs (`status` 'running') a seed still to come fails nothing; a row that no finished seed has
 * failed yet is `running`, and one that a finished seed fails is already failed (every seed must pass).
 */
export function summarize(
  record: Pick<ReproductionRecord, 'entry' | 'results'> & { status?: ReproductionRecord['status'] },
): ReproductionSummary {
  const { results } = record
  const entry = withCurrentFindings(record.entry)
  const inProgress = record.status === 'running'
  const toCome = (s: SeedResult) => stillToCome(s, entry, inProgress)
  const failedSeeds = results
    .filter((s) => !toCome(s) && (!seedOk(s) || (entry.baseline && s.baselineStatus !== 'completed')))
    .map((s) => s.seed)
  const rows = entry.rows.map((row): RowSummary => {
    const perSeed = results.map((s) => seedValue(row, s, entry))
    const base = { row, perSeed, ...stats(perSeed.filter((v): v is number => v !== null)) }
    if (row.goal.kind === 'report') return { ...base, verdict: 'info' }
    if (row.goal.kind === 'at-most-peer' && (entry.peer?.value === null || entry.peer?.value === undefined)) {
      return { ...base, verdict: 'no-goal', why: `no ${entry.peer?.label ?? 'peer'} figure yet` }
    }
    if (results.length === 0) return { ...base, verdict: 'fail', why: 'no seed ran' }
    const failing = results.filter((s) => !toCome(s) && (!seedOk(s) || meets(row, s, entry) === false))
    const pending = results.filter(toCome)
    if (failing.length === 0 && pending.length === 0) return { ...base, verdict: 'pass' }
    if (failing.length === 0) {
      return {
        ...base,
        verdict: 'running',
        why: `waiting for seed${pending.length > 1 ? 's' : ''} ${pending.map((s) => s.seed).join(', ')}`,
      }
    }
    const broken = failing.filter((s) => !seedOk(s))
    const why =
      broken.length > 0
        ? `seed${broken.length > 1 ? 's' : ''} ${broken.map((s) => `${s.seed} (${statusWords(s.status)})`).join(', ')} did not finish`
        : `seed${failing.length > 1 ? 's' : ''} ${failing.map((s) => s.seed).join(', ')} short of the goal`
    return { ...base, verdict: 'fail', why }
  })
  const judged = rows.filter((r) => r.verdict === 'pass' || r.verdict === 'fail')
  const passed = judged.length > 0 && judged.every((r) => r.verdict === 'pass') && !rows.some((r) => r.verdict === 'running')
  return { rows, passed, pending: rows.some((r) => r.verdict === 'no-goal'), failedSeeds }
}

/** The seeds the goals are set over ("over 5 seeds, every seed"): a pass on fewer says so. */
export const GOAL_SEEDS = 5

/** The whole reproduction in a word: a pass with a goal still awaiting its peer figure is not a pass yet. */
export function verdictWord(record: Pick<ReproductionRecord, 'entry' | 'results' | 'status' | 'quick'>): string {
  if (record.status !== 'completed') return record.status
  const s = summarize(record)
  if (!s.passed) return 'not reached'
  if (s.pending) return 'awaiting a peer figure'
  const n = record.results.length
  return n < GOAL_SEEDS && !record.quick ? `passed on ${n} seed${n === 1 ? '' : 's'} (the goal asks ${GOAL_SEEDS})` : 'passed'
}

/** A row's value as people read it: counts whole (or to a tenth for means), shares in percent. */
export function formatValue(value: number | null | undefined, format: GoalRow['format'], mean = false): string {
  if (value === null || value === undefined) return '—'
  if (format === 'percent') return `${(100 * value).toFixed(1)} %`
  if (format === 'count') return mean || !Number.isInteger(value) ? value.toFixed(1) : String(value)
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(Math.abs(value) >= 10 ? 2 : 3)
}

/** The peer's figure in words: its value, or its mean over the seeds it ran with each seed's. */
export function peerFigure(peer: NonNullable<ReproductionEntry['peer']>): string {
  if (peer.value === null) return 'not supplied yet'
  const seeds = peer.perSeed ?? []
  const f = (v: number) => formatValue(v, 'number')
  return seeds.length > 1 ? `${f(peer.value)}, the mean of seeds 1-${seeds.length} (${seeds.map(f).join(', ')})` : f(peer.value)
}

/**
 * One seed's cell: its figure, or how its run ended when it has none (a peer's row always has its
 * figure). While its reproduction runs, a seed not started reads "waiting" and one whose runs are
 * not all scored yet "to score"; after, a seed never started reads "not run".
 */
export function seedCell(r: RowSummary, result: Pick<SeedResult, 'status' | 'values'>, index: number, inProgress = false): string {
  if (inProgress && !isPeerRow(r.row) && unscored(result)) return 'to score'
  if (isPeerRow(r.row) || result.status === 'completed') return formatValue(r.perSeed[index], r.row.format)
  return statusWords(result.status, inProgress)
}

/** Whether a seed's cell shows a failure: its run ended without completing, or never ran in a reproduction that has ended. */
export function seedFailed(r: RowSummary, result: Pick<SeedResult, 'status'>, inProgress = false): boolean {
  return !isPeerRow(r.row) && result.status !== 'completed' && !(inProgress && unfinished(result.status))
}

/** A seed status as people read it: a seed not started is "waiting" while its reproduction runs, "not run" after. */
export const statusWords = (status: SeedStatus, inProgress = false): string =>
  status === 'not-run' ? (inProgress ? 'waiting' : 'not run') : status

/** "mean ± sd (min–max)" of a row over the seeds that ran. */
export function formatSpread(r: RowSummary): string {
  if (r.mean === null) return '—'
  const f = r.row.format
  const sd = f === 'percent' ? (100 * r.sd!).toFixed(1) : f === 'count' ? r.sd!.toFixed(1) : formatValue(r.sd, f, true)
  return `${formatValue(r.mean, f, true)} ± ${sd} (${formatValue(r.min, f)}–${formatValue(r.max, f)})`
}

/** Each reference figure of a row as text (the paper's, a peer's, an earlier recipe's); empty when none. */
export function paperFigures(row: GoalRow): string[] {
  return row.paper.map((p) =>
    p.value !== undefined ? `${p.label} ${formatValue(p.value, row.format, true)}` : `${p.label}: ${p.text ?? ''}`,
  )
}

/** The paper's figures of a row in one line, e.g. "GAN 6.3 · PacGAN4 7.8". */
export function formatPaper(row: GoalRow): string {
  return row.paper.length === 0 ? '—' : paperFigures(row).join(' · ')
}
