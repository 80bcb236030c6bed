/**
 * `eval --samples-file FILE --dataset NAME`: another program's generated images (a PyTorch
 * rebuild's, say) scored exactly as `eval` scores a run's: in the dataset's evaluation-classifier
 * feature space against the same held-out test images. Files: NumPy .npy (uint8 pixels, or floats
 * in [-1, 1], or in the range given) or IDX images (raw or gzipped), 28×28 grey.
 */
import fs from 'node:fs'
import type { EvalReport } from '../../src-shared/domain/eval'
import { DatasetError, readIdxFile } from '../datasets/idx'
import { readNpyFile, type NpyArray } from '../datasets/npy'
import { TO_TANH_RANGE } from '../datasets/image-datasets'
import { CLASSIFIER_DATASETS, type ClassifierDataset } from '../scoring/classifier-data'
import { scoreImages } from './image-scoring'
import { hostBackendOnce } from '../training/backend'

/** At most this many samples are scored (as `eval --samples`). */
export const MAX_EXTERNAL_SAMPLES = 10_000
export const MIN_EXTERNAL_SAMPLES = 50

export interface ExternalEvalReport extends Omit<EvalReport, 'runId' | 'step' | 'seed'> {
  file: string
  format: 'npy' | 'idx'
  /** The DCGAN reproductions' "classes recognisably present", so a peer's samples are judged as ours are. */
  classesPresent: number
}

const IMAGE_SHAPES = '(n, 28, 28), (n, 28, 28, 1), (n, 1, 28, 28) or (n, 784)'

function isNpy(file: string): boolean {
  const fd = fs.openSync(file, 'r')
  try {
    const head = Buffer.alloc(6)
    fs.readSync(fd, head, 0, 6, 0)
    return head.equals(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]))
  } finally {
    fs.closeSync(fd)
  }
}

/** n images of 784 values in [-1, 1], from whatever the file holds. */
function imagesFrom(array: NpyArray, file: string, range: [number, number]): { images: Float32Array; count: number } {
  const [n, ...rest] = array.shape
  const per = rest.reduce((a, b) => a * b, 1)
  const fits = rest.length > 0 && per === 784 && (rest.length === 1 || rest.every((d) => d === 28 || d === 1))
  if (n === undefined || !fits)
    throw new DatasetError(`${file}: expected 28×28 grey images of shape ${IMAGE_SHAPES}, got (${array.shape.join(', ')})`)
  if (array.dtype === 'uint8') return { images: Float32Array.from(array.data, (p) => TO_TANH_RANGE[p]!), count: n }
  if (array.dtype !== 'float32' && array.dtype !== 'float64')
    throw new DatasetError(`${file}: images must be uint8 pixels or floats, got ${array.dtype}`)
  const [lo, hi] = range
  let min = Infinity
  let max = -Infinity
  for (const v of array.data) {
    if (!Number.isFinite(v)) throw new DatasetError(`${file}: holds a non-finite value (${v})`)
    if (v < min) min = v
    if (v > max) max = v
  }
  const slack = 1e-3 * (hi - lo)
  if (min < lo - slack || max > hi + slack) {
    throw new DatasetError(
      `${file}: values run from ${min.toPrecision(4)} to ${max.toPrecision(4)}, outside the range [${lo}, ${hi}]: give --range for floats in another range (e.g. 0,1), or save uint8 pixels`,
    )
  }
  return { images: Float32Array.from(array.data, (v) => (2 * (v - lo)) / (hi - lo) - 1), count: n }
}

function labelsFrom(file: string, count: number): number[] {
  const values = isNpy(file)
    ? readNpyFile(file)
    : (() => {
        const idx = readIdxFile(file, 1)
        return { shape: idx.dims, data: idx.data, dtype: 'uint8' as const }
      })()
  if (values.shape.length !== 1 || values.shape[0]! < count)
    throw new DatasetError(`${file}: expected ${count} class labels in one dimension, got shape (${values.shape.join(', ')})`)
  const labels = Array.from(values.data.subarray(0, count), Number)
  const bad = labels.find((l) => !Number.isInteger(l) || l < 0 || l > 9)
  if (bad !== undefined) throw new DatasetError(`${file}: labels must be classes 0 to 9, found ${bad}`)
  return labels
}

export async function evaluateSamplesFile(
  file: string,
  dataset: string,
  options: { range?: [number, number]; labels?: string } = {},
): Promise<ExternalEvalReport> {
  if (!(CLASSIFIER_DATASETS as readonly string[]).includes(dataset))
    throw new DatasetError(`no evaluation classifier for "${dataset}" (built in for ${CLASSIFIER_DATASETS.join(', ')})`)
  if (!fs.existsSync(file)) throw new DatasetError(`${file}: no such file`)
  const npy = isNpy(file)
  const array: NpyArray = npy
    ? readNpyFile(file)
    : (() => {
        const idx = readIdxFile(file)
        return { shape: idx.dims, data: idx.data, dtype: 'uint8' as const }
      })()
  const { images, count: total } = imagesFrom(array, file, options.range ?? [-1, 1])
  // The host's backend (wasm here), not tfjs' cpu fallback: faster, and no banner telling the user
  // to install tfjs-node.
  await hostBackendOnce()
  if (total < MIN_EXTERNAL_SAMPLES)
    throw new DatasetError(`${file}: ${total} images; at least ${MIN_EXTERNAL_SAMPLES} are needed for the statistics to mean anything`)
  const count = Math.min(total, MAX_EXTERNAL_SAMPLES)
  const notes: string[] = []
  if (total > count) notes.push(`the first ${count.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} images were scored`)
  const labels = options.labels ? labelsFrom(options.labels, count) : undefined
  const score = await scoreImages(images.subarray(0, count * 784), count, dataset as ClassifierDataset, labels)
  if (!score) throw new DatasetError(`the ${dataset} evaluation classifier is missing (npm run train-classifiers)`)
  return {
    file,
    format: npy ? 'npy' : 'idx',
    samples: count,
    metrics: score.metrics,
    classHistogram: score.classHistogram,
    ...(score.perClassAccuracy ? { perClassAccuracy: score.perClassAccuracy } : {}),
    classifier: score.classifier,
    classesPresent: score.metrics.classesPresent!,
    notes,
  }
}
