/**
 * What the training loop (train-run.ts) needs of a GAN family: a step, samples, previews and its
 * checkpoint state. VanillaGan covers every family with one G and one D (vanilla, LSGAN, WGAN,
 * cGAN, AC-GAN, InfoGAN, pix2pix, unrolled); CycleGan has two of each. Types only: the families
 * implement it and create-gan.ts picks one.
 */
import type { TensorGroups } from './checkpoint'
import type { QuietStepMetrics, StepMetrics } from './step-metrics'

export interface GanModel {
  /** One iteration; scalar tensors the caller reads (and disposes). `report` false: only the losses are needed. */
  trainStep(step: number, progress: number, report?: boolean): StepMetrics | QuietStepMetrics
  /** n samples for a fixed seed, flat (translators: translations of n source images). */
  generate(n: number, seed: number): Promise<Float32Array>
  /** A grid drawn row by row (a class × z grid, translation rows), or undefined for a plain 8×8 grid. */
  previewRows(columns: number, seed: number): { rows: number; draw: () => Promise<Float32Array> } | undefined
  /**
   * D's output at 2D points (flat [x0, y0, …]), for the decision surface of point runs; absent or
   * undefined when D also reads something besides the sample (a label, a condition image).
   */
  discriminatePoints?(points: Float32Array): Promise<{ values: Float32Array; kind: 'probability' | 'score' } | undefined>
  /** At every epoch's end, before its metrics and samples: readies the generator they come from (weight averaging's statistics). */
  settleAverage?(): void
  /** Family-specific metrics measured once per epoch. */
  epochMetrics(): Promise<Record<string, number>>
  /** Weights and optimizer state, by group ('generator' is always the exported generator). */
  checkpointGroups(): Promise<TensorGroups>
  /** Restores what checkpointGroups saved (the caller disposes the tensors). */
  restoreCheckpoint(groups: TensorGroups): Promise<void>
  dispose(): void
}
