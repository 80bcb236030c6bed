/**
 * A queue worker hands its diagnoses back to the coordinator: each once when found, and again each
 * time a mode collapse's recovered mark is set or taken off (the worker's registry keeps one row per
 * kind and rewrites it), so the coordinator's Health panel follows the worker's.
 */
import { describe, expect, it } from 'vitest'
import { DiagnosisSync } from '../../src-main/remote/diagnosis-sync'
import { GanDiagnostics, type Diagnosis } from '../../src-shared/metrics/diagnostics'

describe("a worker's diagnoses to send", () => {
  it('sends a collapse once, again when it is marked recovered, and again when the mark comes off', () => {
    const d = new GanDiagnostics({ gan: 'vanilla' })
    const stored = new Map<string, Diagnosis>() // the worker registry's rows: one per kind, rewritten
    const observe = (step: number, diversity: number) => {
      for (const x of d.observeEpoch(step, step / 100, { diversity })) stored.set(x.kind, x)
    }
    const sync = new DiagnosisSync()
    const round = () => {
      const pending = sync.pending([...stored.values()])
      sync.markSent(pending)
      return pending.map((x) => (x.recovered === undefined ? 'found' : x.recovered === null ? 'again' : 'recovered'))
    }

    ;[100, 200, 300].forEach((s) => observe(s, 0.1))
    expect(round()).toEqual(['found'])
    expect(round()).toEqual([])
    ;[400, 500].forEach((s) => observe(s, 0.9))
    expect(round()).toEqual(['recovered'])
    expect(round()).toEqual([])
    ;[600, 700].forEach((s) => observe(s, 0.1))
    expect(round()).toEqual(['again'])
    expect(round()).toEqual([])
    ;[800, 900].forEach((s) => observe(s, 0.9))
    expect(round()).toEqual(['recovered']) // a second recovery, recognised at another step
  })
})
