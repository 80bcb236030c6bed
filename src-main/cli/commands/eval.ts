/** `eval ID`: sample-quality metrics of a run's generator, stored with the run. */
import type { Command } from 'commander'
import { DEFAULT_EVAL_SAMPLES, DEFAULT_EVAL_SEED } from '../../metrics/evaluate-run'
import { MODE_EVAL_SAMPLES } from '../../scoring/point-metrics'
import { evaluateSamplesFile } from '../../metrics/external-samples'
import { CLASSIFIER_DATASETS } from '../../scoring/classifier-data'
import { readPointsCsv } from '../../datasets/csv-points'
import { toPairs } from '../../../src-shared/util/points'
import type { EvalReport } from '../../../src-shared/domain/eval'
import { parseId, withHandlers, type GlobalOptions } from '../context'
import { CliError, printJson } from '../output'

const pct = (v: number) => `${(100 * v).toFixed(1)} %`

/** The report for people: mode coverage per definition first (point runs), then every metric, then what they mean. */
export function printEvalReport(r: EvalReport): void {
  console.log(
    `run ${r.runId} at step ${r.step}: ${r.samples} samples, seed ${r.seed}${r.classifier ? ` (features of the ${r.classifier.dataset} classifier, test accuracy ${(100 * r.classifier.testAccuracy).toFixed(1)} %)` : ''}`,
  )
  if (r.modes && r.modeProtocols) {
    console.log(`  mode coverage against ${r.modes.centres.length} modes of ${r.modes.from}:`)
    const width = Math.max(...r.modeProtocols.map((p) => p.label.length))
    for (const p of r.modeProtocols)
      console.log(
        `    ${p.label.padEnd(width)}  ${String(p.modesCaptured).padStart(3)} / ${p.modes} modes  ${pct(p.highQuality).padStart(7)} high quality`,
      )
  }
  for (const [k, v] of Object.entries(r.metrics)) console.log(`  ${k.padEnd(20)} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
  const d = r.discriminator
  if (d) {
    console.log(
      `  D on ${d.truePositives + d.falseNegatives} real and ${d.trueNegatives + d.falsePositives} generated samples (real = D > 0.5):`,
    )
    console.log(`                 called real  called fake`)
    console.log(`    real         ${String(d.truePositives).padStart(11)}  ${String(d.falseNegatives).padStart(11)}`)
    console.log(`    generated    ${String(d.falsePositives).padStart(11)}  ${String(d.trueNegatives).padStart(11)}`)
  }
  if (r.modeProtocols) {
    console.log('  mode coverage definitions:')
    for (const p of r.modeProtocols) console.log(`    ${p.label}: ${p.definition}`)
  }
  const others = Object.entries(r.definitions ?? {}).filter(([k]) => ['precision', 'recall', 'swd'].includes(k))
  if (others.length > 0) {
    console.log('  point metrics:')
    for (const [k, text] of others) console.log(`    ${k}: ${text}`)
  }
  for (const note of r.notes) console.log(`  note: ${note}`)
}

/** --modes FILE --std σ: the centres (a CSV of x, y) and their standard deviation. */
function modesFrom(
  file: string | undefined,
  std: string | undefined,
): { centres: [number, number][]; std: number; source: string } | undefined {
  if (file === undefined && std === undefined) return undefined
  if (file === undefined || std === undefined)
    throw new CliError('--modes and --std go together: a CSV of mode centres (x, y) and their standard deviation', 2)
  const sigma = Number(std)
  if (!Number.isFinite(sigma) || sigma <= 0) throw new CliError("--std must be a positive number (the modes' standard deviation)", 2)
  const centres = toPairs(readPointsCsv(file))
  if (centres.length > 10_000) throw new CliError(`${file}: more than 10,000 mode centres`, 2)
  return { centres, std: sigma, source: file }
}

/** --range lo,hi: the value range of float samples. */
function rangeFrom(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined
  const [lo, hi, extra] = text.split(',').map(Number)
  if (lo === undefined || hi === undefined || extra !== undefined || !Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo))
    throw new CliError('--range must be two numbers lo,hi with lo < hi (e.g. 0,1)', 2)
  return [lo, hi]
}

export function registerEval(program: Command, globals: () => GlobalOptions): void {
  program
    .command('eval')
    .argument('[id]', 'run id (or --samples-file)')
    .option(
      '--samples <n>',
      `samples to draw (fixed, so runs compare; default ${MODE_EVAL_SAMPLES} for point runs, as PacGAN and VEEGAN score, ${DEFAULT_EVAL_SAMPLES} for images)`,
    )
    .option('--seed <seed>', 'latent seed', String(DEFAULT_EVAL_SEED))
    .option('--modes <file>', 'point runs: a CSV of mode centres (x, y) for mode coverage (with --std)')
    .option('--std <sigma>', "point runs: the modes' standard deviation (with --modes)")
    .option(
      '--samples-file <file>',
      "instead of a run: score another program's samples (.npy of uint8 pixels or floats, or IDX images; 28×28) in --dataset's classifier space",
    )
    .option('--dataset <name>', 'with --samples-file: mnist or fashion-mnist')
    .option('--range <lo,hi>', 'with --samples-file: the range of float samples (default -1,1)')
    .option(
      '--labels <file>',
      'with --samples-file: the class each sample was drawn for (.npy of integers or IDX labels), for label accuracy',
    )
    .description(
      "measure a run's generator: mode coverage under the papers' and the workbench's definitions, precision/recall and sliced Wasserstein distance (points); Fréchet distance, IS-style score, precision/recall, class balance, classes present (images)",
    )
    .action(
      async (
        id: string | undefined,
        o: {
          samples?: string
          seed: string
          modes?: string
          std?: string
          samplesFile?: string
          dataset?: string
          range?: string
          labels?: string
        },
      ) => {
        if (o.samplesFile !== undefined) {
          if (id !== undefined) throw new CliError('give a run id or --samples-file, not both', 2)
          if (o.dataset === undefined)
            throw new CliError(
              `--samples-file needs --dataset (${CLASSIFIER_DATASETS.join(' or ')}): whose classifier and test images to score against`,
              2,
            )
          if (o.modes !== undefined || o.samples !== undefined)
            throw new CliError('--modes and --samples are for runs; a samples file is scored whole (up to 10,000)', 2)
          const r = await evaluateSamplesFile(o.samplesFile, o.dataset, { range: rangeFrom(o.range), labels: o.labels })
          if (globals().json) return printJson(r)
          console.log(
            `${r.file}: ${r.samples} samples (${r.format}), features of the ${r.classifier!.dataset} classifier (test accuracy ${(100 * r.classifier!.testAccuracy).toFixed(1)} %)`,
          )
          for (const [k, v] of Object.entries(r.metrics)) if (k !== 'classesPresent') console.log(`  ${k.padEnd(20)} ${v.toFixed(4)}`)
          console.log(
            `  ${'classesPresent'.padEnd(20)} ${r.classesPresent} of 10 (at least 2 % of the samples called the class with probability ≥ 0.9)`,
          )
          for (const note of r.notes) console.log(`  note: ${note}`)
          return
        }
        if (id === undefined) throw new CliError('give a run id (or --samples-file FILE --dataset NAME)', 2)
        if (o.dataset !== undefined || o.range !== undefined || o.labels !== undefined)
          throw new CliError('--dataset, --range and --labels go with --samples-file', 2)
        const samples = o.samples === undefined ? undefined : Number(o.samples)
        const seed = Number(o.seed)
        if (samples !== undefined && (!Number.isInteger(samples) || samples < 50 || samples > 10_000))
          throw new CliError('--samples must be a whole number from 50 to 10000', 2)
        if (!Number.isInteger(seed) || seed < 0) throw new CliError('--seed must be a non-negative whole number', 2)
        const modes = modesFrom(o.modes, o.std)
        await withHandlers(globals(), async (handlers) => {
          // The UI's runs.eval; unlike the Run page, a terminal may score a run that trains elsewhere.
          const r = await handlers['runs.eval']({ id: parseId(id), samples, seed, modes, whileTraining: true })
          if (globals().json) return printJson(r)
          printEvalReport(r)
        })
      },
    )
}
