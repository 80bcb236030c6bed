/** `sample ID --n N --out FILE(.json|.png)`: draw from a run's generator at its last checkpoint. */
import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { toPairs } from '../../../src-shared/util/points'
import { dataShape, datasetClasses, infoganCodes, isPointData } from '../../../src-shared/config/validate'
import { sampleRun } from '../../model-io/sample'
import { scatterPng } from '../../export/scatter-png'
import { imageGridPng } from '../../util/image-grid'
import { createDataSource } from '../../datasets/create-data-source'
import { writeFileAtomic } from '../../util/atomic-fs'
import { withRegistry, parseId, type GlobalOptions } from '../context'
import { CliError, printJson } from '../output'

export function registerSample(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sample')
    .argument('<id>', 'run id')
    .requiredOption('--n <count>', 'how many samples', '1000')
    .requiredOption('-o, --out <file>', 'output file: .json (the samples) or .png (a plot)')
    .option('--seed <seed>', 'latent seed: the same seed gives the same samples', '0')
    .option('--label <class>', 'conditional models: draw this class (InfoGAN: categorical code) only (default: each in turn)')
    .description("sample a run's generator")
    .action(async (id: string, o: { n: string; out: string; seed: string; label?: string }) => {
      const n = Number(o.n)
      const seed = Number(o.seed)
      if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new CliError('--n must be a whole number from 1 to 100000', 2)
      if (!Number.isInteger(seed) || seed < 0) throw new CliError('--seed must be a non-negative whole number', 2)
      const ext = path.extname(o.out).toLowerCase()
      if (ext !== '.json' && ext !== '.png') throw new CliError('--out must end in .json or .png', 2)
      await withRegistry(globals(), async (registry) => {
        const run = registry.getRun(parseId(id))
        const classes = run.config.conditioning === 'infogan' ? infoganCodes(run.config).categorical : datasetClasses(run.config)
        let labels: number[] | undefined
        if (o.label !== undefined) {
          if (run.config.conditioning === 'none' || classes === undefined)
            throw new CliError(`--label: run ${run.id} is not a conditional model`, 2)
          const label = Number(o.label)
          if (!Number.isInteger(label) || label < 0 || label >= classes)
            throw new CliError(`--label must be a class from 0 to ${classes - 1}`, 2)
          labels = [label]
        }
        const flat = await sampleRun(registry, run.id, n, seed, labels)
        fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true })
        let what = ''
        if (isPointData(run.config)) {
          if (ext === '.json') writeFileAtomic(o.out, JSON.stringify({ run: run.id, seed, n, points: toPairs(flat) }))
          else {
            const real = createDataSource(run.config.dataset, seed).sample(n, seed + 1)
            writeFileAtomic(
              o.out,
              scatterPng([
                { points: real, color: [170, 170, 170] },
                { points: flat, color: [230, 100, 20] },
              ]),
            )
            what = ' (generated in orange over real data in grey)'
          }
        } else {
          const [h, w, c] = dataShape(run.config) as [number, number, number]
          if (ext === '.json') {
            const size = h * w * c
            const images = Array.from({ length: n }, (_, i) =>
              Array.from(flat.subarray(i * size, (i + 1) * size), (v) => Math.round(v * 1e4) / 1e4),
            )
            writeFileAtomic(o.out, JSON.stringify({ run: run.id, seed, n, shape: [h, w, c], range: [-1, 1], images }))
          } else {
            writeFileAtomic(o.out, imageGridPng(flat, { count: n, height: h, width: w }))
            what = ' (as a grid)'
          }
        }
        if (globals().json) printJson({ run: run.id, n, seed, out: path.resolve(o.out) })
        else console.log(`${n} samples of run ${run.id} written to ${o.out}${what}`)
      })
    })
}
