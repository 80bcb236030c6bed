/**
 * Ablations in one click: the settings a "twin run" can flip, each as the override that flips it
 * from a run's current config. A twin keeps everything else, the seed included, so the two runs
 * differ only in that setting.
 */
import type { ExperimentConfig } from './experiment'
import { specLayers } from '../model/spec'
import { isUpsamplingTransposedConv } from '../model/resize-conv'
import { secondOrderUnrolling } from './unroll-rules'

export interface TwinToggle {
  id: string
  label: string
  /** `key=value` overrides that flip the setting, given the current config. */
  overrides(config: ExperimentConfig): string[]
  /** The setting's current state, for the dialog. */
  current(config: ExperimentConfig): string
  applies(config: ExperimentConfig): boolean
}

const onOff = (v: boolean) => (v ? 'on' : 'off')

export const TWIN_TOGGLES: readonly TwinToggle[] = [
  {
    id: 'label-smoothing',
    label: 'One-sided label smoothing (0 ↔ 0.1)',
    overrides: (c) => [`tricks.labelSmoothing=${c.tricks.labelSmoothing > 0 ? 0 : 0.1}`],
    current: (c) => String(c.tricks.labelSmoothing),
    applies: (c) => c.gan === 'vanilla' || c.gan === 'lsgan',
  },
  {
    id: 'instance-noise',
    label: 'Instance noise (0 ↔ 0.1, decaying)',
    overrides: (c) => [`tricks.instanceNoise=${c.tricks.instanceNoise > 0 ? 0 : 0.1}`],
    current: (c) => String(c.tricks.instanceNoise),
    applies: (c) => !secondOrderUnrolling(c), // its look-ahead D sees the batches as they are
  },
  {
    id: 'generator-loss',
    label: 'Generator loss (minimax ↔ non-saturating)',
    overrides: (c) => [`loss.generator=${c.loss.generator === 'minimax' ? 'non-saturating' : 'minimax'}`],
    current: (c) => c.loss.generator,
    applies: (c) => c.gan === 'vanilla',
  },
  {
    id: 'feature-matching',
    label: 'Feature matching',
    overrides: (c) => [`tricks.featureMatching=${!c.tricks.featureMatching}`],
    current: (c) => onOff(c.tricks.featureMatching),
    applies: (c) => !secondOrderUnrolling(c), // G's loss is against the look-ahead D
  },
  {
    id: 'virtual-batch-norm',
    label: 'Virtual batch norm in G (0 ↔ 64 reference samples)',
    overrides: (c) => [`tricks.virtualBatchNorm=${c.tricks.virtualBatchNorm > 0 ? 0 : 64}`],
    current: (c) => String(c.tricks.virtualBatchNorm),
    applies: (c) => specLayers(c.generator).some((l) => l.type === 'batchNorm'),
  },
  {
    id: 'unrolled',
    label: 'Unrolled D (0 ↔ 5 look-ahead steps)',
    overrides: (c) => [`training.unrollSteps=${c.training.unrollSteps > 0 ? 0 : 5}`],
    current: (c) => String(c.training.unrollSteps),
    applies: () => true,
  },
  {
    id: 'd-steps',
    label: 'D steps per G step (k ↔ k + 1)',
    overrides: (c) => [`training.dSteps=${c.training.dSteps > 1 ? c.training.dSteps - 1 : 2}`],
    current: (c) => String(c.training.dSteps),
    applies: () => true,
  },
  {
    // One way only: once on, the config's generator is already rewritten (resize-conv.ts).
    id: 'resize-conv',
    label: 'Resize-convolution in G (instead of transposed convolutions)',
    overrides: () => ['tricks.resizeConv=true'],
    current: (c) => onOff(c.tricks.resizeConv),
    applies: (c) => !c.tricks.resizeConv && specLayers(c.generator).some(isUpsamplingTransposedConv),
  },
  {
    id: 'spherical-z',
    label: 'Spherical z',
    overrides: (c) => [`latent.spherical=${!c.latent.spherical}`],
    current: (c) => onOff(c.latent.spherical),
    applies: () => true,
  },
]

export const TWIN_TAG_PREFIX = 'twin-of:'
