/**
 * The MLP phase breakdown of `tsx bench/profile.ts --mlp` (bench/mlp-phases.ts): the addon's timer
 * layout read back per phase, our breakdown tiling the measured wall time (native phases, the
 * boundary as the call's time less the computing inside it, the JS around as the rest), and the
 * table's medians over rounds and shares of the step.
 */
import { describe, expect, it } from 'vitest'
import { type Breakdown, decodeNativeTimers, NATIVE_PHASES, ourBreakdown, phaseTable } from '../../bench/mlp-phases'

const P = NATIVE_PHASES.length

/** A timer read-out: D phase i takes (i + 1) ms, G phase i (i + 1) × 2 ms, BLAS half of each, `calls` steps each. */
function timers(calls: number): Float64Array {
  const out = new Float64Array(4 * P + 2)
  for (let i = 0; i < P; i++) {
    out[i] = (i + 1) / 1000
    out[P + i] = (2 * (i + 1)) / 1000
    out[2 * P + i] = out[i]! / 2
    out[3 * P + i] = out[P + i]! / 2
  }
  out[4 * P] = calls
  out[4 * P + 1] = calls
  return out
}

describe('bench/mlp-phases.ts', () => {
  it("reads the addon's layout: D then G seconds, D then G BLAS seconds, then the step counts", () => {
    const t = decodeNativeTimers(timers(5), P)
    expect(t.calls).toEqual({ d: 5, g: 5 })
    expect(t.seconds['d.args']).toBeCloseTo(0.001, 12)
    expect(t.seconds['d.adam']).toBeCloseTo(P / 1000, 12)
    expect(t.seconds['g.gForward']).toBeCloseTo(0.004, 12)
    expect(t.gemmSeconds['g.gForward']).toBeCloseTo(0.002, 12)
    expect(() => decodeNativeTimers(timers(5), P - 1)).toThrow(/rebuild the addon/)
  })

  it('our breakdown tiles the measured time: boundary = call − computing inside; JS around = the rest', () => {
    const native = decodeNativeTimers(timers(10), P)
    const inside = (side: 'd' | 'g') => NATIVE_PHASES.filter((p) => p !== 'args').reduce((s, p) => s + native.seconds[`${side}.${p}`]!, 0)
    const js = {
      iterations: 10,
      call: { d: inside('d') + 0.002, g: inside('g') + 0.003 },
      inputs: { d: 0.004, g: 0.001 },
      metrics: 0.0005,
      total: 0,
    }
    js.total = js.call.d + js.call.g + js.inputs.d + js.inputs.g + js.metrics + 0.006
    const b = ourBreakdown(native, js, 7)
    expect(b.stepMs).toBe(7)
    expect(b.phasesMs.boundary).toBeCloseTo(0.5, 9) // (0.002 + 0.003) s over 10 iterations
    expect(b.phasesMs.js).toBeCloseTo(0.6, 9)
    expect(b.phasesMs['d.inputs']).toBeCloseTo(0.4, 9)
    expect(b.phasesMs['g.inputs']).toBeCloseTo(0.1, 9)
    expect(b.phasesMs.metrics).toBeCloseTo(0.05, 9)
    expect(b.phasesMs['g.dBackward']).toBeCloseTo((1000 * native.seconds['g.dBackward']!) / 10, 9)
    expect(b.phasesMs['d.args'], 'argument unpacking is in the boundary').toBeUndefined()
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, v) => a + v, 0)
    expect(sum(b.phasesMs)).toBeCloseTo((1000 * js.total) / 10, 9)
    expect(sum(b.kindsMs), 'the kinds tile the same time').toBeCloseTo(sum(b.phasesMs), 9)
    // BLAS: half of every native phase but the arguments' (in the boundary; in practice never a product).
    const gemm = Object.entries(native.gemmSeconds).reduce((s, [k, v]) => s + (k.endsWith('.args') ? 0 : v), 0)
    expect(b.kindsMs.gemm).toBeCloseTo((1000 * gemm) / 10, 9)
    expect(b.kindsMs.optimizer).toBeCloseTo(
      (1000 * (native.seconds['d.adam']! + native.seconds['d.norm']! + native.seconds['g.adam']! + native.seconds['g.norm']!)) / 2 / 10,
      9,
    )
  })

  it("prints each row's median over rounds with its share, '–' where a side has no such phase", () => {
    const round = (scale: number): Breakdown => ({
      stepMs: 5 * scale, // uninstrumented: not the phases' sum, which the shares are of
      phasesMs: { 'd.dForward': 1 * scale, 'd.dBackward': 3 * scale },
      kindsMs: { gemm: 3 * scale, elementwise: 1 * scale, optimizer: 0, framework: 0 },
    })
    const peer: Breakdown = { stepMs: 2, phasesMs: { 'd.dForward': 1, 'd.dBackward': 1 }, kindsMs: { gemm: 1, elementwise: 1 } }
    const table = phaseTable([
      { label: 'ours 1T', rounds: [round(1), round(100), round(2)] },
      { label: 'peer 1T', rounds: [peer] },
    ])
    const row = (label: string) => table.split('\n').find((l) => l.startsWith(label)) ?? ''
    expect(row('D: D forward (real+fake)')).toMatch(/2\.000\s+25\.0%\s+1\.000\s+50\.0%$/)
    expect(row('D: D backward')).toMatch(/6\.000\s+75\.0%\s+1\.000\s+50\.0%$/)
    expect(row('iteration, uninstrumented')).toMatch(/10\.000\s+2\.000$/)
    expect(row('  → iterations/s')).toMatch(/100\s+500$/)
    expect(row('  optimizer')).toMatch(/0\.000\s+0\.0%\s+–$/)
    expect(table, 'rows no column has are left out').not.toContain('G: G backward')
  })
})
