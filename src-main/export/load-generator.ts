/**
 * A run's generator with the weights of one of its checkpoints (the last by default), on the
 * fastest backend that loads. Shared by sampling and every export format.
 */
import type * as tf from '@tensorflow/tfjs'
import { validateExperiment } from '../../src-shared/config/validate'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { ArtifactRecord } from '../../src-shared/domain/run'
import type { Registry } from '../registry/registry'
import { NotFoundError } from '../registry/registry'
import { buildModel } from '../training/models'
import { loadCheckpoint, restoreWeights } from '../training/checkpoint'
import { mixSeed } from '../training/seeds'
import { probeBackendsOnce } from '../training/backend'

export interface LoadedGenerator {
  generator: tf.LayersModel
  config: ExperimentConfig
  checkpoint: ArtifactRecord
}

/** `step`: the checkpoint saved at that step (default: the latest). Dispose `generator` when done. */
export async function loadGenerator(registry: Registry, runId: number, step?: number): Promise<LoadedGenerator> {
  const run = registry.getRun(runId)
  const checkpoints = registry.artifacts(runId, 'checkpoint')
  if (checkpoints.length === 0) {
    throw new NotFoundError(`run ${runId} has no checkpoint yet (it saves one every ${run.config.training.checkpointEvery} epoch(s) and when it ends)`)
  }
  const checkpoint = step === undefined ? registry.latestArtifact(runId, 'checkpoint')! : checkpoints.find((c) => c.step === step)
  if (!checkpoint) throw new NotFoundError(`run ${runId} has no checkpoint at step ${step} (it has: ${checkpoints.map((c) => c.step).join(', ')})`)
  await probeBackendsOnce()
  const { config } = validateExperiment(run.config)
  const generator = buildModel(config.generator, { prefix: 'g', seed: mixSeed(config.training.seed, 1) })
  const loaded = loadCheckpoint(checkpoint.path)
  try {
    restoreWeights(generator, loaded.groups.generator, 'generator')
  } catch (e) {
    generator.dispose()
    throw e
  } finally {
    for (const g of Object.values(loaded.groups)) for (const w of g) w.tensor.dispose()
  }
  return { generator, config, checkpoint }
}
