/**
 * The discriminator as a feature extractor (lecture 9b: D as a base model for transfer learning):
 * D's layers up to the input of its real/fake head, with the weights of a checkpoint. Only a D that
 * reads the image alone qualifies; one that also reads a label (cGAN) or a condition image
 * (pix2pix) would need those at every use.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { toGraph } from '../../src-shared/model/shape-inference'
import { isPointData } from '../../src-shared/config/validate'
import type { ArtifactRecord } from '../../src-shared/domain/run'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { loadDiscriminator } from './load-generator'

export interface FeatureExtractor {
  /** images [n, ...imageShape] in [-1, 1] → features [n, ...featureShape]. */
  extractor: tf.LayersModel
  /** The whole D the extractor is a view of (heads included). */
  model: tf.LayersModel
  imageShape: number[]
  featureShape: number[]
  config: ExperimentConfig
  checkpoint: ArtifactRecord
  dispose(): void
}

/**
 * Why this run's D cannot serve as a feature extractor, or null: the one wording the Export dialog,
 * `export --format discriminator` and `transfer` show.
 */
export function featureExtractorRefusal(config: ExperimentConfig): string | null {
  if (isPointData(config))
    return "this run's discriminator reads 2D points, not images: its features serve no image task (transfer learning needs an image discriminator)"
  const others = toGraph(config.discriminator, 'image').inputs.filter((i) => i.role !== 'image')
  if (others.length > 0)
    return `this run's discriminator also reads ${others.map((i) => `a ${i.role}`).join(' and ')}: its features need more than an image`
  return null
}

export function assertImageOnlyDiscriminator(config: ExperimentConfig): void {
  const reason = featureExtractorRefusal(config)
  if (reason) throw new ConflictError(reason)
}

export async function loadFeatureExtractor(registry: Registry, runId: number, step?: number): Promise<FeatureExtractor> {
  const config = registry.getRun(runId).config
  assertImageOnlyDiscriminator(config)
  const inputs = toGraph(config.discriminator, 'image').inputs
  const loaded = await loadDiscriminator(registry, runId, step)
  const extractor = tf.model({ name: 'discriminator_features', inputs: loaded.model.inputs, outputs: loaded.model.outputs.at(-1)! })
  return {
    extractor,
    model: loaded.model,
    imageShape: inputs[0]!.shape,
    featureShape: extractor.outputs[0]!.shape.slice(1) as number[],
    config: loaded.config,
    checkpoint: loaded.checkpoint,
    dispose: () => loaded.model.dispose(),
  }
}

export function describeFeatures(f: FeatureExtractor) {
  return {
    format: 'gan-workbench-discriminator-features',
    version: 1,
    input: { shape: f.imageShape, range: [-1, 1], fromPixels: 'value = pixel / 127.5 - 1' },
    output: { shape: f.featureShape, layer: "the input of D's real/fake head" },
  }
}
