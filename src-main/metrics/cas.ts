/**
 * Classification Accuracy Score (Ravuri & Vinyals 2019): train the evaluation classifier's
 * architecture on generated images only (labelled with the class they were drawn for), test it
 * on the real held-out images; beside it, the same classifier trained on the same number of real
 * training images. A generator that captured the classes well comes close to the real baseline.
 */
import * as tf from '@tensorflow/tfjs'
import { validateExperiment } from '../../src-shared/config/validate'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { TO_TANH_RANGE, type ImageDataset } from '../datasets/image-datasets'
import { buildClassifier } from '../scoring/classifier'
import { fitSeeded } from '../util/seeded-fit'
import { classifierSplits, CLASSIFIER_DATASETS, type ClassifierDataset } from '../scoring/classifier-data'
import { synthesize } from './labelled-samples'

export interface CasReport {
  runId: number
  samples: number
  epochs: number
  /** Test accuracy of the classifier trained on generated data. */
  cas: number
  /** Test accuracy of the same classifier trained on as many real images. */
  realBaseline: number
  testCount: number
}

async function fitAndTest(images: Float32Array, labels: Uint8Array, test: ImageDataset, epochs: number, seed: number): Promise<number> {
  const model = buildClassifier(seed)
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] })
  const x = tf.tensor4d(images, [labels.length, 28, 28, 1])
  const y = tf.tensor1d(Float32Array.from(labels))
  await fitSeeded(model, x, y, { epochs, batchSize: 64, seed })
  const tx = tf.tensor4d(
    Float32Array.from(test.images, (p) => TO_TANH_RANGE[p]!),
    [test.count, 28, 28, 1],
  )
  const predicted = tf.tidy(() => (model.predict(tx) as tf.Tensor).argMax(1).dataSync())
  const right = Array.from(predicted).reduce((n: number, p, i) => n + (p === test.labels[i] ? 1 : 0), 0)
  tf.dispose([x, y, tx])
  model.dispose()
  return right / test.count
}

export async function classificationAccuracyScore(
  registry: Registry,
  runId: number,
  options: { samples?: number; epochs?: number } = {},
): Promise<CasReport> {
  const { config } = validateExperiment(registry.getRun(runId).config)
  if (config.conditioning !== 'acgan' && config.conditioning !== 'cgan') {
    throw new ConflictError(`run ${runId} is not class-conditional (cGAN or AC-GAN): its samples have no requested labels to train on`)
  }
  const name = config.dataset.kind === 'image' ? config.dataset.name : undefined
  if (!name || !(CLASSIFIER_DATASETS as readonly string[]).includes(name))
    throw new ConflictError(`CAS needs a built-in dataset (${CLASSIFIER_DATASETS.join(', ')}) for its real test images`)
  const n = options.samples ?? 5000
  const epochs = options.epochs ?? 3
  const { pixels, labels } = await synthesize(registry, runId, n, 0)
  return { runId, ...(await casFromSamples(pixels, labels, name as ClassifierDataset, epochs)) }
}

/**
 * CAS of any labelled images (uint8 pixels, [n, 28, 28]): the classifier trained on them, tested
 * on the real test split, beside the same classifier trained on as many real training images.
 */
export async function casFromSamples(
  pixels: Uint8Array,
  labels: Uint8Array,
  dataset: ClassifierDataset,
  epochs: number,
): Promise<Omit<CasReport, 'runId'>> {
  const { train, test } = classifierSplits(dataset)
  const n = labels.length
  const cas = await fitAndTest(
    Float32Array.from(pixels, (p) => TO_TANH_RANGE[p]!),
    labels,
    test,
    epochs,
    11,
  )
  const count = Math.min(n, train.count)
  const real = await fitAndTest(
    Float32Array.from(train.images.subarray(0, count * 784), (p) => TO_TANH_RANGE[p]!),
    train.labels.slice(0, count),
    test,
    epochs,
    11,
  )
  return { samples: n, epochs, cas, realBaseline: real, testCount: test.count }
}
