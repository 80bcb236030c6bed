/**
 * The wasm UnsortedSegmentSum (src-main/training/wasm-segment-sum.ts), the gradient of gather and
 * so of Embedding layers, against tfjs' cpu kernel on random shapes and ids (out-of-range included).
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'

function segmentSum(backend: 'cpu' | 'wasm', values: number[], shape: number[], ids: number[], numSegments: number) {
  return tf.tidy(() => {
    tf.setBackend(backend)
    const out = tf.unsortedSegmentSum(tf.tensor(values, shape), tf.tensor1d(ids, 'int32'), numSegments)
    return { shape: out.shape, values: Array.from(out.dataSync()) }
  })
}

describe('wasm UnsortedSegmentSum', () => {
  beforeAll(async () => {
    await selectBackend('wasm')
    await tf.ready()
  })
  afterAll(async () => {
    await tf.setBackend('wasm')
  })

  it('matches the cpu kernel on random shapes and ids', async () => {
    await tf.setBackend('cpu') // initialise both before switching inside tidy
    await tf.setBackend('wasm')
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (rows, inner, numSegments, seed) => {
          let s = seed || 1
          const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32)
          const values = Array.from({ length: rows * inner }, () => next() - 0.5)
          const ids = Array.from({ length: rows }, () => Math.floor(next() * (numSegments + 1))) // numSegments itself is out of range: dropped
          const shape = [rows, inner]
          const cpu = segmentSum('cpu', values, shape, ids, numSegments)
          const wasm = segmentSum('wasm', values, shape, ids, numSegments)
          expect(wasm.shape).toEqual(cpu.shape)
          wasm.values.forEach((v, i) => expect(v).toBeCloseTo(cpu.values[i]!, 5))
        },
      ),
      { numRuns: 60, seed: 7 },
    )
  })

  it('lets an Embedding layer train on wasm (the gradient of gather)', async () => {
    await tf.setBackend('wasm')
    const emb = tf.layers.embedding({ inputDim: 4, outputDim: 3, embeddingsInitializer: 'ones' })
    const labels = tf.tensor2d([[0], [2], [2]])
    emb.apply(labels)
    const grads = tf.grads((w: tf.Tensor) => tf.sum(tf.gather(w, tf.tensor1d([0, 2, 2], 'int32'))))([emb.getWeights()[0]!])
    expect(Array.from(grads[0]!.dataSync())).toEqual([1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0])
    tf.dispose([labels, ...grads])
  })
})
