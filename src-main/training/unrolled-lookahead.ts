/**
 * The unrolled GAN as Metz et al. (2017) define it, with G's gradient through D's look-ahead
 * (training.unrollGradient 'second-order'). From D's current weights and its Adam moments, D is
 * advanced K steps of its own Adam update on one real batch and G's generated batch; each step's
 * gradient is taken with tfjs' gradients while G's tape records (higher-order gradients), so the
 * advanced weights are functions of G's samples, and G's loss against them carries the term by
 * which G anticipates D's response. This is what the reference code (poolio/unrolled_gan) builds
 * with graph_replace over Keras' Adam update: the same batch in every step, the saddle objective for
 * G. D's variables and optimizer are only read; the first-order variant (vanilla-gan.ts) moves a
 * copy of D instead and treats it as fixed.
 */
import * as tf from '@tensorflow/tfjs'
import { registerExtraGradients } from './extra-gradients'
import { FusedAdamOptimizer } from './fused-adam'
import { ACT, denseSteps, type DenseStep } from './mlp-layers'

/** D's loss from its logits on the real and the generated batch. */
export type DLoss = (realLogits: tf.Tensor, fakeLogits: tf.Tensor) => tf.Scalar

export class UnrolledLookahead {
  private readonly layers: DenseStep[]
  private readonly variables: tf.Variable[]
  private readonly optimizer: FusedAdamOptimizer

  constructor(
    discriminator: tf.LayersModel,
    optimizer: tf.Optimizer,
    private readonly steps: number,
  ) {
    const layers = denseSteps(discriminator)
    // Validation refuses these configs (src-shared/config/unroll-rules.ts); a model built otherwise is a bug.
    if (typeof layers === 'string') throw new Error(`the second-order unrolled GAN needs an MLP discriminator, found ${layers}`)
    if (layers.at(-1)!.kernel.shape[1] !== 1 || layers.at(-1)!.act !== ACT.linear)
      throw new Error("the discriminator's output is not one logit")
    if (!(optimizer instanceof FusedAdamOptimizer)) throw new Error("the second-order unrolled GAN needs D's Adam optimizer")
    this.layers = layers
    this.optimizer = optimizer
    registerExtraGradients() // the look-ahead's gradient differentiates LeakyReLU's gradient (a comparison)
    this.variables = layers.flatMap((l) => (l.bias ? [l.kernel, l.bias] : [l.kernel]))
    // The moments are D's optimizer's slots by position, in the order D's variables are updated.
    const trainable = discriminator.trainableWeights.map((w) => w.read())
    if (trainable.length !== this.variables.length || trainable.some((v, i) => v !== this.variables[i]))
      throw new Error("the discriminator's variables are not its dense layers' kernels and biases, in order")
  }

  /** D's logits on `x` with `weights` in place of its variables (kernel, then bias, per layer). */
  logits(weights: tf.Tensor[], x: tf.Tensor): tf.Tensor {
    let h = x
    let i = 0
    for (const layer of this.layers) {
      h = tf.matMul(h, weights[i++]!)
      if (layer.bias) h = tf.add(h, weights[i++]!)
      if (layer.act === ACT.relu) h = tf.relu(h)
      else if (layer.act === ACT.leaky) h = tf.leakyRelu(h, layer.alpha)
      else if (layer.act === ACT.tanh) h = tf.tanh(h)
    }
    return h
  }

  /**
   * D's weights after K steps of its Adam on `dLoss` over `real` and `fake`, differentiable in
   * `fake` (and so in G's variables, when called inside G's gradient). tfjs' Adam update, step for
   * step: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², w ← w − lr·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
   */
  advance(real: tf.Tensor, fake: tf.Tensor, dLoss: DLoss): tf.Tensor[] {
    const state = this.optimizer.nextStepState(this.variables)
    const { beta1, beta2, learningRate, epsilon } = state
    let [acc1, acc2] = [state.accBeta1, state.accBeta2]
    let weights: tf.Tensor[] = this.variables
    let m: tf.Tensor[] = state.slots.map(([first]) => first)
    let v: tf.Tensor[] = state.slots.map(([, second]) => second)
    for (let k = 0; k < this.steps; k++) {
      const grads = tf.grads((...w: tf.Tensor[]) => dLoss(this.logits(w, real), this.logits(w, fake)))(weights)
      m = m.map((mi, j) => tf.add(tf.mul(beta1, mi), tf.mul(1 - beta1, grads[j]!)))
      v = v.map((vi, j) => tf.add(tf.mul(beta2, vi), tf.mul(1 - beta2, tf.square(grads[j]!))))
      const [c1, c2] = [1 - acc1, 1 - acc2]
      weights = weights.map((w, j) => {
        // √ of at least a float32 denormal: its derivative stays finite where a weight has had no gradient yet.
        const root = tf.sqrt(tf.maximum(tf.div(v[j]!, c2), 1e-30))
        return tf.sub(w, tf.div(tf.mul(learningRate / c1, m[j]!), tf.add(root, epsilon)))
      })
      acc1 *= beta1
      acc2 *= beta2
    }
    return weights
  }
}
