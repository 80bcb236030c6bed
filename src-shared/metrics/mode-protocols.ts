/**
 * Mode coverage of 2D mixtures under the definitions published tables use, side by side with the
 * workbench's own, so a number here can be held against a paper's:
 *  - `pacgan`: the PacGAN / VEEGAN protocol as PacGAN's code computes it (Lin et al. 2018,
 *    synthetic_data_experiments/PacGAN/pacgan/extensions.py, MetricLogger): each sample goes to the
 *    mode with the smallest standardised distance sqrt(Σ (x − μ)² / σ²); it is high quality when that
 *    distance is below 3 (strictly: a sample exactly on the 3σ circle is not); a mode is captured
 *    when at least one high-quality sample has it as nearest. The papers score 2,500 samples.
 *  - `box`: the same, with a per-coordinate box instead of the disc: high quality when |dx| < 3σ
 *    and |dy| < 3σ around the nearest centre. The box holds the disc, so it scores the same or higher.
 *  - `app`: the workbench's own, stricter definition (src-shared/metrics/mode-coverage.ts): within
 *    3σ (Euclidean, inclusive) of the nearest centre, and a mode counts only when at least 1 % of
 *    all samples are its high-quality samples.
 */
import { MIN_MODE_SHARE, modeCoverage } from './mode-coverage'

export const MODE_PROTOCOL_IDS = ['pacgan', 'box', 'app'] as const
export type ModeProtocolId = (typeof MODE_PROTOCOL_IDS)[number]

export interface ModeProtocolDefinition {
  id: ModeProtocolId
  /** A short name for tables. */
  label: string
  /** The definition in words, shown beside the numbers. */
  definition: string
  /** The metric keys its two numbers are stored under (per epoch, and as eval.* by `eval`). */
  keys: { modes: string; highQuality: string }
}

export const MODE_PROTOCOLS: Record<ModeProtocolId, ModeProtocolDefinition> = {
  pacgan: {
    id: 'pacgan',
    label: 'PacGAN/VEEGAN protocol (Euclidean 3σ)',
    definition:
      "high quality: distance to the nearest mode centre below 3σ, as PacGAN's code measures it; a mode is captured when at least one high-quality sample has it as nearest. Compare with PacGAN's Table 1 and VEEGAN's Table 1 (2,500 samples).",
    keys: { modes: 'pacganModes', highQuality: 'pacganHighQuality' },
  },
  box: {
    id: 'box',
    label: 'per-coordinate box 3σ',
    definition:
      'as the PacGAN protocol, but high quality when |dx| < 3σ and |dy| < 3σ around the nearest centre (a square, not a disc): the same or higher.',
    keys: { modes: 'boxModes', highQuality: 'boxHighQuality' },
  },
  app: {
    id: 'app',
    label: 'workbench definition (≥ 1 % of samples)',
    definition:
      'high quality: within 3σ (Euclidean) of the nearest centre; a mode is captured only when at least 1 % of all samples are its high-quality samples. Stricter than the papers: a mode a few stray samples reach does not count.',
    keys: { modes: 'modesCaptured', highQuality: 'highQuality' },
  },
}

export interface ModeProtocolResult {
  id: ModeProtocolId
  modesCaptured: number
  modes: number
  /** Share of samples that are high quality. */
  highQuality: number
  /** High-quality samples per mode. */
  perMode: number[]
}

/** Index of the nearest centre (smallest squared distance; the first of equals) and that distance². */
function nearest(x: number, y: number, centres: readonly (readonly [number, number])[]): { mode: number; d2: number } {
  let mode = -1
  let d2 = Infinity
  for (let m = 0; m < centres.length; m++) {
    const [cx, cy] = centres[m]!
    const d = (x - cx) ** 2 + (y - cy) ** 2
    if (d < d2) {
      d2 = d
      mode = m
    }
  }
  return { mode, d2 }
}

function count(
  points: ArrayLike<number>,
  centres: readonly (readonly [number, number])[],
  highQuality: (x: number, y: number, centre: readonly [number, number], d2: number) => boolean,
  id: ModeProtocolId,
): ModeProtocolResult {
  const n = Math.floor(points.length / 2)
  const perMode = new Array<number>(centres.length).fill(0)
  let hq = 0
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!
    const y = points[2 * i + 1]!
    const { mode, d2 } = nearest(x, y, centres)
    if (mode >= 0 && highQuality(x, y, centres[mode]!, d2)) {
      perMode[mode]!++
      hq++
    }
  }
  return { id, modesCaptured: perMode.filter((c) => c > 0).length, modes: centres.length, highQuality: n > 0 ? hq / n : 0, perMode }
}

/** The PacGAN/VEEGAN protocol (see the file comment): standardised distance below 3, one sample captures a mode. */
export function pacganModeCoverage(
  points: ArrayLike<number>,
  centres: readonly (readonly [number, number])[],
  std: number,
): ModeProtocolResult {
  const variance = std ** 2
  return count(points, centres, (_x, _y, _c, d2) => Math.sqrt(d2 / variance) < 3, 'pacgan')
}

/** The per-coordinate box variant: |dx| < 3σ and |dy| < 3σ around the nearest centre. */
export function boxModeCoverage(
  points: ArrayLike<number>,
  centres: readonly (readonly [number, number])[],
  std: number,
): ModeProtocolResult {
  const r = 3 * std
  return count(points, centres, (x, y, [cx, cy]) => Math.abs(x - cx) < r && Math.abs(y - cy) < r, 'box')
}

/** The workbench's own definition, as a protocol result. */
export function appModeCoverage(
  points: ArrayLike<number>,
  centres: readonly (readonly [number, number])[],
  std: number,
): ModeProtocolResult {
  const m = modeCoverage(points, centres, std, MIN_MODE_SHARE)
  return { id: 'app', modesCaptured: m.modesCaptured, modes: m.modes, highQuality: m.highQuality, perMode: m.perMode }
}

/** All three, in the order tables show them (the papers' protocol first). */
export function modeProtocols(
  points: ArrayLike<number>,
  centres: readonly (readonly [number, number])[],
  std: number,
): ModeProtocolResult[] {
  return [pacganModeCoverage(points, centres, std), boxModeCoverage(points, centres, std), appModeCoverage(points, centres, std)]
}

/** The flat metrics of protocol results, under each protocol's keys. */
export function modeProtocolMetrics(results: readonly ModeProtocolResult[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of results) {
    const keys = MODE_PROTOCOLS[r.id].keys
    out[keys.modes] = r.modesCaptured
    out[keys.highQuality] = r.highQuality
  }
  return out
}
