/**
 * Scores generated images in a built-in dataset's evaluation-classifier feature space, against
 * its held-out test images: the numbers `eval` reports for an image run, for samples from anywhere
 * (a run's generator, or another program's samples read from a file), so they compare.
 */
import { fixedPatternEnergy } from '../../src-shared/metrics/fixed-pattern'
import { diversityRatio } from '../../src-shared/metrics/diversity'
import { imageQuality, inceptionScore } from '../../src-shared/metrics/image-metrics'
import { TO_TANH_RANGE } from '../datasets/image-datasets'
import { loadClassifier } from '../scoring/classifier'
import { classifierSplits, type ClassifierDataset } from '../scoring/classifier-data'

export const FEATURE_DIM = 128

export interface ImageScore {
  metrics: Record<string, number>
  classHistogram: { generated: number[]; data: number[] }
  perClassAccuracy?: (number | null)[]
  classifier: { dataset: string; testAccuracy: number; featureDim: number }
  /** The real test images compared against, in [-1, 1]. */
  real: Float32Array
  /** The classifier's class probabilities of each generated image (n × 10). */
  probs: Float32Array
}

/**
 * n generated images (28×28, [-1, 1], flat) against min(n, test count) held-out test images;
 * `labels`: the class each was drawn for (label accuracy). Null when the dataset has no classifier.
 */
export async function scoreImages(
  generated: Float32Array,
  n: number,
  dataset: ClassifierDataset,
  labels?: ArrayLike<number>,
): Promise<ImageScore | null> {
  const classifier = await loadClassifier(dataset)
  if (!classifier) return null
  try {
    const test = classifierSplits(dataset).test
    const count = Math.min(n, test.count)
    const real = Float32Array.from(test.images.subarray(0, count * 784), (p) => TO_TANH_RANGE[p]!)
    const g = await classifier.embed(generated, n)
    const r = await classifier.embed(real, count)
    const q = imageQuality(r, g, FEATURE_DIM, 10, labels)
    const diverse = Math.min(n, count, 256)
    return {
      metrics: {
        ...q.metrics,
        inceptionScoreReal: inceptionScore(r.probs, 10),
        diversity: diversityRatio(generated.subarray(0, diverse * 784), real.subarray(0, diverse * 784), 784),
        // Pixel-scale texture every sample shares (stripes G draws everywhere), over the real images'.
        fixedPattern: fixedPatternEnergy(generated, n, 28, 28) / fixedPatternEnergy(real, count, 28, 28),
      },
      classHistogram: q.histograms,
      ...(q.perClassAccuracy ? { perClassAccuracy: q.perClassAccuracy } : {}),
      classifier: { dataset: classifier.meta.dataset, testAccuracy: classifier.meta.testAccuracy, featureDim: FEATURE_DIM },
      real,
      probs: g.probs,
    }
  } finally {
    classifier.dispose()
  }
}
