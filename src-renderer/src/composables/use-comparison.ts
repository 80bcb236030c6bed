/**
 * A comparison that follows its runs: loaded once (runs.compare), then kept current from the same
 * event stream the run page uses. Live progress extends each run's curves and final values as it
 * arrives; a status change re-reads that run's record and stored curves (a twin started from a
 * run page appears, trains and finishes in an open comparison without a reload). Runs trained by
 * another process stream nothing here: while any compared run is active, they are re-read every
 * few seconds.
 */
import { computed, onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue'
import type { MetricPoint, RunComparison, RunRecord } from '../../../src-shared/domain/run'
import { ACTIVE_STATUSES } from '../../../src-shared/domain/run'
import type { Diagnosis } from '../../../src-shared/metrics/diagnostics'
import { comparePoints } from '../../../src-shared/compare/points-per-curve'
import { withLive } from '../../../src-shared/compare/series'
import { isMetricKey, sortMetricKeys } from '../../../src-shared/metrics/metric-catalog'
import { api } from '../stores/connection'
import { useRunsStore } from '../stores/runs'

/** How often runs trained elsewhere (no events reach this window) are re-read while active. */
const POLL_MS = 5000

/** One run's stored curves, as many points each as a comparison of `runs` runs shows. */
const curves = (id: number, runs: number) => api().call('runs.metrics', { id, maxPoints: comparePoints(runs) })

export function useComparison(ids: Ref<number[]>) {
  const store = useRunsStore()
  /** Shallow: the curves of N runs are plain data, and making them reactive costs seconds. */
  const data = shallowRef<RunComparison | null>(null)
  const diagnoses = shallowRef<Diagnosis[][]>([])
  const error = ref<string | null>(null)
  /** Bumped when a run's stored data were re-read (views refresh what they loaded from it). */
  const revision = ref(0)

  async function load() {
    try {
      error.value = null
      if (ids.value.length < 2) throw new Error('Pick two or more runs on the Runs page to compare them.')
      store.subscribe()
      // The records first, then each run's curves in a message of its own: one reply with every
      // curve (2.4 MB for 10 runs of 10 metrics) was a main-thread task of 90-160 ms to receive.
      const base = await api().call('runs.compare', { ids: ids.value, curves: false })
      const metrics = await Promise.all(base.runs.map((r) => curves(r.id, base.runs.length)))
      data.value = { ...base, metrics }
      diagnoses.value = await Promise.all(
        data.value.runs.map((r) =>
          api()
            .call('runs.diagnoses', { id: r.id })
            .catch(() => []),
        ),
      )
      revision.value++
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Re-reads one run's record, stored curves and diagnoses into the comparison. */
  async function refreshRun(id: number) {
    const d = data.value
    const i = d?.runs.findIndex((r) => r.id === id) ?? -1
    if (!d || i < 0) return
    try {
      const [run, metrics, diag] = await Promise.all([
        api().call('runs.get', { id }),
        curves(id, d.runs.length),
        api()
          .call('runs.diagnoses', { id })
          .catch(() => diagnoses.value[i] ?? []),
      ])
      const now = data.value
      if (!now || now.runs[i]?.id !== id) return
      const runs = now.runs.map((r, j) => (j === i ? run : r))
      const keys = [...new Set(runs.flatMap((r) => Object.keys(r.lastMetrics)))].sort()
      data.value = {
        ...now,
        runs,
        metrics: now.metrics.map((m, j) => (j === i ? metrics : m)),
        finalMetrics: Object.fromEntries(keys.map((k) => [k, runs.map((r) => r.lastMetrics[k] ?? null)])),
      }
      diagnoses.value = diagnoses.value.map((x, j) => (j === i ? diag : x))
      revision.value++
    } catch {
      // deleted meanwhile: the comparison keeps what it had
    }
  }

  const offStatus = api().on('run.status', (e) => {
    if (data.value?.runs.some((r) => r.id === e.runId)) void refreshRun(e.runId)
  })
  const lastEvent = new Map<number, number>()
  const offProgress = api().on('run.progress', (e) => lastEvent.set(e.runId, Date.now()))
  const timer = setInterval(() => {
    for (const r of data.value?.runs ?? []) {
      const quiet = Date.now() - (lastEvent.get(r.id) ?? 0) > POLL_MS
      if (ACTIVE_STATUSES.includes(r.status) && quiet) void refreshRun(r.id)
    }
  }, POLL_MS)
  onBeforeUnmount(() => {
    offStatus()
    offProgress()
    clearInterval(timer)
  })
  watch(ids, () => void load(), { immediate: true })

  /** The runs as they are now: the stored record with live step, epoch and last values. */
  const runs = computed<RunRecord[]>(() =>
    (data.value?.runs ?? []).map((r) => {
      const p = store.live[r.id]?.progress
      if (!p || p.step < r.step) return r
      return { ...r, step: p.step, epoch: p.epoch, lastMetrics: { ...r.lastMetrics, ...p.metrics } }
    }),
  )

  /** Each run's points of a metric: stored, then live past the last stored step. */
  function series(i: number, key: string): MetricPoint[] {
    const d = data.value
    const id = d?.runs[i]?.id
    if (!d || id === undefined) return []
    return withLive(d.metrics[i]?.[key] ?? [], store.live[id]?.curves[key])
  }

  /** Every metric any run logged (sample counts are not metrics). */
  const metricKeys = computed(() => sortMetricKeys(new Set(runs.value.flatMap((r) => Object.keys(r.lastMetrics)).filter(isMetricKey))))
  const finalMetrics = computed(() => Object.fromEntries(metricKeys.value.map((k) => [k, runs.value.map((r) => r.lastMetrics[k] ?? null)])))

  return { data, runs, diagnoses, error, revision, series, metricKeys, finalMetrics, load, refreshRun }
}
