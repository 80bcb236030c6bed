/**
 * What the UI knows about each logged metric key: a label, a group for the chart chooser, whether
 * a higher or a lower value is better (where one is: a loss or D's output is neither), and whether
 * it is measured once per epoch. Mode-coverage keys take their names and definitions from
 * mode-protocols.ts, the one set the eval code and the reproductions use.
 */
import { MODE_PROTOCOLS } from './mode-protocols'

export type MetricGroup = 'training' | 'gradients' | 'quality' | 'modes' | 'conditional' | 'translation' | 'evaluation' | 'other'

export interface MetricInfo {
  key: string
  label: string
  group: MetricGroup
  /** Which way is better, for marking the best run; null where neither is (losses, D's outputs). */
  better: 'higher' | 'lower' | null
  /** A short definition (a chart's subtitle, a table's tooltip). */
  description?: string
}

/**
 * Numbers logged beside the metrics that say how many samples they were measured on: provenance,
 * not metrics (never charted, compared or offered as a column).
 */
export const SAMPLE_COUNT_KEYS: ReadonlySet<string> = new Set(['evalSamples', 'qualitySamples', 'imageEvalSamples', 'eval.samples'])

export function isMetricKey(key: string): boolean {
  return !SAMPLE_COUNT_KEYS.has(key)
}

const modeEntries: MetricInfo[] = Object.values(MODE_PROTOCOLS).flatMap((p) => {
  const short = p.id === 'pacgan' ? "papers' protocol" : p.id === 'box' ? 'box 3σ' : 'workbench ≥ 1 % rule'
  return [
    {
      key: p.keys.modes,
      label: `Modes (${short})`,
      group: 'modes' as const,
      better: 'higher' as const,
      description: `${p.label}: ${p.definition}`,
    },
    {
      key: p.keys.highQuality,
      label: `High quality (${short})`,
      group: 'modes' as const,
      better: 'higher' as const,
      description: `Share of samples that are high quality, ${p.label}`,
    },
  ]
})

const ENTRIES: MetricInfo[] = [
  { key: 'dLoss', label: 'D loss', group: 'training', better: null },
  { key: 'gLoss', label: 'G loss', group: 'training', better: null },
  {
    key: 'dReal',
    label: 'D(x) real',
    group: 'training',
    better: null,
    description: "D's mean output on real samples (a probability for the vanilla GAN, a score otherwise)",
  },
  { key: 'dFake', label: 'D(G(z)) generated', group: 'training', better: null, description: "D's mean output on generated samples" },
  { key: 'dGradNorm', label: '‖∇D‖', group: 'gradients', better: null, description: "Global norm of D's gradients" },
  { key: 'gGradNorm', label: '‖∇G‖', group: 'gradients', better: null, description: "Global norm of G's gradients" },
  {
    key: 'diversity',
    label: 'Diversity ratio',
    group: 'quality',
    better: 'higher',
    description:
      'Mean pairwise distance of 256 generated samples over that of 256 real ones (about 1 when as varied as the data; far below 1: collapse)',
  },
  {
    key: 'fixedPattern',
    label: 'Fixed pattern',
    group: 'quality',
    better: 'lower',
    description:
      "Pixel-scale texture all samples share (the mean of their residuals after a 3×3 blur), its energy over the test images' (1: as much in common as real images; stripes drawn on every sample raise it several-fold)",
  },
  {
    key: 'frechetDistance',
    label: 'Fréchet distance',
    group: 'quality',
    better: 'lower',
    description: "Between the samples' and the test images' classifier features",
  },
  {
    key: 'inceptionScore',
    label: 'IS-style score',
    group: 'quality',
    better: 'higher',
    description: 'exp(E KL(p(y|x) ‖ p(y))) of the evaluation classifier (1 to 10)',
  },
  {
    key: 'precision',
    label: 'Precision',
    group: 'quality',
    better: 'higher',
    description: "Share of samples inside the real data's k-NN manifold (k = 3)",
  },
  {
    key: 'recall',
    label: 'Recall',
    group: 'quality',
    better: 'higher',
    description: "Share of real samples inside the generated samples' manifold (k = 3)",
  },
  {
    key: 'classTV',
    label: 'Class-mix distance',
    group: 'quality',
    better: 'lower',
    description: "Total variation between the generated and the data's class shares",
  },
  {
    key: 'classesPresent',
    label: 'Classes present',
    group: 'quality',
    better: 'higher',
    description: 'Classes (of 10) that at least 2 % of the samples are called with probability ≥ 0.9 by the evaluation classifier',
  },
  {
    key: 'swd',
    label: 'Sliced Wasserstein',
    group: 'quality',
    better: 'lower',
    description: "Sliced Wasserstein-2 distance to the data's points (128 seeded projections, data units)",
  },
  {
    key: 'modeKL',
    label: 'Mode histogram KL',
    group: 'modes',
    better: 'lower',
    description: "KL divergence of the generated mode histogram from the data's",
  },
  ...modeEntries,
  {
    key: 'labelAccuracy',
    label: 'Label accuracy',
    group: 'conditional',
    better: 'higher',
    description: 'Samples the classifier calls the class they were drawn for',
  },
  { key: 'classAccReal', label: 'D class accuracy, real', group: 'conditional', better: null },
  { key: 'classAccFake', label: 'D class accuracy, generated', group: 'conditional', better: null },
  { key: 'infoLoss', label: 'InfoGAN Q loss', group: 'conditional', better: 'lower' },
  {
    key: 'codeAcc',
    label: 'Code accuracy',
    group: 'conditional',
    better: 'higher',
    description: 'Share of generated samples whose categorical code Q recovers',
  },
  { key: 'l1', label: 'L1 to target', group: 'translation', better: 'lower' },
  { key: 'pairL1', label: 'L1 to true pair', group: 'translation', better: 'lower' },
  { key: 'cycle', label: 'Cycle error', group: 'translation', better: 'lower' },
  { key: 'identity', label: 'Identity change', group: 'translation', better: null },
]

const BY_KEY = new Map(ENTRIES.map((e) => [e.key, e]))
const ORDER = new Map(ENTRIES.map((e, i) => [e.key, i]))

/** Keys in the catalog's order (losses first, then gradients, quality, modes…), unknown keys by name after, evaluations last. */
export function sortMetricKeys(keys: Iterable<string>): string[] {
  const rank = (k: string) =>
    k.startsWith('eval.') ? 2 * ENTRIES.length + (ORDER.get(k.slice(5)) ?? ENTRIES.length) : (ORDER.get(k) ?? ENTRIES.length)
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
}

export const GROUP_LABELS: Record<MetricGroup, string> = {
  training: 'Losses and D outputs',
  gradients: 'Gradients',
  quality: 'Sample quality',
  modes: 'Modes',
  conditional: 'Conditioning',
  translation: 'Translation',
  evaluation: 'Evaluations (eval)',
  other: 'Other',
}

/** What is known of a key; `eval.*` keys (stored by eval) are their metric's, in the evaluation group. */
export function metricInfo(key: string): MetricInfo {
  const known = BY_KEY.get(key)
  if (known) return known
  if (key.startsWith('eval.')) {
    const base = BY_KEY.get(key.slice(5))
    return {
      key,
      label: `${base?.label ?? key.slice(5)} (eval)`,
      group: 'evaluation',
      better: base?.better ?? null,
      description: base?.description,
    }
  }
  return { key, label: key, group: 'other', better: null }
}

/**
 * The runs holding the best value of a row (all of them on a tie), or none: when the metric has no
 * better side, fewer than two runs have a value, or every value is the same.
 */
export function bestIndices(key: string, values: readonly (number | null)[]): number[] {
  const better = metricInfo(key).better
  const finite = values.flatMap((v, i) => (v !== null && Number.isFinite(v) ? [{ v, i }] : []))
  if (!better || finite.length < 2) return []
  const best = better === 'higher' ? Math.max(...finite.map((f) => f.v)) : Math.min(...finite.map((f) => f.v))
  const winners = finite.filter((f) => f.v === best).map((f) => f.i)
  return winners.length === finite.length ? [] : winners
}
