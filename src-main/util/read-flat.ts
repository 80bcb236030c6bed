import type * as tf from '@tensorflow/tfjs'

/**
 * Reads a tensor's values and frees it. Asynchronous on purpose: the WebGPU backend cannot read
 * synchronously in Node (its readSync needs an OffscreenCanvas), so the trainer never uses dataSync.
 */
export async function readFlat(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array
  } finally {
    t.dispose()
  }
}
