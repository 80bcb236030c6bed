/**
 * Random translation of the images D sees (DiffAugment's `translation`, Zhao et al. 2020): each
 * image of a batch is shifted by its own whole number of pixels in [−n, n] along each axis, with
 * reflected edges. Real and generated images alike, so D cannot tell them apart by the shift, and
 * differentiable (two gathers), so G learns through it. Tried against the AC-GAN Fashion-MNIST
 * stripes, it made them worse (docs/presets.md).
 */
import * as tf from '@tensorflow/tfjs'

/** [b, h, w, c] → the same shape, image i shifted by (dy_i, dx_i) drawn from `seed`; n = 0 is the identity. */
export function randomTranslate(x: tf.Tensor4D, maxShift: number, seed: number): tf.Tensor4D {
  if (maxShift <= 0) return x
  const [b, h, w, c] = x.shape
  if (maxShift >= Math.min(h, w)) throw new Error(`a shift of ${maxShift} pixels does not fit a ${h}×${w} image`)
  const offsets = (salt: number) => tf.randomUniform([b, 1], 0, 2 * maxShift + 1, 'int32', seed + salt) as tf.Tensor2D
  return tf.tidy(() => {
    const n = maxShift
    const padded = tf.mirrorPad(
      x,
      [
        [0, 0],
        [n, n],
        [n, n],
        [0, 0],
      ],
      'reflect',
    )
    const [ph, pw] = [h + 2 * n, w + 2 * n]
    // Row r of output image i is row r + dy_i of its padded image: one gather over all images' rows.
    const rows = (len: number, stride: number, shift: tf.Tensor2D) =>
      tf
        .add(
          tf.add(
            tf.mul(tf.range(0, b, 1, 'int32').reshape([b, 1]), tf.scalar(stride, 'int32')),
            tf.range(0, len, 1, 'int32').reshape([1, len]),
          ),
          shift,
        )
        .reshape([b * len])
    const byRow = tf.gather(padded.reshape([b * ph, pw, c]), rows(h, ph, offsets(0))).reshape([b, h, pw, c])
    // Then the columns, the same way on the transposed images.
    const cols = tf.transpose(byRow, [0, 2, 1, 3]).reshape([b * pw, h, c])
    const byCol = tf.gather(cols, rows(w, pw, offsets(1))).reshape([b, w, h, c])
    return tf.transpose(byCol, [0, 2, 1, 3]) as tf.Tensor4D
  })
}
