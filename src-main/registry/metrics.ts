/**
 * The `metrics` table (with its `last_metrics` and roll-up companions): metric rows per run, key
 * and step. A batch is written in one transaction; rewriting a step replaces it.
 */
import type { MetricPoint, MetricSeries } from '../../src-shared/domain/run'
import type { Db } from './database'
import { downsampleIndices } from './downsample'
import { envelopeSeries, refreshRollups, ROLLUP_STEPS, seriesSizes, truncateRollups } from './metric-rollups'
import { faultPoint } from '../util/faults'

export interface MetricRow {
  key: string
  step: number
  epoch: number
  value: number
  wallTime: number
}

/** Series longer than this many times the points asked for are drawn from their roll-ups (metric-rollups.ts). */
const ENVELOPE_FACTOR = 8

export class MetricRepository {
  constructor(private readonly db: Db) {}

  /** Writes a batch of metric rows in one transaction; rewriting a step replaces it. */
  write(runId: number, rows: MetricRow[]): void {
    if (rows.length === 0) return
    const insert = this.db.prepare('INSERT OR REPLACE INTO metrics (run_id, key, step, epoch, value, wall_time) VALUES (?, ?, ?, ?, ?, ?)')
    const last = this.db.prepare(`INSERT INTO last_metrics (run_id, key, step, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value WHERE excluded.step >= last_metrics.step`)
    const tx = this.db.transaction(() => {
      const newest = new Map<string, MetricRow>()
      const touched = new Map<string, Set<number>>()
      // NaN/Inf cannot be stored or charted; a diverged run records them in its status message.
      rows.forEach((r, i) => {
        if (i === rows.length >> 1) faultPoint('metrics-batch') // a crash test dies half-way through the batch
        if (!Number.isFinite(r.value)) return
        insert.run(runId, r.key, r.step, r.epoch, r.value, r.wallTime)
        const seen = newest.get(r.key)
        if (!seen || r.step >= seen.step) newest.set(r.key, r)
        let blocks = touched.get(r.key)
        if (!blocks) touched.set(r.key, (blocks = new Set()))
        blocks.add(Math.floor(r.step / ROLLUP_STEPS))
      })
      for (const r of newest.values()) last.run(runId, r.key, r.step, r.value)
      refreshRollups(this.db, runId, touched)
    })
    tx.immediate()
  }

  /** A run's series (all keys, or `keys`), each down to about `maxPoints` points when given. */
  series(runId: number, keys?: string[], maxPoints?: number): MetricSeries {
    const series: MetricSeries = {}
    const sizes = seriesSizes(this.db, runId, keys)
    // Envelopes of roll-ups for series far longer than asked for, when the roll-ups still give at
    // least half the points asked for (2 per block); otherwise the rows, downsampled by LTTB.
    const long = sizes.filter((s) => maxPoints && s.n > ENVELOPE_FACTOR * maxPoints && 4 * s.blocks >= maxPoints)
    if (long.length)
      Object.assign(
        series,
        envelopeSeries(
          this.db,
          runId,
          long.map((s) => s.key),
          maxPoints!,
        ),
      )
    const rawKeys = sizes.filter((s) => !long.includes(s)).map((s) => s.key)
    if (rawKeys.length === 0) return series
    // Raw rows (arrays, not objects): objects are made only for the points a chart keeps.
    const rows = this.db
      .prepare(
        `SELECT key, step, epoch, value, wall_time FROM metrics WHERE run_id = ? AND key IN (SELECT value FROM json_each(?)) ORDER BY key, step`,
      )
      .raw(true)
      .all(runId, JSON.stringify(rawKeys)) as [string, number, number, number, number][]
    let start = 0
    while (start < rows.length) {
      const key = rows[start]![0]
      let end = start
      while (end < rows.length && rows[end]![0] === key) end++
      const points: MetricPoint[] = []
      const keep = maxPoints ? downsampleIndices(rows, start, end, maxPoints) : null
      const push = (r: [string, number, number, number, number]) => points.push({ step: r[1], epoch: r[2], value: r[3], wallTime: r[4] })
      if (keep) for (const i of keep) push(rows[i]!)
      else for (let i = start; i < end; i++) push(rows[i]!)
      series[key] = points
      start = end
    }
    return series
  }

  /** Deletes metric rows after `step` (a run resumed from an earlier checkpoint rewrites them). */
  truncate(runId: number, afterStep: number): void {
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, afterStep)
      truncateRollups(this.db, runId, afterStep)
      this.db.prepare('DELETE FROM last_metrics WHERE run_id = ? AND step > ?').run(runId, afterStep)
      this.db
        .prepare(
          `INSERT OR REPLACE INTO last_metrics (run_id, key, step, value)
        SELECT m.run_id, m.key, m.step, m.value FROM metrics m
        JOIN (SELECT key, MAX(step) AS step FROM metrics WHERE run_id = ? GROUP BY key) l ON l.key = m.key AND l.step = m.step
        WHERE m.run_id = ? AND m.key NOT IN (SELECT key FROM last_metrics WHERE run_id = ?)`,
        )
        .run(runId, runId, runId)
    })
    tx.immediate()
  }

  /** Metric rows after `step`, oldest first (what a queue worker has not yet handed back), up to `limit` steps' worth. */
  rowsAfter(runId: number, step: number, limit = 50_000): MetricRow[] {
    return this.db
      .prepare(
        `SELECT key, step, epoch, value, wall_time AS wallTime FROM metrics WHERE run_id = ? AND step > ?
        AND step <= (SELECT COALESCE(MAX(step), 0) FROM (SELECT DISTINCT step FROM metrics WHERE run_id = ? AND step > ? ORDER BY step LIMIT ?))
        ORDER BY step, key`,
      )
      .all(runId, step, runId, step, Math.max(1, Math.floor(limit / 40))) as MetricRow[]
  }

  /** The newest value of each key of each run in `ids`. */
  lastOf(ids: number[]): Map<number, Record<string, number>> {
    const out = new Map<number, Record<string, number>>()
    if (ids.length === 0) return out
    const rows = this.db
      .prepare('SELECT run_id, key, value FROM last_metrics WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, key')
      .all(JSON.stringify(ids)) as { run_id: number; key: string; value: number }[]
    for (const r of rows) {
      const rec = out.get(r.run_id) ?? {}
      rec[r.key] = r.value
      out.set(r.run_id, rec)
    }
    return out
  }
}
