/** `export ID --format tfjs|sampler --out DIR`: a run's generator as files that work elsewhere. */
import type { Command } from 'commander'
import path from 'node:path'
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../../export/export-run'
import { exportBundle, importBundle, type BundleProgress } from '../../export/run-bundle'
import { assertExportable } from '../../export/export-options'
import { parseId, withRegistry, type GlobalOptions } from '../context'
import { CliError, printJson } from '../output'

/** A progress line on stderr for large bundles (a terminal only; --json output stays one document). */
function bundleProgress(json: boolean | undefined): ((p: BundleProgress) => void) | undefined {
  if (json || !process.stderr.isTTY) return undefined
  return ({ done, total }) =>
    process.stderr.write(`\rbundling ${(done / 1024 ** 2).toFixed(1)} / ${(total / 1024 ** 2).toFixed(1)} MiB${done === total ? '\n' : ''}`)
}

export function registerExport(program: Command, globals: () => GlobalOptions): void {
  program
    .command('export')
    .argument('<id>', 'run id')
    .requiredOption(
      '-f, --format <format>',
      `${[...EXPORT_FORMATS, 'bundle'].join(' | ')}: TensorFlow.js files (+ weights.npz and a PyTorch loader), those plus an offline sampler page, a TensorFlow SavedModel (needs tensorflowjs_converter), or the whole run as one file for \`import\``,
    )
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('--step <step>', 'export the checkpoint saved at this step (default: the latest)')
    .option('--force', 'replace the output folder if it exists')
    .description("export a run's generator (with generator.json and a model card)")
    .action(async (id: string, o: { format: string; out: string; step?: string; force?: boolean }) => {
      if (o.format === 'bundle') {
        await withRegistry(globals(), async (registry, home) => {
          assertExportable(registry, parseId(id), 'bundle')
          const r = await exportBundle(registry, home, parseId(id), o.out, { force: o.force, onProgress: bundleProgress(globals().json) })
          if (globals().json) printJson({ run: Number(id), format: 'bundle', ...r })
          else
            console.log(
              `run ${id} exported to ${r.file} (${r.files} files, ${(r.bytes / 1024 ** 2).toFixed(1)} MiB); on another machine: gan-workbench import ${path.basename(r.file)}`,
            )
        })
        return
      }
      if (!(EXPORT_FORMATS as readonly string[]).includes(o.format))
        throw new CliError(`--format must be one of ${[...EXPORT_FORMATS, 'bundle'].join(', ')}`, 2)
      const step = o.step === undefined ? undefined : Number(o.step)
      if (step !== undefined && (!Number.isInteger(step) || step < 0))
        throw new CliError('--step must be a checkpoint step (a whole number)', 2)
      await withRegistry(globals(), async (registry) => {
        // The Export dialog's check (runs.export makes it too): a refusal reads the same at either door.
        assertExportable(registry, parseId(id), o.format as ExportFormat)
        const r = await exportRun(registry, parseId(id), o.format as ExportFormat, o.out, { step, force: o.force })
        if (globals().json) printJson({ run: Number(id), format: o.format, ...r })
        else {
          console.log(`run ${id} (checkpoint at step ${r.step}) exported as ${o.format} to ${r.dir}:`)
          console.log(`  ${r.files.join(', ')}`)
          if (o.format === 'sampler')
            console.log(
              `open ${r.dir}/index.html in a browser (works offline), or: node ${r.dir}/sample.mjs --n 64 --seed 0 --out samples.png`,
            )
        }
      })
    })
}

export function registerImport(program: Command, globals: () => GlobalOptions): void {
  program
    .command('import')
    .argument('<bundle>', 'a run bundle made by `export ID --format bundle`')
    .description('add an exported run to this registry (checksums verified; always as a new run)')
    .action(async (file: string) => {
      await withRegistry(globals(), (registry, home) => {
        const run = importBundle(registry, home, file)
        if (globals().json) printJson(run)
        else console.log(`imported as run ${run.id} (${run.name}, ${run.status}, step ${run.step}/${run.totalSteps})`)
      })
    })
}
