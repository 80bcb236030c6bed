/**
 * Learning-rate schedules: each step's learning rate is the configured one times a factor that
 * depends only on the step, so a resumed run takes exactly the rates an uninterrupted one would.
 *  - constant: 1 (the lecture models, and every preset that does not ask for a schedule);
 *  - linear: 1 − step/total, down to 1/total at the last step (a GAN's samples sharpen as the
 *    steps shrink: on PacGAN's ring the share of high-quality samples roughly doubles);
 *  - warm-up: the factor also ramps up linearly over the first `warmupSteps` steps.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig, OptimizerConfig } from '../../src-shared/config/experiment'

export type LrSchedule = Pick<ExperimentConfig['training'], 'lrSchedule' | 'warmupSteps'>

/** The factor for 0-based `step` of a run of `total` steps. */
export function learningRateFactor(schedule: LrSchedule, step: number, total: number): number {
  const warm = schedule.warmupSteps > 0 ? Math.min(1, (step + 1) / schedule.warmupSteps) : 1
  const decay = schedule.lrSchedule === 'linear' ? Math.max(0, 1 - step / total) : 1
  return warm * decay
}

/** Whether the schedule ever changes a rate (a constant one leaves the optimizers untouched). */
export function isScheduled(schedule: LrSchedule): boolean {
  return schedule.lrSchedule !== 'constant' || schedule.warmupSteps > 0
}

/**
 * Sets an optimizer's learning rate. SGD and momentum keep it as a scalar tensor (setLearningRate
 * replaces it); Adam (and the fused Adam) and RMSProp read the number on every update.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // Not `instanceof tf.SGDOptimizer`: tfjs answers that by duck typing, true for every optimizer.
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void }
  if (typeof o.setLearningRate !== 'function') o.learningRate = learningRate
  else if (o.learningRate !== learningRate) o.setLearningRate(learningRate)
}

/**
 * Gives each optimizer its configured rate times the schedule's factor for `step`; with no
 * schedule, does nothing (the optimizers keep the rate they were made with).
 */
export function scheduleLearningRates(
  training: ExperimentConfig['training'],
  step: number,
  optimizers: [tf.Optimizer | undefined, OptimizerConfig][],
): void {
  if (!isScheduled(training)) return
  const factor = learningRateFactor(training, step, training.epochs * training.stepsPerEpoch)
  for (const [optimizer, config] of optimizers) if (optimizer) setLearningRate(optimizer, config.learningRate * factor)
}
