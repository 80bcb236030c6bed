/**
 * BlurPooling2D (Zhang 2019, "Making Convolutional Networks Shift-Invariant Again"): a fixed
 * [1, 3, 3, 1]/8 binomial blur in both directions, with reflected edges, then every second pixel.
 * The blur is three 2×2 box filters in a row ([1, 1] * [1, 1] * [1, 1] = [1, 3, 3, 1]), the last
 * one taking stride 2: average pooling has a gradient in every backend (the wasm backend has no
 * depthwise-convolution gradient). No weights.
 */
import * as tf from '@tensorflow/tfjs'

/** [b, h, w, c] → [b, ⌈h/2⌉, ⌈w/2⌉, c]. */
export function blurPool(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape
    // Reflect 1 on each side, and 1 more at the far side of an odd length, so the output is ⌈n/2⌉ and centred.
    const padded = tf.mirrorPad(
      x,
      [
        [0, 0],
        [1, 1 + (h % 2)],
        [1, 1 + (w % 2)],
        [0, 0],
      ],
      'reflect',
    )
    const once = tf.avgPool(padded, 2, 1, 'valid')
    const twice = tf.avgPool(once, 2, 1, 'valid')
    return tf.avgPool(twice, 2, 2, 'valid')
  })
}

export class BlurPooling2D extends tf.layers.Layer {
  static readonly className = 'GanWorkbenchBlurPooling2D'

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape
    return [s[0]!, Math.ceil(s[1]! / 2), Math.ceil(s[2]! / 2), s[3]!]
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return blurPool((Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D)
  }
}

tf.serialization.registerClass(BlurPooling2D)
