/**
 * GAN health diagnostics: watches a run's logged metrics and says, in plain words, when training
 * goes wrong and what usually helps. Each diagnosis is reported once, with the step its evidence
 * began (a mode collapse again when it ends, marked recovered, and when it comes back, unmarked);
 * thresholds were set on runs of the ring-8 MLP preset (see tests/unit/diagnostics.test.ts).
 */
export const DIAGNOSIS_KINDS = ['divergence', 'discriminator-dominates', 'mode-collapse', 'oscillation'] as const
export type DiagnosisKind = (typeof DIAGNOSIS_KINDS)[number]

export interface Diagnosis {
  kind: DiagnosisKind
  /** The step the evidence began. */
  step: number
  /** The step it was recognised. */
  detectedAt: number
  title: string
  explanation: string
  remedies: string[]
  evidence: string
  /**
   * Mode collapse only: set once it ended (diversity back at or above the threshold, and every mode
   * captured where the modes are known, for as many epochs in a row as it took to recognise it): where the recovery began, the step it was
   * recognised, and what showed it. A run that collapses early and then covers the data keeps its
   * diagnosis, marked as over. `null`: it was over, then G collapsed again (the mark is taken off).
   */
  recovered?: { step: number; detectedAt: number; evidence: string } | null
}

export interface DiagnosticsOptions {
  /** vanilla and lsgan report D(x), D(G(z)) as probabilities / targets in [0, 1]; WGANs do not. */
  gan: 'vanilla' | 'lsgan' | 'wgan' | 'wgan-gp'
  /** Consecutive logged points D must win on before it counts as dominating. */
  dominanceWindow?: number
  /** Consecutive epoch evaluations with collapsed diversity before it counts. */
  collapseEpochs?: number
  /** Logged points the oscillation test looks at. */
  oscillationWindow?: number
  /**
   * The number of modes, where the data's modes are known (the 2D mixtures): a mode collapse is then
   * over only once every mode is captured again (`modesCaptured` of the epoch metrics), not as soon
   * as the samples spread out, which on these runs comes thousands of steps before the modes form.
   */
  modes?: number
}

/** D(G(z)) below this and D(x) above 1 − this: D separates real from generated almost perfectly. */
export const DOMINANCE_MARGIN = 0.05
/** Generated samples spread less than this share of the real data's spread: collapse. */
export const COLLAPSE_DIVERSITY = 0.35

const TEXT: Record<DiagnosisKind, { title: string; explanation: string; remedies: string[] }> = {
  divergence: {
    title: 'Training diverged',
    explanation: 'A loss or metric became NaN or infinite: the weights blew up, and nothing after this point is meaningful.',
    remedies: [
      'Lower both learning rates (e.g. by 10×)',
      'Use the non-saturating generator loss',
      'Add one-sided label smoothing (0.1)',
      'For WGAN-GP, check the penalty weight',
    ],
  },
  'discriminator-dominates': {
    title: 'The discriminator dominates',
    explanation:
      "D tells real from generated samples almost perfectly (D(G(z)) ≈ 0, D(x) ≈ 1), so the generator's gradients vanish and it stops learning.",
    remedies: [
      'Use the non-saturating generator loss instead of minimax',
      'One-sided label smoothing (0.1) or soft/noisy labels',
      "Instance noise on D's inputs",
      'Fewer D steps per G step, or a lower D learning rate',
      'A Wasserstein objective (WGAN-GP)',
    ],
  },
  'mode-collapse': {
    title: 'Mode collapse',
    explanation:
      "The generator's samples for a fixed batch of z have collapsed onto a small region: many different z give nearly the same output, so most of the data distribution is missed.",
    remedies: [
      'Unrolled GAN (training.unrollSteps = 5)',
      'WGAN-GP',
      'Feature matching',
      "A lower generator learning rate relative to D's",
      'Minibatch features in D',
    ],
  },
  oscillation: {
    title: 'Losses oscillate without converging',
    explanation:
      "G's and D's losses swing back and forth in large waves rather than settling: the two players keep overshooting each other.",
    remedies: [
      'Lower both learning rates',
      'Adam with β1 = 0.5',
      'Two-timescale learning rates (D faster than G)',
      'Gradient penalty (WGAN-GP)',
    ],
  },
}

export function describeDiagnosis(kind: DiagnosisKind, step: number, detectedAt: number, evidence: string): Diagnosis {
  return { kind, step, detectedAt, ...TEXT[kind], evidence }
}

/** Streams metrics in; returns each diagnosis once, when it is first recognised. */
export class GanDiagnostics {
  private readonly reported = new Set<DiagnosisKind>()
  private dominanceStart: number | null = null
  private dominanceCount = 0
  private collapseStart: number | null = null
  private collapseCount = 0
  /** The mode collapse as last announced (its `recovered` says whether it is over), and the streak of recovered epochs. */
  private collapse: Diagnosis | null = null
  private recoveryStart: number | null = null
  private recoveryCount = 0
  private readonly gLoss: { step: number; value: number }[] = []
  private readonly opts: Required<Omit<DiagnosticsOptions, 'modes'>> & Pick<DiagnosticsOptions, 'modes'>

  constructor(options: DiagnosticsOptions) {
    this.opts = { dominanceWindow: 20, collapseEpochs: 2, oscillationWindow: 60, ...options }
  }

  /** Per logged step: losses, D(x), D(G(z)), gradient norms. */
  observeStep(step: number, m: Record<string, number>): Diagnosis[] {
    const out: Diagnosis[] = []
    const bad = Object.entries(m).find(([, v]) => !Number.isFinite(v))
    if (bad) this.report(out, 'divergence', step, step, `${bad[0]} = ${bad[1]} at step ${step}`)
    if (this.opts.gan === 'vanilla' || this.opts.gan === 'lsgan') {
      const wins = m.dFake !== undefined && m.dReal !== undefined && m.dFake < DOMINANCE_MARGIN && m.dReal > 1 - DOMINANCE_MARGIN
      if (wins) {
        this.dominanceStart ??= step
        this.dominanceCount++
        if (this.dominanceCount >= this.opts.dominanceWindow) {
          this.report(
            out,
            'discriminator-dominates',
            this.dominanceStart,
            step,
            `D(G(z)) < ${DOMINANCE_MARGIN} and D(x) > ${1 - DOMINANCE_MARGIN} on ${this.dominanceCount} logged steps in a row since step ${this.dominanceStart} (now D(G(z)) = ${m.dFake!.toFixed(3)}, D(x) = ${m.dReal!.toFixed(3)})`,
          )
        }
      } else {
        this.dominanceStart = null
        this.dominanceCount = 0
      }
    }
    if (m.gLoss !== undefined && Number.isFinite(m.gLoss)) {
      this.gLoss.push({ step, value: m.gLoss })
      if (this.gLoss.length > this.opts.oscillationWindow) this.gLoss.shift()
      const swing = oscillation(this.gLoss.map((p) => p.value))
      if (swing) this.report(out, 'oscillation', this.gLoss[0]!.step, step, swing)
    }
    return out
  }

  /**
   * Per epoch: `diversity` is the mean pairwise distance of a fixed-z batch of samples divided by
   * that of real data (1 ≈ as spread out as the data). The first epoch is skipped: a freshly
   * initialised G maps every z near one point.
   */
  observeEpoch(step: number, epoch: number, m: Record<string, number>): Diagnosis[] {
    const out: Diagnosis[] = []
    if (epoch <= 1 || m.diversity === undefined) return out
    const modes =
      m.modesCaptured === undefined
        ? ''
        : `; ${m.modesCaptured}${this.opts.modes !== undefined ? ` of ${this.opts.modes}` : ''} modes captured`
    const evidence = (relation: string, epochs: number) =>
      `sample diversity ${m.diversity!.toFixed(2)} of the real data's (${relation} ${COLLAPSE_DIVERSITY}) for ${epochs} epochs in a row${modes}`
    if (m.diversity < COLLAPSE_DIVERSITY) {
      this.collapseStart ??= step
      this.collapseCount++
      this.recoveryStart = null
      this.recoveryCount = 0
      if (this.collapseCount >= this.opts.collapseEpochs) {
        const reported = this.report(out, 'mode-collapse', this.collapseStart, step, evidence('below', this.collapseCount))
        if (reported) this.collapse = reported
        else if (this.collapse?.recovered) {
          // Over, and collapsed again: the same diagnosis, its mark taken off.
          this.collapse = { ...this.collapse, recovered: null }
          out.push(this.collapse)
        }
      }
    } else {
      this.collapseStart = null
      this.collapseCount = 0
      const modesBack = this.opts.modes === undefined || m.modesCaptured === undefined || m.modesCaptured >= this.opts.modes
      if (!modesBack) {
        this.recoveryStart = null
        this.recoveryCount = 0
      } else if (this.collapse && !this.collapse.recovered) {
        this.recoveryStart ??= step
        this.recoveryCount++
        if (this.recoveryCount >= this.opts.collapseEpochs) {
          const recovered = { step: this.recoveryStart, detectedAt: step, evidence: evidence('at or above', this.recoveryCount) }
          this.collapse = { ...this.collapse, recovered }
          out.push(this.collapse)
        }
      }
    }
    return out
  }

  /**
   * A resumed run goes on from what its registry holds (after the resume's truncate): each kind
   * stored is reported already, and a mode collapse not marked over can still end.
   */
  resumeFrom(stored: Diagnosis[]): void {
    for (const d of stored) {
      this.reported.add(d.kind)
      if (d.kind === 'mode-collapse') this.collapse = d
    }
  }

  private report(out: Diagnosis[], kind: DiagnosisKind, step: number, detectedAt: number, evidence: string): Diagnosis | null {
    if (this.reported.has(kind)) return null
    this.reported.add(kind)
    const d = describeDiagnosis(kind, step, detectedAt, evidence)
    out.push(d)
    return d
  }
}

/**
 * Large slow swings: the series' window, smoothed over sixths, alternates direction at least
 * three times and each swing is larger than twice the noise within the sixths. Returns the
 * evidence, or null.
 */
export function oscillation(values: number[]): string | null {
  const parts = 6
  if (values.length < 30) return null
  const size = Math.floor(values.length / parts)
  const means: number[] = []
  let noise = 0
  for (let p = 0; p < parts; p++) {
    const chunk = values.slice(p * size, (p + 1) * size)
    const mean = chunk.reduce((a, b) => a + b, 0) / chunk.length
    means.push(mean)
    noise += Math.sqrt(chunk.reduce((a, b) => a + (b - mean) ** 2, 0) / chunk.length)
  }
  noise /= parts
  const steps = means.slice(1).map((m, i) => m - means[i]!)
  const big = steps.every((d) => Math.abs(d) > 2 * noise && Math.abs(d) > 1e-6)
  const turns = steps.slice(1).filter((d, i) => Math.sign(d) !== Math.sign(steps[i]!)).length
  if (!big || turns < 3) return null
  const amplitude = Math.max(...means) - Math.min(...means)
  return `G's loss swings by ${amplitude.toFixed(3)} between smoothed segments, changing direction ${turns} times over ${values.length} logged steps`
}
