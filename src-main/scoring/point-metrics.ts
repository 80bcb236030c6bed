/**
 * Sample quality of point data (2D toys, CSV points), for `eval` and the per-epoch metrics:
 *  - mode coverage under each labelled definition (src-shared/metrics/mode-protocols.ts) where the
 *    modes are known: a toy mixture's, or centres and σ the user gives for a CSV;
 *  - k-NN precision and recall (k = 3, Kynkäänniemi et al. 2019), as for images but on the points;
 *  - the sliced Wasserstein distance to the data (SW₂ over 128 seeded projections, data units).
 */
import { modeCoverage } from '../../src-shared/metrics/mode-coverage'
import { MODE_PROTOCOLS, modeProtocolMetrics, modeProtocols } from '../../src-shared/metrics/mode-protocols'
import { precisionRecall } from '../../src-shared/metrics/image-metrics'
import { slicedWassersteinSeeded, SWD_PROJECTIONS, SWD_SEED } from '../../src-shared/metrics/sliced-wasserstein'
import type { EvalModeProtocol, EvalModes } from '../../src-shared/domain/eval'
import type { DataSource } from '../datasets/data-source'
import { mixSeed } from '../../src-shared/util/seeds'

/** Samples the papers' 2D protocol scores (PacGAN, VEEGAN): 2,500 from a fixed z. */
export const MODE_EVAL_SAMPLES = 2500
/** Samples behind the per-epoch precision/recall and SWD of point runs without known modes. */
export const EPOCH_QUALITY_SAMPLES = 1000

/** What the point metrics mean, for reports and tables (keys as in `metrics`). */
export const POINT_METRIC_DEFINITIONS: Record<string, string> = {
  precision: 'share of generated points inside the k-NN ball (k = 3) of some real point (Kynkäänniemi et al. 2019)',
  recall: 'share of real points inside the k-NN ball (k = 3) of some generated point',
  swd: `sliced Wasserstein-2 distance to the data's points, over ${SWD_PROJECTIONS} random directions (seed ${SWD_SEED}), in the data's units (0 = same distribution)`,
  modeKL: "KL divergence of the generated mode histogram from the data's (uniform), over the workbench definition's high-quality samples",
  ...Object.fromEntries(
    Object.values(MODE_PROTOCOLS).flatMap((p) => [
      [p.keys.modes, `modes captured, ${p.label}: ${p.definition}`],
      [p.keys.highQuality, `share of high-quality samples, ${p.label}`],
    ]),
  ),
}

/** The modes a point run is measured against: the ones given, else its toy mixture's, else none. */
export function pointModes(data: DataSource, given?: { centres: [number, number][]; std: number; from?: string }): EvalModes | undefined {
  if (given) return { centres: given.centres, std: given.std, from: given.from ?? 'given with the request' }
  if (data.mixture)
    return { centres: data.mixture.centres, std: data.mixture.std, from: `the ${data.mixture.name} mixture (σ ${data.mixture.std})` }
  return undefined
}

/** Mode coverage under every definition, labelled, plus their flat metrics (and the mode KL). */
export function modeReport(
  generated: ArrayLike<number>,
  modes: EvalModes,
): { protocols: EvalModeProtocol[]; metrics: Record<string, number> } {
  const results = modeProtocols(generated, modes.centres, modes.std)
  const app = modeCoverage(generated, modes.centres, modes.std)
  return {
    protocols: results.map((r) => ({ ...r, label: MODE_PROTOCOLS[r.id].label, definition: MODE_PROTOCOLS[r.id].definition })),
    metrics: { ...modeProtocolMetrics(results), modeKL: app.modeKL },
  }
}

/** Precision, recall and SWD of generated against real points (`dim` numbers each). */
export function pointQuality(
  generated: ArrayLike<number>,
  real: ArrayLike<number>,
  dim: number,
): { precision: number; recall: number; swd: number } {
  return { ...precisionRecall(real, generated, dim, 3), swd: slicedWassersteinSeeded(real, generated, dim) }
}

/**
 * Per-epoch metrics of a point run, on fixed z: with known modes (toy mixtures), every mode
 * definition on 2,500 samples (the papers' count); without (CSV points), precision, recall and SWD
 * on 1,000 samples against 1,000 fixed real points.
 */
export function createEpochPointEval(
  data: DataSource,
  runSeed: number,
  generate: (n: number, seed: number) => Promise<Float32Array>,
): () => Promise<Record<string, number>> {
  const modes = pointModes(data)
  const dim = data.shape[0]!
  const zSeed = mixSeed(runSeed, 4242)
  if (modes) {
    return async () => ({ ...modeReport(await generate(MODE_EVAL_SAMPLES, zSeed), modes).metrics, evalSamples: MODE_EVAL_SAMPLES })
  }
  const real = data.sample(EPOCH_QUALITY_SAMPLES, mixSeed(runSeed, 4646))
  return async () => ({ ...pointQuality(await generate(EPOCH_QUALITY_SAMPLES, zSeed), real, dim), qualitySamples: EPOCH_QUALITY_SAMPLES })
}
