/**
 * What a conditional generator is given besides z, and what D's second head is trained to recover:
 * a class label (cGAN, AC-GAN: [n, 1] class indices) or InfoGAN codes ([n, K + C]: a one-hot
 * categorical code of K values, then C continuous codes in U(−1, 1)). Training and sampling share it.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { datasetClasses, infoganCodes } from '../../src-shared/config/validate'

export interface Conditioner {
  kind: 'label' | 'code'
  /** Distinct values a grid shows one row each for: classes, or the categorical code's values. */
  rows: number
  /** A random condition for n generated samples. */
  random(n: number, seed: number): tf.Tensor2D
  /** The condition for given classes / categorical values (continuous codes 0, or `continuous`). */
  fixed(rows: ArrayLike<number>, continuous?: ArrayLike<number>): tf.Tensor2D
  /**
   * The auxiliary loss of D's second head given what it output and the condition used: class
   * cross-entropy (AC-GAN) or InfoGAN's mutual-information bound (categorical cross-entropy plus
   * weighted squared error of the continuous codes).
   */
  auxLoss(head: tf.Tensor, condition: tf.Tensor): tf.Scalar
  /** Share of samples whose class / categorical code the head gets right. */
  accuracy(head: tf.Tensor, condition: tf.Tensor): tf.Scalar
}

function labelConditioner(classes: number): Conditioner {
  const indices = (labels: tf.Tensor) => tf.cast(tf.reshape(labels, [-1]), 'int32') as tf.Tensor1D
  return {
    kind: 'label',
    rows: classes,
    random: (n, seed) => tf.minimum(tf.floor(tf.randomUniform([n, 1], 0, classes, 'float32', seed)), classes - 1) as tf.Tensor2D,
    fixed: (rows) => tf.tensor2d(Float32Array.from(rows), [rows.length, 1]),
    auxLoss: (logits, labels) => tf.losses.softmaxCrossEntropy(tf.oneHot(indices(labels), classes), logits) as tf.Scalar,
    accuracy: (logits, labels) => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), indices(labels)), 'float32')) as tf.Scalar,
  }
}

function codeConditioner(categorical: number, continuous: number, continuousWeight: number, categoricalWeight: number): Conditioner {
  // With no continuous codes the tensor is the categorical part whole: tf.split into one piece has
  // no gradient in tfjs (its backward pass concatenates an empty list).
  const split = (t: tf.Tensor) => (continuous > 0 ? (tf.split(t, [categorical, continuous], 1) as tf.Tensor2D[]) : [t as tf.Tensor2D])
  const join = (cat: tf.Tensor2D, cont: tf.Tensor2D | undefined) => (cont ? tf.concat([cat, cont], 1) : cat) as tf.Tensor2D
  return {
    kind: 'code',
    rows: categorical,
    random: (n, seed) => {
      const c = tf.cast(
        tf.minimum(tf.floor(tf.randomUniform([n], 0, categorical, 'float32', seed)), categorical - 1),
        'int32',
      ) as tf.Tensor1D
      const cat = tf.oneHot(c, categorical).toFloat() as tf.Tensor2D
      return join(cat, continuous > 0 ? tf.randomUniform([n, continuous], -1, 1, 'float32', seed + 1) : undefined)
    },
    fixed: (rows, values) => {
      const n = rows.length
      const cat = tf.oneHot(tf.tensor1d(Int32Array.from(rows), 'int32'), categorical).toFloat() as tf.Tensor2D
      const cont =
        continuous > 0
          ? tf.tensor2d(
              Float32Array.from({ length: n * continuous }, (_, i) => (values ? values[i]! : 0)),
              [n, continuous],
            )
          : undefined
      return join(cat, cont)
    },
    auxLoss: (q, code) => {
      const [qCat, qCont] = split(q)
      const [cCat, cCont] = split(code)
      const ce = tf.mul(categoricalWeight, tf.losses.softmaxCrossEntropy(cCat!, qCat!)) as tf.Scalar
      return (qCont && cCont ? tf.add(ce, tf.mul(continuousWeight, tf.mean(tf.square(tf.sub(qCont, cCont))))) : ce) as tf.Scalar
    },
    accuracy: (q, code) => {
      const [qCat] = split(q)
      const [cCat] = split(code)
      return tf.mean(tf.cast(tf.equal(tf.argMax(qCat!, 1), tf.argMax(cCat!, 1)), 'float32')) as tf.Scalar
    },
  }
}

/** The conditioner of a config, or undefined for an unconditional GAN. */
export function conditionerFor(config: ExperimentConfig): Conditioner | undefined {
  switch (config.conditioning) {
    case 'none':
      return undefined
    case 'cgan':
    case 'acgan': {
      const classes = datasetClasses(config)
      if (classes === undefined) throw new Error(`${config.conditioning} needs a labelled dataset`)
      return labelConditioner(classes)
    }
    case 'infogan': {
      const c = infoganCodes(config)
      return codeConditioner(c.categorical, c.continuous, c.continuousWeight, c.categoricalWeight)
    }
  }
}
