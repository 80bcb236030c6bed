/** `export ID --format tfjs|sampler --out DIR`: a run's generator as files that work elsewhere. */
import type { Command } from 'commander'
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../../export/export-run'
import { parseId, withRegistry, type GlobalOptions } from '../context'
import { CliError, printJson } from '../output'

export function registerExport(program: Command, globals: () => GlobalOptions): void {
  program
    .command('export')
    .argument('<id>', 'run id')
    .requiredOption('-f, --format <format>', `${EXPORT_FORMATS.join(' | ')}: TensorFlow.js files, or those plus an offline sampler page`)
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('--step <step>', 'export the checkpoint saved at this step (default: the latest)')
    .option('--force', 'replace the output folder if it exists')
    .description("export a run's generator (with generator.json and a model card)")
    .action(async (id: string, o: { format: string; out: string; step?: string; force?: boolean }) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`, 2)
      const step = o.step === undefined ? undefined : Number(o.step)
      if (step !== undefined && (!Number.isInteger(step) || step < 0)) throw new CliError('--step must be a checkpoint step (a whole number)', 2)
      await withRegistry(globals(), async (registry) => {
        const r = await exportRun(registry, parseId(id), o.format as ExportFormat, o.out, { step, force: o.force })
        if (globals().json) printJson({ run: Number(id), format: o.format, ...r })
        else {
          console.log(`run ${id} (checkpoint at step ${r.step}) exported as ${o.format} to ${r.dir}:`)
          console.log(`  ${r.files.join(', ')}`)
          if (o.format === 'sampler') console.log(`open ${r.dir}/index.html in a browser (works offline), or: node ${r.dir}/sample.mjs --n 64 --seed 0 --out samples.png`)
        }
      })
    })
}
