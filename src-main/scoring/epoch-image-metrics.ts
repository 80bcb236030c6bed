/**
 * Image metrics at the end of every epoch, on a fixed z sample of fixed size (training.evalSamples):
 * the same Fréchet distance, IS-style score, precision/recall, class balance, classes present and
 * label accuracy as `eval`, in the evaluation classifier's feature space, against the dataset's
 * held-out images (embedded once per run). Only for datasets with a shipped classifier.
 */
import { fixedPatternEnergy } from '../../src-shared/metrics/fixed-pattern'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { imageQuality } from '../../src-shared/metrics/image-metrics'
import { TO_TANH_RANGE } from '../datasets/image-datasets'
import { loadClassifier } from './classifier'
import { classifierSplits, CLASSIFIER_DATASETS, type ClassifierDataset } from './classifier-data'

/** The built-in dataset whose classifier and test images measure a run's samples, if any. */
export function classifierDatasetOf(config: Pick<ExperimentConfig, 'dataset'>): ClassifierDataset | null {
  const ds = config.dataset
  const name =
    ds.kind === 'image'
      ? ds.name
      : (ds.kind === 'paired' || ds.kind === 'unpaired') && ds.task
        ? ds.task === 'mnist-edges'
          ? 'mnist'
          : 'fashion-mnist'
        : null
  return name && (CLASSIFIER_DATASETS as readonly string[]).includes(name) ? (name as ClassifierDataset) : null
}

export interface EpochImageEval {
  measure(): Promise<Record<string, number>>
  dispose(): void
}

export async function createEpochImageEval(
  config: ExperimentConfig,
  generate: (n: number) => Promise<Float32Array>,
): Promise<EpochImageEval | null> {
  const n = config.training.evalSamples
  const name = classifierDatasetOf(config)
  if (n === 0 || !name) return null
  const classifier = await loadClassifier(name)
  if (!classifier) return null
  const test = classifierSplits(name).test
  const count = Math.min(n, test.count)
  const realImages = Float32Array.from(test.images.subarray(0, count * 784), (p) => TO_TANH_RANGE[p]!)
  const real = await classifier.embed(realImages, count)
  const realPattern = fixedPatternEnergy(realImages, count, 28, 28)
  const labels = config.conditioning === 'acgan' || config.conditioning === 'cgan' ? Array.from({ length: n }, (_, i) => i % 10) : undefined
  return {
    measure: async () => {
      const images = await generate(n)
      return {
        ...imageQuality(real, await classifier.embed(images, n), 128, 10, labels).metrics,
        fixedPattern: fixedPatternEnergy(images, n, 28, 28) / realPattern,
        imageEvalSamples: n,
      }
    },
    dispose: () => classifier.dispose(),
  }
}
