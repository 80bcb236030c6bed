/**
 * Runs as the UI sees them: the registry's list, plus live progress, curves and generated points
 * streamed by running trainers. Live data is kept per run and capped, so a long run cannot grow
 * the renderer's memory without bound.
 */
import { defineStore } from 'pinia'
import { markRaw, reactive, ref } from 'vue'
import type { RunProgressEvent } from '../../../src-shared/contract'
import type { MetricPoint, RunFilter, RunRecord } from '../../../src-shared/domain/run'
import type { DecisionSurface } from '../../../src-shared/plots/decision-surface'
import type { Diagnosis } from '../../../src-shared/metrics/diagnostics'
import { api } from './connection'

export interface LiveRun {
  progress: RunProgressEvent | null
  /** Metric key → points received live (wall time: when they arrived here). */
  curves: Record<string, MetricPoint[]>
  points: [number, number][] | null
  /** D's decision surface streamed with the points (2D runs). */
  surface: DecisionSurface | null
  grid: string | null
  /** Diagnoses announced while this view listened. */
  diagnoses: Diagnosis[]
}

const MAX_LIVE_POINTS = 5000
/** How long live progress is gathered before it is applied (one re-render per batch). */
const LIVE_FLUSH_MS = 250

export const useRunsStore = defineStore('runs', () => {
  const list = ref<RunRecord[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)
  const filter = reactive<RunFilter>({})
  const live = reactive<Record<number, LiveRun>>({})
  let subscribed = false

  function liveOf(id: number): LiveRun {
    return (live[id] ??= { progress: null, curves: {}, points: null, surface: null, grid: null, diagnoses: [] })
  }

  /**
   * Progress events arrive faster than a page full of charts can redraw (two 2D runs with short
   * epochs send several a second each, with points and D's surface): applied one by one, each
   * re-rendered every chart and scatter of a live comparison, and the socket's backlog grew
   * without end (npm run bench:ui). They are queued and applied together, a few times a second.
   */
  const pending: { e: RunProgressEvent; wallTime: number }[] = []
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  function flushProgress() {
    flushTimer = undefined
    const batch = pending.splice(0)
    // Per run, the series this batch extends: each copied once (charts watch by identity), then appended to.
    const extended = new Map<number, Record<string, MetricPoint[]>>()
    for (const { e, wallTime } of batch) {
      const l = liveOf(e.runId)
      l.progress = e
      if (e.diagnoses) l.diagnoses.push(...e.diagnoses)
      let fresh = extended.get(e.runId)
      if (!fresh) extended.set(e.runId, (fresh = {}))
      for (const [k, v] of Object.entries(e.metrics))
        (fresh[k] ??= [...(l.curves[k] ?? [])]).push({ step: e.step, epoch: e.epoch, value: v, wallTime })
      if (e.points) l.points = e.points
      if (e.surface) l.surface = e.surface
      if (e.grid) l.grid = e.grid
      const run = list.value.find((r) => r.id === e.runId)
      if (run) {
        run.step = e.step
        run.epoch = e.epoch
        run.lastMetrics = { ...run.lastMetrics, ...e.metrics }
        if (e.samplesPerSec) run.samplesPerSec = e.samplesPerSec
      }
    }
    for (const [id, fresh] of extended) {
      for (const [k, c] of Object.entries(fresh)) if (c.length > MAX_LIVE_POINTS) fresh[k] = c.slice(c.length - MAX_LIVE_POINTS)
      // Raw: thousands of points made deeply reactive would cost more than drawing them.
      live[id]!.curves = markRaw({ ...live[id]!.curves, ...fresh })
    }
  }

  function subscribe() {
    if (subscribed) return
    subscribed = true
    api().on('run.progress', (e) => {
      // Applied in batches (below): the wall time is when it arrived.
      pending.push({ e, wallTime: Date.now() / 1000 })
      flushTimer ??= setTimeout(flushProgress, LIVE_FLUSH_MS)
    })
    api().on('run.status', (e) => {
      const run = list.value.find((r) => r.id === e.runId)
      if (run) run.status = e.status
      void refreshOne(e.runId)
    })
  }

  async function refresh() {
    subscribe()
    loading.value = true
    try {
      list.value = await api().call('runs.list', { ...filter })
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  async function refreshOne(id: number): Promise<RunRecord | undefined> {
    try {
      const run = await api().call('runs.get', { id })
      const i = list.value.findIndex((r) => r.id === id)
      if (i >= 0) list.value[i] = run
      else list.value.unshift(run)
      return run
    } catch {
      return undefined
    }
  }

  async function start(input: {
    preset?: string
    config?: unknown
    overrides?: string[]
    name?: string
    target?: 'local' | 'queue'
    lineUp?: boolean
  }) {
    subscribe()
    const run = await api().call('runs.start', input)
    list.value.unshift(run)
    return run
  }

  async function stop(id: number) {
    await api().call('runs.stop', { id })
  }

  async function resume(id: number) {
    subscribe()
    const run = await api().call('runs.resume', { id })
    const i = list.value.findIndex((r) => r.id === id)
    if (i >= 0) list.value[i] = run
    return run
  }

  /** `force`: the run is paused and the user confirmed deleting it anyway. */
  async function remove(id: number, force = false) {
    await api().call('runs.delete', force ? { id, force } : { id })
    list.value = list.value.filter((r) => r.id !== id)
    delete live[id]
  }

  async function tag(id: number, add: string[], remove: string[] = []) {
    const run = await api().call('runs.tag', { id, add, remove })
    const i = list.value.findIndex((r) => r.id === id)
    if (i >= 0) list.value[i] = run
  }

  async function note(id: number, notes: string) {
    const run = await api().call('runs.note', { id, notes })
    const i = list.value.findIndex((r) => r.id === id)
    if (i >= 0) list.value[i] = run
  }

  return { list, loading, error, filter, live, liveOf, subscribe, refresh, refreshOne, start, stop, resume, remove, tag, note }
})
