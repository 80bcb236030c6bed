/**
 * Transfer from a GAN's discriminator (lecture 9b): for each label budget (e.g. 10 / 100 / 1,000
 * images per class), a classifier made of D's feature layers plus a new 10-way softmax head is
 * trained from D's weights (fine-tuned, or only the head with `freeze`), and the same network from
 * a random initialisation beside it, on the same images with the same number of gradient steps;
 * both are tested on the dataset's held-out real test split.
 */
import * as tf from '@tensorflow/tfjs'
import type { TransferOptions, TransferResults, TransferRow } from '../../src-shared/domain/transfer'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { buildModel } from '../training/models'
import { mixSeed } from '../../src-shared/util/seeds'
import { fitSeeded } from '../util/seeded-fit'
import { TO_TANH_RANGE, type ImageDataset } from '../datasets/image-datasets'
import { classifierSplits, CLASSIFIER_DATASETS, type ClassifierDataset } from '../scoring/classifier-data'
import { assertImageOnlyDiscriminator, loadFeatureExtractor, type FeatureExtractor } from '../model-io/d-features'
import type { ExperimentConfig } from '../../src-shared/config/experiment'

/** 500 per class fits the built-in MNIST's 8,000 training digits (about 800 per class). */
export const DEFAULT_TRANSFER: TransferOptions = {
  labelsPerClass: [10, 100, 500],
  steps: 300,
  batchSize: 32,
  learningRate: 1e-3,
  freeze: false,
  seed: 7,
}

export interface TransferProgress {
  labelsPerClass: number
  model: 'transfer' | 'scratch'
  /** Classifiers finished, of `total`. */
  done: number
  total: number
}

/** The first `perClass` images of each class in a seeded shuffle of the train split. */
export function pickLabelled(train: ImageDataset, perClass: number, seed: number): number[] {
  const order = Array.from({ length: train.count }, (_, i) => i)
  let s = seed >>> 0 || 1
  for (let i = order.length - 1; i > 0; i--) {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    const j = s % (i + 1)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const taken = new Map<number, number>()
  const picked: number[] = []
  for (const i of order) {
    const label = train.labels[i]!
    if ((taken.get(label) ?? 0) < perClass) {
      taken.set(label, (taken.get(label) ?? 0) + 1)
      picked.push(i)
    }
  }
  return picked
}

function imagesOf(d: ImageDataset, indices: number[]): tf.Tensor4D {
  const px = d.height * d.width * d.channels
  const values = new Float32Array(indices.length * px)
  indices.forEach((idx, k) => {
    for (let p = 0; p < px; p++) values[k * px + p] = TO_TANH_RANGE[d.images[idx * px + p]!]!
  })
  return tf.tensor4d(values, [indices.length, d.height, d.width, d.channels])
}

/**
 * Disposes every layer of models that share layers (D, its feature view, a classifier on top):
 * LayersModel.dispose() on each would dispose the shared layers twice and throw.
 */
function disposeShared(...models: tf.LayersModel[]): void {
  for (const layer of new Set(models.flatMap((m) => m.layers))) {
    try {
      while (layer.dispose().refCountAfterDispose > 0) {
        // one reference per model that applied it
      }
    } catch {
      // already disposed through another model
    }
  }
}

/**
 * The fine-tuned model: D's feature layers with the checkpoint's weights (trainable unless
 * `freeze`) and a new head. Starting from D's weights is the point of the experiment (tested).
 */
export function fromDiscriminator(pretrained: FeatureExtractor, options: Pick<TransferOptions, 'freeze' | 'seed'>): tf.LayersModel {
  pretrained.extractor.layers.forEach((l) => (l.trainable = !options.freeze))
  return classifierOn(pretrained.extractor, options.seed)
}

/** The baseline: the same architecture from a random initialisation (its own seed per budget), all of it trained. */
export function fromScratch(
  config: ExperimentConfig,
  options: Pick<TransferOptions, 'seed'>,
  perClass: number,
): { model: tf.LayersModel; body: tf.LayersModel } {
  const body = buildModel(config.discriminator, { prefix: 'd', seed: mixSeed(options.seed, 1000 + perClass), featureOutput: true })
  return { model: classifierOn(tf.model({ inputs: body.inputs, outputs: body.outputs.at(-1)! }), options.seed), body }
}

/** D's feature layers (as given) + flatten + a 10-way softmax head. */
function classifierOn(features: tf.LayersModel, seed: number): tf.LayersModel {
  let x = features.outputs[0]!
  if (x.shape.length > 2) x = tf.layers.flatten({ name: 'transfer_flatten' }).apply(x) as tf.SymbolicTensor
  const out = tf.layers
    .dense({ name: 'transfer_head', units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    .apply(x) as tf.SymbolicTensor
  return tf.model({ inputs: features.inputs, outputs: out })
}

async function fitAndTest(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  test: { x: tf.Tensor4D; labels: Uint8Array },
  o: TransferOptions,
): Promise<number> {
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'sparseCategoricalCrossentropy' })
  const batchesPerEpoch = Math.ceil(x.shape[0] / o.batchSize)
  // A fixed number of gradient steps whatever the label count: only the data differs between rows.
  await fitSeeded(model, x, y, { batchSize: o.batchSize, epochs: Math.max(1, Math.round(o.steps / batchesPerEpoch)), seed: o.seed })
  let right = 0
  for (let at = 0; at < test.labels.length; at += 500) {
    const n = Math.min(500, test.labels.length - at)
    const predicted = tf.tidy(() => (model.predict(test.x.slice([at, 0, 0, 0], [n, -1, -1, -1])) as tf.Tensor).argMax(1).dataSync())
    for (let i = 0; i < n; i++) if (predicted[i] === test.labels[at + i]) right++
  }
  return right / test.labels.length
}

/**
 * The labelled dataset a run's transfer experiment uses. Refuses, before anything is recorded, runs
 * that have none, whose D needs more than an image, or label budgets the data cannot fill.
 */
export function transferDataset(registry: Registry, runId: number, labelsPerClass: number[]): ClassifierDataset {
  const config = registry.getRun(runId).config
  const name = config.dataset.kind === 'image' ? config.dataset.name : undefined
  if (!name || !(CLASSIFIER_DATASETS as readonly string[]).includes(name)) {
    throw new ConflictError(
      `transfer needs a GAN trained on a built-in labelled dataset (${CLASSIFIER_DATASETS.join(', ')}); run ${runId} trains on ${config.dataset.kind === 'image' ? config.dataset.name : config.dataset.kind}`,
    )
  }
  assertImageOnlyDiscriminator(config)
  const { train } = classifierSplits(name as ClassifierDataset)
  const fewest = Math.min(...Array.from({ length: 10 }, (_, c) => train.labels.filter((l) => l === c).length))
  for (const n of labelsPerClass) {
    if (n > fewest)
      throw new ConflictError(`${n} labels per class is more than ${name}'s training split has of its rarest class (${fewest} images)`)
  }
  return name as ClassifierDataset
}

export async function runTransfer(
  registry: Registry,
  runId: number,
  options: TransferOptions,
  progress: (p: TransferProgress) => void = () => {},
  step?: number,
): Promise<{ checkpointStep: number; results: TransferResults }> {
  const config = registry.getRun(runId).config
  const name = transferDataset(registry, runId, options.labelsPerClass)
  const { train, test } = classifierSplits(name)
  // The first row loads the requested (or latest) checkpoint; later rows reload that same one.
  let checkpointStep = step
  let featureShape: number[] = []
  const testX = imagesOf(
    test,
    Array.from({ length: test.count }, (_, i) => i),
  )
  const rows: TransferRow[] = []
  const total = options.labelsPerClass.length * 2
  try {
    for (const [k, perClass] of options.labelsPerClass.entries()) {
      const picked = pickLabelled(train, perClass, mixSeed(options.seed, perClass))
      const x = imagesOf(train, picked)
      const y = tf.tensor1d(Float32Array.from(picked, (i) => train.labels[i]!))
      try {
        // From D's weights (a fresh head each time, so rows do not share what earlier ones learnt).
        const pretrained = await loadFeatureExtractor(registry, runId, checkpointStep)
        checkpointStep = pretrained.checkpoint.step
        featureShape = pretrained.featureShape
        const transferModel = fromDiscriminator(pretrained, options)
        const transfer = await fitAndTest(transferModel, x, y, { x: testX, labels: test.labels }, options)
        disposeShared(pretrained.model, transferModel)
        progress({ labelsPerClass: perClass, model: 'transfer', done: 2 * k + 1, total })
        const fresh = fromScratch(config, options, perClass)
        const scratch = await fitAndTest(fresh.model, x, y, { x: testX, labels: test.labels }, options)
        disposeShared(fresh.body, fresh.model)
        progress({ labelsPerClass: perClass, model: 'scratch', done: 2 * k + 2, total })
        rows.push({ labelsPerClass: perClass, trainCount: picked.length, transfer, scratch })
      } finally {
        tf.dispose([x, y])
      }
    }
    return { checkpointStep: checkpointStep!, results: { dataset: name, testCount: test.count, featureShape, rows } }
  } finally {
    testX.dispose()
  }
}
