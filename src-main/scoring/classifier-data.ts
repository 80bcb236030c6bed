/**
 * The data behind each built-in dataset's evaluation classifier: a train split to fit it and a test
 * split that is never trained on (it is also the real reference for Fréchet distance and
 * precision/recall). MNIST (the 10,000 built-in digits): the app's fixed shuffle, last 2,000 held
 * out; Fashion-MNIST: its standard 60,000 / 10,000 files.
 */
import { loadFashionMnist, type ImageDataset } from '../datasets/image-datasets'
import { loadImageDataset } from '../datasets/image-catalog'

export const CLASSIFIER_DATASETS = ['mnist', 'fashion-mnist'] as const
export type ClassifierDataset = (typeof CLASSIFIER_DATASETS)[number]

export const MNIST_TEST_COUNT = 2000

function slice(d: ImageDataset, from: number, to: number): ImageDataset {
  const px = d.height * d.width * d.channels
  return { ...d, count: to - from, images: d.images.subarray(from * px, to * px), labels: d.labels.subarray(from, to) }
}

export function classifierSplits(name: ClassifierDataset): { train: ImageDataset; test: ImageDataset } {
  if (name === 'fashion-mnist') return loadFashionMnist()
  const all = loadImageDataset({ kind: 'image', name: 'mnist' })
  return { train: slice(all, 0, all.count - MNIST_TEST_COUNT), test: slice(all, all.count - MNIST_TEST_COUNT, all.count) }
}
