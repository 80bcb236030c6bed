/**
 * `eval ID`: measures a run's generator at its last checkpoint on a fixed number of samples drawn
 * with a fixed seed (both stored with the results), so runs and checkpoints compare. Point runs:
 * k-NN precision/recall and the sliced Wasserstein distance against the data's points, diversity,
 * and, where the modes are known (a toy mixture, or centres and σ given), mode coverage under
 * each labelled definition, the PacGAN/VEEGAN protocol first. Built-in image datasets: the metrics
 * of src-shared/metrics/image-metrics.ts in the dataset's classifier feature space, against its
 * held-out test images. Results are stored as `eval.*` metrics at the checkpoint's step.
 */
import type { Registry } from '../registry/registry'
import { infoganCodes, isPointData, validateExperiment } from '../../src-shared/config/validate'
import { diversityRatio } from '../../src-shared/metrics/diversity'
import { createDataSource } from '../datasets/create-data-source'
import { sampleRun } from '../model-io/sample'
import { CLASSIFIER_DATASETS } from '../scoring/classifier-data'
import { scoreImages } from './image-scoring'
import { classifierDatasetOf } from '../scoring/epoch-image-metrics'
import { dConfusion } from './d-confusion'
import { MODE_EVAL_SAMPLES, modeReport, POINT_METRIC_DEFINITIONS, pointModes, pointQuality } from '../scoring/point-metrics'
import { ConflictError } from '../util/errors'
import { artifactPath } from '../registry/artifact-files'
import type { EvalReport } from '../../src-shared/domain/eval'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { DataSource } from '../datasets/data-source'

export type { EvalReport }

/** Image runs' default sample count. */
export const DEFAULT_EVAL_SAMPLES = 1000
export const DEFAULT_EVAL_SEED = 1234

export interface EvalOptions {
  samples?: number
  seed?: number
  /** Point runs: mode centres and σ to measure coverage against (a CSV's modes; overrides a toy mixture's). */
  modes?: { centres: [number, number][]; std: number; from?: string }
}

/** Samples `eval` draws when none are asked for: the papers' 2,500 for point runs, 1,000 for images. */
export function defaultEvalSamples(config: Pick<ExperimentConfig, 'dataset'>): number {
  return isPointData(config) ? MODE_EVAL_SAMPLES : DEFAULT_EVAL_SAMPLES
}

/** A point run's data as `eval` draws it for latent seed `seed`, and the n real points its samples are scored against. */
export function evalPointData(dataset: ExperimentConfig['dataset'], n: number, seed: number): { data: DataSource; real: Float32Array } {
  const data = createDataSource(dataset, seed)
  return { data, real: data.sample(n, seed + 1) }
}

/**
 * A point run with InfoGAN's categorical code scored against a different number of modes: the
 * `-codes` recipes need one code per mode, and the mismatch explains figures that look wrong.
 */
export function codeCountNote(config: ExperimentConfig, modes: number): string | null {
  const codes = config.conditioning === 'infogan' ? infoganCodes(config).categorical : 0
  if (codes === 0 || codes === modes) return null
  const effect =
    codes > modes
      ? 'codes share modes, and Q pushes the codes on one mode apart, so each shrinks towards a point (lower recall)'
      : 'some codes must each cover several modes, with samples between them (lower high-quality share)'
  return `this run's categorical code has ${codes} values and these are ${modes} modes: the -codes recipes draw one code per mode; here ${effect} (docs/presets.md)`
}

export async function evaluateRun(registry: Registry, runId: number, options: EvalOptions = {}): Promise<EvalReport> {
  const run = registry.getRun(runId)
  const { config } = validateExperiment(run.config)
  const points = isPointData(config)
  if (options.modes && !points) throw new ConflictError(`run ${runId} makes images: mode centres are for point runs`)
  if (options.modes && !(options.modes.std > 0)) throw new ConflictError("the modes' σ must be a positive number")
  const checkpoint = registry.latestArtifact(runId, 'checkpoint')
  if (!checkpoint) throw new ConflictError(`run ${runId} has no checkpoint to evaluate yet`)
  const n = options.samples ?? defaultEvalSamples(config)
  const seed = options.seed ?? DEFAULT_EVAL_SEED
  const generated = await sampleRun(registry, runId, n, seed) // conditional: every class in turn
  const step = checkpoint.step
  const report: EvalReport = { runId, step, samples: n, seed, metrics: {}, notes: [] }
  const ds = config.dataset
  if (points) {
    const { data, real } = evalPointData(ds, n, seed)
    const dim = data.shape[0]!
    if (options.modes && dim !== 2) throw new ConflictError(`run ${runId} makes ${dim}-dimensional points: mode centres are 2D`)
    report.metrics.diversity = diversityRatio(generated.subarray(0, dim * Math.min(n, 512)), real.subarray(0, dim * Math.min(n, 512)), dim)
    Object.assign(report.metrics, pointQuality(generated, real, dim))
    const modes = pointModes(data, options.modes)
    if (modes) {
      const m = modeReport(generated, modes)
      Object.assign(report.metrics, m.metrics, { modes: modes.centres.length })
      report.modes = modes
      report.modeProtocols = m.protocols
      const codes = codeCountNote(config, modes.centres.length)
      if (codes) report.notes.push(codes)
      if (n !== MODE_EVAL_SAMPLES)
        report.notes.push(
          `${n.toLocaleString('en-US')} samples: PacGAN and VEEGAN score ${MODE_EVAL_SAMPLES.toLocaleString('en-US')}, so compare their tables at --samples ${MODE_EVAL_SAMPLES}`,
        )
    } else {
      report.notes.push(`no mode centres known for this data: give them (\`eval ${runId} --modes centres.csv --std σ\`) for mode coverage`)
    }
    report.definitions = Object.fromEntries(
      Object.keys(report.metrics)
        .filter((k) => k in POINT_METRIC_DEFINITIONS)
        .map((k) => [k, POINT_METRIC_DEFINITIONS[k]!]),
    )
    report.discriminator = dConfusion(config, artifactPath(registry.dataDir, checkpoint), real, generated, data.shape)
  } else {
    const name = classifierDatasetOf(config)
    const labelled = config.conditioning === 'acgan' || config.conditioning === 'cgan'
    const score = name ? await scoreImages(generated, n, name, labelled ? Array.from({ length: n }, (_, i) => i % 10) : undefined) : null
    if (!score) {
      report.notes.push(
        `no evaluation classifier for ${ds.kind === 'image' ? ds.name : ds.kind} data (built in for ${CLASSIFIER_DATASETS.join(', ')}: npm run train-classifiers)`,
      )
    } else {
      Object.assign(report.metrics, score.metrics)
      report.classHistogram = score.classHistogram
      if (score.perClassAccuracy) report.perClassAccuracy = score.perClassAccuracy
      report.discriminator = dConfusion(
        config,
        artifactPath(registry.dataDir, checkpoint),
        score.real,
        generated.subarray(0, score.real.length),
        [28, 28, 1],
      )
      report.classifier = score.classifier
    }
  }
  if (report.discriminator) {
    report.metrics.dAccuracy = report.discriminator.accuracy
    report.metrics.dRealMean = report.discriminator.dRealMean
    report.metrics.dFakeMean = report.discriminator.dFakeMean
  }
  const wallTime = Date.now() / 1000
  registry.writeMetrics(runId, [
    ...Object.entries(report.metrics).map(([key, value]) => ({ key: `eval.${key}`, step, epoch: checkpoint.epoch, value, wallTime })),
    { key: 'eval.samples', step, epoch: checkpoint.epoch, value: n, wallTime },
  ])
  return report
}
