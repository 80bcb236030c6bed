/**
 * A run's generator (or discriminator) with the weights of one of its checkpoints (the last by
 * default), on the fastest backend that loads. Shared by sampling, every export format and transfer.
 */
import type * as tf from '@tensorflow/tfjs'
import { validateExperiment } from '../../src-shared/config/validate'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { ArtifactRecord } from '../../src-shared/domain/run'
import type { Registry } from '../registry/registry'
import { NotFoundError } from '../registry/registry'
import { buildModel } from '../training/models'
import { loadCheckpointArtifact, restoreWeights } from '../training/checkpoint'
import { mixSeed } from '../../src-shared/util/seeds'
import { hostBackendOnce } from '../training/backend'

export interface LoadedGenerator {
  generator: tf.LayersModel
  config: ExperimentConfig
  checkpoint: ArtifactRecord
}

/** Why a run without a checkpoint cannot be loaded, exported or sampled: one wording for every door. */
export function noCheckpointYet(run: { id: number; config: { training: { checkpointEvery: number } } }): string {
  return `run ${run.id} has no checkpoint yet: one is saved every ${run.config.training.checkpointEvery} epoch(s) and when it stops`
}

/** `step`: the checkpoint saved at that step (default: the latest). Dispose `generator` when done. */
export async function loadGenerator(registry: Registry, runId: number, step?: number): Promise<LoadedGenerator> {
  const { model, config, checkpoint } = await loadNetwork(registry, runId, 'generator', step)
  return { generator: model, config, checkpoint }
}

/** The discriminator as trained, with an extra last output: the features its real/fake head reads. */
export async function loadDiscriminator(
  registry: Registry,
  runId: number,
  step?: number,
): Promise<{ model: tf.LayersModel; config: ExperimentConfig; checkpoint: ArtifactRecord }> {
  return loadNetwork(registry, runId, 'discriminator', step)
}

async function loadNetwork(
  registry: Registry,
  runId: number,
  role: 'generator' | 'discriminator',
  step?: number,
): Promise<{ model: tf.LayersModel; config: ExperimentConfig; checkpoint: ArtifactRecord }> {
  const run = registry.getRun(runId)
  const checkpoints = registry.artifacts(runId, 'checkpoint')
  if (checkpoints.length === 0) throw new NotFoundError(noCheckpointYet(run))
  const checkpoint = step === undefined ? registry.latestArtifact(runId, 'checkpoint')! : checkpoints.find((c) => c.step === step)
  if (!checkpoint)
    throw new NotFoundError(`run ${runId} has no checkpoint at step ${step} (it has: ${checkpoints.map((c) => c.step).join(', ')})`)
  await hostBackendOnce()
  const { config } = validateExperiment(run.config)
  const model =
    role === 'generator'
      ? buildModel(config.generator, { prefix: 'g', seed: mixSeed(config.training.seed, 1) })
      : buildModel(config.discriminator, { prefix: 'd', seed: mixSeed(config.training.seed, 2), featureOutput: true })
  const loaded = loadCheckpointArtifact(registry.dataDir, checkpoint)
  try {
    restoreWeights(model, loaded.groups[role], role)
  } catch (e) {
    model.dispose()
    throw e
  } finally {
    for (const g of Object.values(loaded.groups)) for (const w of g) w.tensor.dispose()
  }
  return { model, config, checkpoint }
}
