/**
 * n generated images with a label each, as pixels: the class asked for (cGAN, AC-GAN), else the
 * evaluation classifier's prediction where the dataset has one. What `synth` writes to disk
 * (export/synth.ts) and CAS trains a classifier on (cas.ts).
 */
import { validateExperiment, isPointData } from '../../src-shared/config/validate'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { sampleRun } from '../model-io/sample'
import { loadClassifier } from '../scoring/classifier'
import { classifierDatasetOf } from '../scoring/epoch-image-metrics'

/** Where the labels came from: requested by the sampler, predicted by the classifier, or none (all 0). */
export type LabelSource = 'requested' | 'classifier' | 'none'

const toPixel = (v: number) => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)))

/** Draws n samples (conditional: classes in turn) and their labels, as pixels. */
export async function synthesize(
  registry: Registry,
  runId: number,
  n: number,
  seed: number,
): Promise<{ pixels: Uint8Array; labels: Uint8Array; source: LabelSource }> {
  const { config } = validateExperiment(registry.getRun(runId).config)
  if (isPointData(config))
    throw new ConflictError(`run ${runId} makes points, not images: \`synth ${runId} --out DIR\` writes them as a CSV`)
  const values = await sampleRun(registry, runId, n, seed)
  const pixels = Uint8Array.from(values, toPixel)
  const labels = new Uint8Array(n)
  let source: LabelSource = 'none'
  if (config.conditioning === 'acgan' || config.conditioning === 'cgan') {
    for (let i = 0; i < n; i++) labels[i] = i % 10
    source = 'requested'
  } else {
    // Translators' outputs belong to their target domain (edges → digit: digits).
    const name = classifierDatasetOf(config)
    const classifier = name ? await loadClassifier(name) : null
    if (classifier) {
      const { probs } = await classifier.embed(values, n)
      for (let i = 0; i < n; i++) {
        let best = 0
        for (let c = 1; c < 10; c++) if (probs[i * 10 + c]! > probs[i * 10 + best]!) best = c
        labels[i] = best
      }
      classifier.dispose()
      source = 'classifier'
    }
  }
  return { pixels, labels, source }
}
