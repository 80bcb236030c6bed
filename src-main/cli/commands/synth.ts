/** `synth RUN --n N --out DIR` (generated training data) and `cas RUN` (train on it, test on real). */
import type { Command } from 'commander'
import { SYNTH_FORMATS, synthRun, type SynthFormat } from '../../export/synth'
import { classificationAccuracyScore } from '../../metrics/cas'
import { parseId, withRegistry, type GlobalOptions } from '../context'
import { CliError, printJson } from '../output'

const count = (text: string, what: string, min: number, max: number) => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${what} must be a whole number from ${min} to ${max}`, 2)
  return n
}

export function registerSynth(program: Command, globals: () => GlobalOptions): void {
  program
    .command('synth')
    .argument('<id>', 'run id')
    .requiredOption('--n <count>', 'how many samples')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option(
      '--format <format>',
      `${SYNTH_FORMATS.join(' | ')}: images as an IDX pair (an mnist-idx dataset, the default) or class folders of PNGs with labels.csv (a folder dataset); points as points.csv (a csv dataset, the default for point runs)`,
    )
    .option('--seed <seed>', 'latent seed', '0')
    .option('--force', 'replace the output folder')
    .description("write a run's generated samples, labelled, as a dataset")
    .action(async (id: string, o: { n: string; out: string; format?: string; seed: string; force?: boolean }) => {
      if (o.format !== undefined && !(SYNTH_FORMATS as readonly string[]).includes(o.format))
        throw new CliError(`--format must be one of ${SYNTH_FORMATS.join(', ')}`, 2)
      const n = count(o.n, '--n', 1, 1_000_000)
      await withRegistry(globals(), async (registry) => {
        const r = await synthRun(registry, parseId(id), n, o.out, {
          format: o.format as SynthFormat | undefined,
          seed: count(o.seed, '--seed', 0, 2 ** 31 - 1),
          force: o.force,
        })
        if (globals().json) return printJson(r)
        if (r.format === 'csv') {
          console.log(`${r.count} points written to ${r.file}`)
          return console.log(`train on them: --set 'dataset=${JSON.stringify({ kind: 'csv', file: r.file })}'`)
        }
        const how = {
          requested: 'the class each was drawn for',
          classifier: "the evaluation classifier's prediction",
          none: '0 (no classes known)',
        }[r.labels]
        console.log(`${r.count} samples written to ${r.dir}; labels: ${how}; per class ${r.perClass.join(' ')}`)
        console.log(
          r.format === 'idx'
            ? `train on them: --set 'dataset={"kind":"image","name":"mnist-idx","dir":"${r.dir}"}'`
            : `train on them: --set 'dataset={"kind":"folder","dir":"${r.dir}","labelsFromFolders":true,"classes":10}'`,
        )
      })
    })

  program
    .command('cas')
    .argument('<id>', 'run id of a cGAN or AC-GAN')
    .option('--samples <n>', 'generated (and real baseline) training images', '5000')
    .option('--epochs <n>', 'classifier training epochs', '3')
    .description(
      'Classification Accuracy Score: a classifier trained on generated data only, tested on real data, beside one trained on as much real data',
    )
    .action(async (id: string, o: { samples: string; epochs: string }) => {
      await withRegistry(globals(), async (registry) => {
        const r = await classificationAccuracyScore(registry, parseId(id), {
          samples: count(o.samples, '--samples', 100, 100_000),
          epochs: count(o.epochs, '--epochs', 1, 50),
        })
        if (globals().json) return printJson(r)
        console.log(
          `trained on ${r.samples} generated images, ${r.epochs} epochs: ${(100 * r.cas).toFixed(1)} % on ${r.testCount} real test images`,
        )
        console.log(`trained on ${r.samples} real images, same classifier:  ${(100 * r.realBaseline).toFixed(1)} %`)
      })
    })
}
