/**
 * Metric roll-ups: for every run, key and block of ROLLUP_STEPS steps, the row count and the rows
 * with the lowest and the highest value. Charts of very long series read these instead of every
 * row (a 10,000-step series is 157 roll-ups), so comparing ten runs of 100,000 points is no longer
 * ten scans of a million rows. Blocks are recomputed from the metric rows whenever rows are
 * written into them or truncated out of them, so they never drift from the rows (replaced rows
 * included).
 */
import type { Db } from './database'
import type { MetricPoint, MetricSeries } from '../../src-shared/domain/run'

export const ROLLUP_STEPS = 64

type Extreme = [step: number, value: number, epoch: number, wallTime: number]

/** Recomputes the roll-ups of the given (key → blocks) of a run from its metric rows. */
export function refreshRollups(db: Db, runId: number, touched: Map<string, Set<number>>): void {
  const drop = db.prepare('DELETE FROM metric_rollups WHERE run_id = ? AND key = ? AND block = ?')
  // An empty block (all of its rows truncated) selects nothing and so stays deleted.
  const rebuild =
    db.prepare(`INSERT INTO metric_rollups (run_id, key, block, n, lo_step, lo_value, lo_epoch, lo_wall, hi_step, hi_value, hi_epoch, hi_wall)
    SELECT :run, :key, :block, c.n, lo.step, lo.value, lo.epoch, lo.wall_time, hi.step, hi.value, hi.epoch, hi.wall_time
    FROM (SELECT COUNT(*) AS n FROM metrics WHERE run_id = :run AND key = :key AND step >= :from AND step < :to) c,
      (SELECT step, value, epoch, wall_time FROM metrics WHERE run_id = :run AND key = :key AND step >= :from AND step < :to ORDER BY value, step LIMIT 1) lo,
      (SELECT step, value, epoch, wall_time FROM metrics WHERE run_id = :run AND key = :key AND step >= :from AND step < :to ORDER BY value DESC, step LIMIT 1) hi`)
  for (const [key, blocks] of touched) {
    for (const block of blocks) {
      drop.run(runId, key, block)
      rebuild.run({ run: runId, key, block, from: block * ROLLUP_STEPS, to: (block + 1) * ROLLUP_STEPS })
    }
  }
}

/** After metric rows past `afterStep` were deleted: drops the blocks past it and redoes the one it falls in. */
export function truncateRollups(db: Db, runId: number, afterStep: number): void {
  const block = Math.floor(afterStep / ROLLUP_STEPS)
  db.prepare('DELETE FROM metric_rollups WHERE run_id = ? AND block > ?').run(runId, block)
  const keys = db.prepare('SELECT DISTINCT key FROM metric_rollups WHERE run_id = ? AND block = ?').pluck().all(runId, block) as string[]
  refreshRollups(db, runId, new Map(keys.map((k) => [k, new Set([block])])))
}

/** Rows and roll-up blocks per key (from the roll-ups: no scan of the rows). */
export function seriesSizes(db: Db, runId: number, keys?: string[]): { key: string; n: number; blocks: number }[] {
  const wanted = keys?.length ? ' AND key IN (SELECT value FROM json_each(?))' : ''
  const args = keys?.length ? [runId, JSON.stringify(keys)] : [runId]
  return db
    .prepare(`SELECT key, SUM(n) AS n, COUNT(*) AS blocks FROM metric_rollups WHERE run_id = ?${wanted} GROUP BY key ORDER BY key`)
    .all(...args) as { key: string; n: number; blocks: number }[]
}

/**
 * Long series as envelopes: each group of consecutive blocks gives its lowest and highest point,
 * at their own steps (spikes stay where they were), between maxPoints/2 and maxPoints points in
 * all, plus the series' first and last points (a curve starts and ends where the run did).
 */
export function envelopeSeries(db: Db, runId: number, keys: string[], maxPoints: number): MetricSeries {
  const read = db
    .prepare(
      `SELECT lo_step, lo_value, lo_epoch, lo_wall, hi_step, hi_value, hi_epoch, hi_wall
    FROM metric_rollups WHERE run_id = ? AND key = ? ORDER BY block`,
    )
    .raw(true)
  const end = (dir: 'ASC' | 'DESC') =>
    db.prepare(`SELECT step, value, epoch, wall_time FROM metrics WHERE run_id = ? AND key = ? ORDER BY step ${dir} LIMIT 1`).raw(true)
  const [first, last] = [end('ASC'), end('DESC')]
  const series: MetricSeries = {}
  const point = ([step, value, epoch, wallTime]: Extreme): MetricPoint => ({ step, epoch, value, wallTime })
  for (const key of keys) {
    const rows = read.all(runId, key) as number[][]
    const group = Math.max(1, Math.ceil((2 * rows.length) / maxPoints))
    const points: MetricPoint[] = (series[key] = [])
    for (let i = 0; i < rows.length; i += group) {
      let lo = rows[i]!.slice(0, 4) as Extreme
      let hi = rows[i]!.slice(4, 8) as Extreme
      for (const r of rows.slice(i + 1, i + group)) {
        if (r[1]! < lo[1]) lo = r.slice(0, 4) as Extreme
        if (r[5]! > hi[1]) hi = r.slice(4, 8) as Extreme
      }
      if (lo[0] === hi[0]) points.push(point(lo))
      else points.push(...(lo[0] < hi[0] ? [point(lo), point(hi)] : [point(hi), point(lo)]))
    }
    const head = first.get(runId, key) as Extreme | undefined
    const tail = last.get(runId, key) as Extreme | undefined
    if (head && points[0]?.step !== head[0]) points.unshift(point(head))
    if (tail && points.at(-1)?.step !== tail[0]) points.push(point(tail))
  }
  return series
}
