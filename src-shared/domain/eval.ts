/** What `eval` (and the run page's Evaluate) reports about a run's generator at its last checkpoint. */
import type { ModeProtocolResult } from '../metrics/mode-protocols'

/** The modes a point run's samples were scored against, and where they came from. */
export interface EvalModes {
  centres: [number, number][]
  std: number
  from: string
}

/** One definition of mode coverage, its numbers, and what it means. */
export interface EvalModeProtocol extends ModeProtocolResult {
  label: string
  definition: string
}

/** D's calls on real and generated samples: real called real / fake, generated called fake / real. */
export interface DConfusion {
  truePositives: number
  falseNegatives: number
  trueNegatives: number
  falsePositives: number
  accuracy: number
  dRealMean: number
  dFakeMean: number
}

export interface EvalReport {
  runId: number
  step: number
  samples: number
  seed: number
  /** What the image metrics were measured with (absent for 2D runs). */
  classifier?: { dataset: string; testAccuracy: number; featureDim: number }
  metrics: Record<string, number>
  /** Generated vs data class shares (image runs). */
  classHistogram?: { generated: number[]; data: number[] }
  /** Class-conditional models: per class, the share of samples drawn for it that the classifier calls it. */
  perClassAccuracy?: (number | null)[]
  /** D's calls on the real and generated samples (null where D cannot be judged alone). */
  discriminator?: DConfusion | null
  /** Point runs with known modes: the modes, and coverage under each labelled definition (the papers' first). */
  modes?: EvalModes
  modeProtocols?: EvalModeProtocol[]
  /** What each metric means, keyed as in `metrics` (where a definition matters for comparing with papers). */
  definitions?: Record<string, string>
  notes: string[]
}
