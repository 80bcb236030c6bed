/**
 * Scores one finished run with its reproduction's protocol (the catalog's `protocol.kind`):
 *  - mode-coverage: the PacGAN/VEEGAN protocol (and the box and 1 % definitions beside it) on
 *    2,500 samples from the fixed evaluation z, and k-NN precision/recall against as many real
 *    points (as `eval` draws them): recall shows a G that shrinks each mode to a point, which
 *    the high-quality share rewards;
 *  - label-accuracy (AC-GAN): the share of samples the evaluation classifier calls the class they
 *    were drawn for, and that share over the classifier's own accuracy on real test images; and
 *    the samples' fixed-pattern energy over real test images' (stripes drawn on every sample);
 *  - infogan-code: samples per categorical code (random continuous codes), classified, codes
 *    matched one-to-one to classes (Hungarian), the share that disagree;
 *  - frechet (DCGAN): the Fréchet distance in the classifier's feature space, the IS-style score,
 *    and how many classes are recognisably present.
 */
import type { Registry } from '../registry/registry'
import type { ReproductionEntry } from '../../src-shared/reproductions/catalog'
import { infoganCodes, validateExperiment } from '../../src-shared/config/validate'
import { codeClassMatching } from '../../src-shared/metrics/code-matching'
import { sampleRun } from '../model-io/sample'
import { DEFAULT_EVAL_SEED, evalPointData } from '../metrics/evaluate-run'
import { classifierDatasetOf } from '../scoring/epoch-image-metrics'
import { scoreImages, type ImageScore } from '../metrics/image-scoring'
import { modeReport, pointModes, pointQuality } from '../scoring/point-metrics'
import type { EvalModes } from '../../src-shared/domain/eval'

export class ProtocolError extends Error {
  override name = 'ProtocolError'
}

function argmaxes(probs: Float32Array, classes: number): number[] {
  const n = probs.length / classes
  return Array.from({ length: n }, (_, i) => {
    let best = 0
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c
    return best
  })
}

async function score(
  registry: Registry,
  runId: number,
  samples: number,
  labels: number[] | undefined,
  randomCodes = false,
): Promise<ImageScore> {
  const { config } = validateExperiment(registry.getRun(runId).config)
  const dataset = classifierDatasetOf(config)
  if (!dataset) throw new ProtocolError(`run ${runId}'s data has no evaluation classifier`)
  const generated = await sampleRun(registry, runId, samples, DEFAULT_EVAL_SEED, labels, { randomCodes })
  const s = await scoreImages(
    generated,
    samples,
    dataset,
    config.conditioning === 'acgan' || config.conditioning === 'cgan' ? labels : undefined,
  )
  if (!s) throw new ProtocolError(`the ${dataset} evaluation classifier is missing (npm run train-classifiers)`)
  return s
}

export interface Measurement {
  values: Record<string, number>
  /** 2D protocols: the modes scored against (for plots of the protocol's 3σ circles). */
  modes?: EvalModes
}

/** The protocol's measurements of a run at its last checkpoint (keys as the entry's goal rows read them). */
export async function measureRun(registry: Registry, runId: number, entry: ReproductionEntry, samples: number): Promise<Measurement> {
  const { config } = validateExperiment(registry.getRun(runId).config)
  if (entry.protocol.kind === 'mode-coverage') {
    // The data and real points `eval` scores against, so the figures agree.
    const { data, real } = evalPointData(config.dataset, samples, DEFAULT_EVAL_SEED)
    const modes = pointModes(data)
    if (!modes) throw new ProtocolError(`run ${runId}'s data has no known modes`)
    const generated = await sampleRun(registry, runId, samples, DEFAULT_EVAL_SEED)
    return { values: { ...modeReport(generated, modes).metrics, ...pointQuality(generated, real, 2) }, modes }
  }
  return { values: await measureImages(registry, runId, entry, samples) }
}

async function measureImages(
  registry: Registry,
  runId: number,
  entry: ReproductionEntry,
  samples: number,
): Promise<Record<string, number>> {
  const { config } = validateExperiment(registry.getRun(runId).config)
  switch (entry.protocol.kind) {
    case 'mode-coverage':
      throw new ProtocolError('mode coverage is measured on points')
    case 'label-accuracy': {
      const labels = Array.from({ length: samples }, (_, i) => i % 10)
      const s = await score(registry, runId, samples, labels)
      const labelAccuracy = s.metrics.labelAccuracy!
      return {
        labelAccuracy,
        classifierAccuracy: s.classifier.testAccuracy,
        relativeAccuracy: labelAccuracy / s.classifier.testAccuracy,
        frechetDistance: s.metrics.frechetDistance!,
        fixedPattern: s.metrics.fixedPattern!,
      }
    }
    case 'infogan-code': {
      const categorical = infoganCodes(config).categorical
      const codes = Array.from({ length: samples }, (_, i) => i % categorical)
      const s = await score(registry, runId, samples, codes, true)
      const m = codeClassMatching(codes, argmaxes(s.probs, 10), categorical, 10)
      return { codeError: m.error, codeAccuracy: 1 - m.error, frechetDistance: s.metrics.frechetDistance! }
    }
    case 'frechet': {
      const s = await score(registry, runId, samples, undefined)
      return {
        frechetDistance: s.metrics.frechetDistance!,
        inceptionScore: s.metrics.inceptionScore!,
        precision: s.metrics.precision!,
        recall: s.metrics.recall!,
        classesPresent: s.metrics.classesPresent!,
      }
    }
  }
}
