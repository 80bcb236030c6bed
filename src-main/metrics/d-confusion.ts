/**
 * D as a classifier, as the lectures present it: on a held-out batch of real and generated samples,
 * how many it calls real (D > 0.5) rightly and wrongly. Vanilla GAN (probabilities) and LSGAN
 * (scores trained towards 1 and 0); a WGAN critic's score has no threshold, so it is skipped.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { toGraph } from '../../src-shared/model/shape-inference'
import { buildModel } from '../training/models'
import { loadCheckpoint, restoreWeights } from '../training/checkpoint'
import { mixSeed } from '../../src-shared/util/seeds'
import type { DConfusion } from '../../src-shared/domain/eval'

export type { DConfusion }

/** `real` and `generated` are flat samples of the data's shape; null when D cannot be judged alone. */
export function dConfusion(
  config: ExperimentConfig,
  checkpointPath: string,
  real: Float32Array,
  generated: Float32Array,
  shape: number[],
): DConfusion | null {
  if (config.gan === 'wgan' || config.gan === 'wgan-gp') return null
  // A D that also reads a label or condition image needs those too: not judged here.
  if (toGraph(config.discriminator, 'image').inputs.length !== 1) return null
  const d = buildModel(config.discriminator, { prefix: 'd', seed: mixSeed(config.training.seed, 2) })
  const ckpt = loadCheckpoint(checkpointPath)
  try {
    restoreWeights(d, ckpt.groups.discriminator, 'discriminator')
    const size = shape.reduce((a, b) => a * b, 1)
    // One verdict per sample: a PatchGAN's (pix2pix, CycleGAN) is the mean of its patches' scores, as in its loss.
    const score = (x: Float32Array) =>
      tf.tidy(() => {
        const n = x.length / size
        const out = d.predict(tf.tensor(x, [n, ...shape]))
        return Array.from(tf.mean(tf.reshape(Array.isArray(out) ? out[0]! : out, [n, -1]), 1).dataSync())
      })
    const r = score(real)
    const g = score(generated)
    const tp = r.filter((v) => v > 0.5).length
    const fp = g.filter((v) => v > 0.5).length
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(a.length, 1)
    return {
      truePositives: tp,
      falseNegatives: r.length - tp,
      trueNegatives: g.length - fp,
      falsePositives: fp,
      accuracy: (tp + g.length - fp) / (r.length + g.length),
      dRealMean: mean(r),
      dFakeMean: mean(g),
    }
  } finally {
    for (const group of Object.values(ckpt.groups)) for (const w of group) w.tensor.dispose()
    d.dispose()
  }
}
