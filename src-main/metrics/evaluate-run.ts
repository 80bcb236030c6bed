/**
 * `eval ID`: measures a run's generator at its last checkpoint on a fixed number of samples drawn
 * with a fixed seed (both stored with the results), so runs and checkpoints compare. 2D mixtures:
 * mode coverage, high-quality share, mode KL, diversity. Built-in image datasets: the metrics of
 * src-shared/metrics/image-metrics.ts in the dataset's classifier feature space, against its
 * held-out test images. Results are stored as `eval.*` metrics at the checkpoint's step.
 */
import type { Registry } from '../registry/registry'
import { validateExperiment } from '../../src-shared/config/validate'
import { modeCoverage } from '../../src-shared/metrics/mode-coverage'
import { diversityRatio } from '../../src-shared/metrics/diversity'
import { imageQuality, inceptionScore } from '../../src-shared/metrics/image-metrics'
import { createDataSource } from '../datasets/data-source'
import { sampleRun } from '../export/sample'
import { TO_TANH_RANGE } from '../datasets/image-datasets'
import { loadClassifier } from './classifier'
import { classifierSplits, CLASSIFIER_DATASETS } from './classifier-data'
import { classifierDatasetOf } from './epoch-image-metrics'
import { dConfusion } from './d-confusion'
import { artifactPath } from '../registry/artifact-files'
import type { EvalReport } from '../../src-shared/domain/eval'

export type { EvalReport }

export const DEFAULT_EVAL_SAMPLES = 1000
export const DEFAULT_EVAL_SEED = 1234

export async function evaluateRun(registry: Registry, runId: number, options: { samples?: number; seed?: number } = {}): Promise<EvalReport> {
  const run = registry.getRun(runId)
  const { config } = validateExperiment(run.config)
  const checkpoint = registry.latestArtifact(runId, 'checkpoint')
  const n = options.samples ?? DEFAULT_EVAL_SAMPLES
  const seed = options.seed ?? DEFAULT_EVAL_SEED
  const generated = await sampleRun(registry, runId, n, seed) // conditional: every class in turn
  const step = checkpoint!.step
  const report: EvalReport = { runId, step, samples: n, seed, metrics: {}, notes: [] }
  const ds = config.dataset
  if (ds.kind === 'toy2d' || ds.kind === 'csv') {
    const data = createDataSource(ds, seed)
    const real = data.sample(n, seed + 1)
    report.metrics.diversity = diversityRatio(generated.subarray(0, 2 * Math.min(n, 512)), real.subarray(0, 2 * Math.min(n, 512)), 2)
    if (data.mixture) {
      const m = modeCoverage(generated, data.mixture.centres, data.mixture.std)
      Object.assign(report.metrics, { modesCaptured: m.modesCaptured, modes: m.modes, highQuality: m.highQuality, modeKL: m.modeKL })
    }
    report.discriminator = dConfusion(config, artifactPath(registry.dataDir, checkpoint!), real, generated, [2])
  } else {
    const name = classifierDatasetOf(config)
    const classifier = name ? await loadClassifier(name) : null
    if (!classifier) {
      report.notes.push(`no evaluation classifier for ${ds.kind === 'image' ? ds.name : ds.kind} data (built in for ${CLASSIFIER_DATASETS.join(', ')}: npm run train-classifiers)`)
    } else {
      try {
        const test = classifierSplits(name!).test
        const count = Math.min(n, test.count)
        const real = Float32Array.from(test.images.subarray(0, count * 784), (p) => TO_TANH_RANGE[p]!)
        const g = await classifier.embed(generated, n)
        const r = await classifier.embed(real, count)
        const dim = 128
        const labelled = config.conditioning === 'acgan' || config.conditioning === 'cgan'
        const q = imageQuality(r, g, dim, 10, labelled ? Array.from({ length: n }, (_, i) => i % 10) : undefined)
        Object.assign(report.metrics, {
          ...q.metrics,
          inceptionScoreReal: inceptionScore(r.probs, 10),
          diversity: diversityRatio(generated.subarray(0, 256 * 784), real.subarray(0, 256 * 784), 784),
        })
        report.classHistogram = q.histograms
        if (q.perClassAccuracy) report.perClassAccuracy = q.perClassAccuracy
        report.discriminator = dConfusion(config, artifactPath(registry.dataDir, checkpoint!), real, generated.subarray(0, count * 784), [28, 28, 1])
        report.classifier = { dataset: classifier.meta.dataset, testAccuracy: classifier.meta.testAccuracy, featureDim: dim }
      } finally {
        classifier.dispose()
      }
    }
  }
  if (report.discriminator) {
    report.metrics.dAccuracy = report.discriminator.accuracy
    report.metrics.dRealMean = report.discriminator.dRealMean
    report.metrics.dFakeMean = report.discriminator.dFakeMean
  }
  const wallTime = Date.now() / 1000
  registry.writeMetrics(runId, [
    ...Object.entries(report.metrics).map(([key, value]) => ({ key: `eval.${key}`, step, epoch: checkpoint!.epoch, value, wallTime })),
    { key: 'eval.samples', step, epoch: checkpoint!.epoch, value: n, wallTime },
  ])
  return report
}
