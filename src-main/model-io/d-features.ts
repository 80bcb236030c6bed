/**
 * The discriminator as a feature extractor (lecture 9b: D as a base model for transfer learning):
 * D's layers up to the input of its real/fake head, with the weights of a checkpoint. Only a D that
 * reads the image alone qualifies; one that also reads a label (cGAN) or a condition image
 * (pix2pix) would need those at every use.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { toGraph } from '../../src-shared/model/shape-inference'
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

export function assertImageOnlyDiscriminator(config: ExperimentConfig, runId: number): void {
  const inputs = toGraph(config.discriminator, 'image').inputs
  if (inputs.length !== 1) {
    throw new ConflictError(
      `run ${runId}'s discriminator also reads ${inputs
        .filter((i) => i.role !== 'image')
        .map((i) => `a ${i.role}`)
        .join(' and ')}: its features need more than an image, so it cannot be used as a feature extractor`,
    )
  }
  if (inputs[0]!.shape.length !== 3)
    throw new ConflictError(`run ${runId} trains on ${config.dataset.kind} data, not images: transfer needs an image discriminator`)
}

export async function loadFeatureExtractor(registry: Registry, runId: number, step?: number): Promise<FeatureExtractor> {
  const config = registry.getRun(runId).config
  assertImageOnlyDiscriminator(config, runId)
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
