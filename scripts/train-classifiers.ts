/**
 * `npm run train-classifiers`: fits the small CNN behind the image metrics for each built-in
 * dataset and writes it, with its measured test accuracy, to resources/classifiers/<dataset>/.
 * Deterministic for a given backend (seeded initialisers and batch order).
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../src-main/training/backend'
import { CLASSIFIER_DATASETS, classifierSplits, type ClassifierDataset } from '../src-main/scoring/classifier-data'
import { buildClassifier, CLASSIFIER_DIR, FEATURE_LAYER, imagesTensor, saveClassifier } from '../src-main/scoring/classifier'
import { datasetHash } from '../src-main/datasets/image-datasets'

const EPOCHS: Record<ClassifierDataset, number> = { mnist: 5, 'fashion-mnist': 2 }

async function train(name: ClassifierDataset): Promise<void> {
  const { train, test } = classifierSplits(name)
  const model = buildClassifier(7)
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] })
  const x = imagesTensor(train.images, train.count)
  const y = tf.tensor1d(Float32Array.from(train.labels))
  const started = Date.now()
  await model.fit(x, y, {
    epochs: EPOCHS[name],
    batchSize: 64,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochEnd: (epoch, logs) =>
        console.log(`${name}: epoch ${epoch + 1}/${EPOCHS[name]} loss ${logs?.loss?.toFixed(4)} accuracy ${logs?.acc?.toFixed(4)}`),
    },
  })
  const tx = imagesTensor(test.images, test.count)
  const predicted = tf.tidy(() => (model.predict(tx) as tf.Tensor).argMax(1).dataSync())
  const correct = Array.from(predicted).reduce((n: number, p, i) => n + (p === test.labels[i] ? 1 : 0), 0)
  const accuracy = correct / test.count
  console.log(
    `${name}: test accuracy ${(100 * accuracy).toFixed(2)} % on ${test.count} held-out images (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  )
  await saveClassifier(model, path.join(CLASSIFIER_DIR, name), {
    dataset: name,
    testAccuracy: accuracy,
    trainCount: train.count,
    testCount: test.count,
    epochs: EPOCHS[name],
    featureLayer: FEATURE_LAYER,
    trainSha256: datasetHash(train),
    testSha256: datasetHash(test),
    trainedAt: new Date().toISOString(),
  })
  tf.dispose([x, y, tx])
  model.dispose()
}

async function main(): Promise<void> {
  await selectBackend('auto', { convolutional: true })
  const only = process.argv.slice(2)
  for (const name of CLASSIFIER_DATASETS) if (only.length === 0 || only.includes(name)) await train(name)
  fs.mkdirSync(CLASSIFIER_DIR, { recursive: true })
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
