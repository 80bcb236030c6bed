/**
 * The phases of an MLP GAN iteration (one D step, then the G step), named alike for our native step
 * (gwb_mlp.c's timers plus the JS around them, bench/mlp-profile.ts) and the PyTorch peer (the marks
 * of torch_peer.vanilla, bench/torch_profile.py --phases), and the side-by-side table of both.
 */
import { median } from './stats'

/** gwb_mlp.c's timed phases, in its T_* order (mlpTimersRead returns their count, checked below). */
export const NATIVE_PHASES = ['args', 'gForward', 'copy', 'dForward', 'loss', 'dBackward', 'gBackward', 'norm', 'adam'] as const

/** The table's rows in step order: key (as both sides name the phase) and label. */
export const ROWS: ReadonlyArray<readonly [string, string]> = [
  ['d.inputs', 'D: inputs (real batch, z)'],
  ['d.gForward', 'D: G forward (fake batch)'],
  ['d.copy', 'D: real+fake into one batch'],
  ['d.dForward', 'D: D forward (real+fake)'],
  ['d.loss', 'D: loss'],
  ['d.dBackward', 'D: D backward'],
  ['d.norm', 'D: gradient norm'],
  ['d.adam', 'D: Adam (+ zero_grad)'],
  ['g.inputs', 'G: inputs (z)'],
  ['g.gForward', 'G: G forward'],
  ['g.dForward', 'G: D forward'],
  ['g.loss', 'G: loss'],
  ['g.dBackward', 'G: backward through D'],
  ['g.copy', "G: copy D's input gradient"],
  ['g.gBackward', 'G: G backward'],
  ['g.norm', 'G: gradient norm'],
  ['g.adam', 'G: Adam (+ zero_grad)'],
  ['boundary', 'JS↔native call + argument unpacking'],
  ['js', 'JS around the calls (views, Adam state)'],
  ['metrics', 'logged metrics read back'],
]

/** Where the time of a step went, ms per iteration: by phase (ROWS' keys), and by kind of work. */
export interface Breakdown {
  /** The iteration's wall time, uninstrumented (timers off). */
  stepMs: number
  phasesMs: Record<string, number>
  /** gemm (BLAS products), elementwise, optimizer (Adam, gradient norm), framework (dispatch, bookkeeping, inputs). */
  kindsMs: Record<string, number>
}

/** The addon's timers (mlpTimersRead's `out` and return value) as seconds per phase key, BLAS seconds per key, and steps timed. */
export function decodeNativeTimers(
  out: Float64Array,
  phases: number,
): { seconds: Record<string, number>; gemmSeconds: Record<string, number>; calls: { d: number; g: number } } {
  const n = NATIVE_PHASES.length
  if (phases !== n || out.length < 4 * n + 2)
    throw new Error(
      `the addon times ${phases} MLP phases and bench/mlp-phases.ts knows ${n}: rebuild the addon (node scripts/build-native.mjs)`,
    )
  const seconds: Record<string, number> = {}
  const gemmSeconds: Record<string, number> = {}
  ;(['d', 'g'] as const).forEach((side, s) =>
    NATIVE_PHASES.forEach((phase, i) => {
      seconds[`${side}.${phase}`] = out[s * n + i]!
      gemmSeconds[`${side}.${phase}`] = out[(2 + s) * n + i]!
    }),
  )
  return { seconds, gemmSeconds, calls: { d: out[4 * n]!, g: out[4 * n + 1]! } }
}

/** What bench/mlp-profile.ts times in JS over `iterations` iterations, in seconds. */
export interface JsTimes {
  iterations: number
  /** Wall time of the timed iterations (trainStep and the metrics read). */
  total: number
  /** Drawing the real batch and z, for the D step and the G step. */
  inputs: { d: number; g: number }
  /** Inside blas.mlpGanStep as JS sees it, per step kind. */
  call: { d: number; g: number }
  /** Reading back the logged steps' metrics. */
  metrics: number
}

/** Our breakdown: native phases as timed inside the addon, the boundary and the JS around them as the rest of what JS saw. */
export function ourBreakdown(native: ReturnType<typeof decodeNativeTimers>, js: JsTimes, stepMs: number): Breakdown {
  const per = (s: number) => (1000 * s) / js.iterations
  const phasesMs: Record<string, number> = { 'd.inputs': per(js.inputs.d), 'g.inputs': per(js.inputs.g) }
  let gemm = 0
  let optimizer = 0
  let elementwise = 0
  for (const [key, s] of Object.entries(native.seconds)) {
    const phase = key.slice(2)
    if (phase === 'args') continue // in the boundary
    gemm += native.gemmSeconds[key]!
    phasesMs[key] = per(s)
    if (phase === 'adam' || phase === 'norm') optimizer += s - native.gemmSeconds[key]!
    else elementwise += s - native.gemmSeconds[key]!
  }
  const inside = (side: 'd' | 'g') => NATIVE_PHASES.reduce((sum, p) => sum + (p === 'args' ? 0 : native.seconds[`${side}.${p}`]!), 0)
  // The N-API call and the unpacking of its ~30 arguments: what JS saw of the call less the computing inside it.
  const boundary = js.call.d - inside('d') + (js.call.g - inside('g'))
  phasesMs.boundary = per(boundary)
  phasesMs.metrics = per(js.metrics)
  const around = js.total - js.inputs.d - js.inputs.g - js.call.d - js.call.g - js.metrics
  phasesMs.js = per(around)
  return {
    stepMs,
    phasesMs,
    kindsMs: {
      gemm: per(gemm),
      elementwise: per(elementwise),
      optimizer: per(optimizer),
      framework: per(boundary + around + js.inputs.d + js.inputs.g + js.metrics),
    },
  }
}

/** One column of the table: a label and the breakdowns of its rounds (medians are shown). */
export interface Column {
  label: string
  rounds: Breakdown[]
}

const KIND_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['gemm', 'GEMM (BLAS sgemm)'],
  ['elementwise', 'element-wise (bias, activations, loss)'],
  ['optimizer', 'optimizer (Adam, norm, zero_grad)'],
  ['framework', 'framework (dispatch, glue, inputs)'],
]

/** Median over rounds of each row, ms and share of the summed phases; "–" where a side has no such phase. */
export function phaseTable(columns: Column[]): string {
  const width = 40
  const cell = 16
  const med = (c: Column, pick: (b: Breakdown) => number | undefined) => {
    const values = c.rounds.map(pick).filter((v): v is number => v !== undefined)
    return values.length ? median(values) : undefined
  }
  const sums = columns.map((c) => med(c, (b) => Object.values(b.phasesMs).reduce((a, v) => a + v, 0))!)
  const fmt = (ms: number | undefined, total: number) =>
    (ms === undefined ? '–' : `${ms.toFixed(3)} ${((100 * ms) / total).toFixed(1).padStart(4)}%`).padStart(cell)
  const line = (label: string, values: string[]) => label.padEnd(width) + values.join('')
  const out = [
    line(
      'ms per iteration (median of rounds)',
      columns.map((c) => c.label.padStart(cell)),
    ),
  ]
  for (const [key, label] of ROWS) {
    const values = columns.map((c) => med(c, (b) => b.phasesMs[key]))
    if (values.every((v) => v === undefined)) continue
    out.push(
      line(
        label,
        values.map((v, i) => fmt(v, sums[i]!)),
      ),
    )
  }
  out.push(
    line(
      'sum of the phases',
      sums.map((s) => fmt(s, s)),
    ),
  )
  out.push(
    line(
      'iteration, uninstrumented',
      columns.map((c) =>
        med(c, (b) => b.stepMs)!
          .toFixed(3)
          .padStart(cell),
      ),
    ),
  )
  out.push(
    line(
      '  → iterations/s',
      columns.map((c) => (1000 / med(c, (b) => b.stepMs)!).toFixed(0).padStart(cell)),
    ),
  )
  out.push('by kind of work')
  const kindSums = columns.map((c) => med(c, (b) => Object.values(b.kindsMs).reduce((a, v) => a + v, 0))!)
  for (const [key, label] of KIND_ROWS)
    out.push(
      line(
        `  ${label}`,
        columns.map((c, i) =>
          fmt(
            med(c, (b) => b.kindsMs[key]),
            kindSums[i]!,
          ),
        ),
      ),
    )
  return out.join('\n')
}
