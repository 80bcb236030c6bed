/**
 * The evaluation classifier of a built-in dataset: a small CNN (two 3×3 conv + pool blocks, a
 * 128-unit feature layer, a 10-way softmax) trained by scripts/train-classifiers.ts and shipped in
 * resources/classifiers/. Its feature layer is the space for the Fréchet distance and precision/
 * recall; its class probabilities give the Inception-Score-style score and class histograms.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import * as tf from '@tensorflow/tfjs'
import { toTfjsFiles, fromTfjsFiles, WEIGHTS_FILE } from '../util/tfjs-model'
import { writeFileAtomic } from '../util/atomic-fs'
import { readFlat } from '../util/read-flat'
import { TO_TANH_RANGE } from '../datasets/image-datasets'

/** out/main → ../../resources; src-main/metrics → ../../resources. */
export const CLASSIFIER_DIR = path.join(__dirname, '..', '..', 'resources', 'classifiers')
export const FEATURE_LAYER = 'features'

export interface ClassifierMeta {
  dataset: string
  testAccuracy: number
  trainCount: number
  testCount: number
  epochs: number
  featureLayer: string
  trainSha256: string
  testSha256: string
  trainedAt: string
  /** SHA-256 of each file of the classifier (model.json, weights.bin), so a changed file is caught. */
  files: Record<string, string>
}

export const CLASSIFIER_FILES = ['model.json', WEIGHTS_FILE] as const

export function sha256Hex(bytes: Uint8Array | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex')
}

export function buildClassifier(seed: number): tf.LayersModel {
  let s = seed
  const init = () => tf.initializers.glorotUniform({ seed: s++ })
  const input = tf.input({ shape: [28, 28, 1] })
  let x = tf.layers
    .conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() })
    .apply(input) as tf.SymbolicTensor
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor
  x = tf.layers
    .conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor
  const features = tf.layers
    .dense({ units: 128, activation: 'relu', name: FEATURE_LAYER, kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor
  const out = tf.layers
    .dense({ units: 10, activation: 'softmax', name: 'classes', kernelInitializer: init() })
    .apply(features) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: out })
}

/** uint8 images → [n, 28, 28, 1] in [-1, 1], the generators' range (so samples go in as they are). */
export function imagesTensor(images: Uint8Array, count: number): tf.Tensor4D {
  const values = new Float32Array(count * 784)
  for (let i = 0; i < values.length; i++) values[i] = TO_TANH_RANGE[images[i]!]!
  return tf.tensor4d(values, [count, 28, 28, 1])
}

export async function saveClassifier(model: tf.LayersModel, dir: string, meta: Omit<ClassifierMeta, 'files'>): Promise<void> {
  const files = await toTfjsFiles(model)
  fs.mkdirSync(dir, { recursive: true })
  writeFileAtomic(path.join(dir, 'model.json'), files.modelJson)
  writeFileAtomic(path.join(dir, WEIGHTS_FILE), files.weights)
  const hashes = { 'model.json': sha256Hex(files.modelJson), [WEIGHTS_FILE]: sha256Hex(files.weights) }
  writeFileAtomic(path.join(dir, 'meta.json'), `${JSON.stringify({ ...meta, files: hashes }, null, 2)}\n`)
}

export interface Classifier {
  meta: ClassifierMeta
  /**
   * Features (128-d) and class probabilities of [-1, 1] images, flat. Read asynchronously, so it
   * also works on a WebGPU backend (which cannot read synchronously in Node).
   */
  embed(images: Float32Array, count: number): Promise<{ features: Float32Array; probs: Float32Array }>
  dispose(): void
}

export async function loadClassifier(dataset: string): Promise<Classifier | null> {
  const dir = path.join(CLASSIFIER_DIR, dataset)
  if (!fs.existsSync(path.join(dir, 'meta.json'))) return null
  const model = await fromTfjsFiles({
    modelJson: fs.readFileSync(path.join(dir, 'model.json'), 'utf8'),
    weights: fs.readFileSync(path.join(dir, WEIGHTS_FILE)),
  })
  const both = tf.model({ inputs: model.inputs, outputs: [model.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor, model.outputs[0]!] })
  return {
    meta: JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ClassifierMeta,
    async embed(images, count) {
      const features = new Float32Array(count * 128)
      const probs = new Float32Array(count * 10)
      for (let at = 0; at < count; at += 500) {
        const n = Math.min(500, count - at)
        const [f, p] = tf.tidy(() => both.predict(tf.tensor4d(images.subarray(at * 784, (at + n) * 784), [n, 28, 28, 1])) as tf.Tensor[])
        features.set(await readFlat(f!), at * 128)
        probs.set(await readFlat(p!), at * 10)
      }
      return { features, probs }
    },
    dispose: () => model.dispose(),
  }
}
