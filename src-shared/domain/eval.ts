/** What `eval` (and the run page's Evaluate) reports about a run's generator at its last checkpoint. */

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
  notes: string[]
}
