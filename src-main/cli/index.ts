/** The `gan-workbench` command line (built as out/main/cli.js; bin/gan-workbench.mjs runs it). */
import { Command, CommanderError } from 'commander'
import { APP_VERSION } from '../app/version'
import { registerTrain } from './commands/train'
import { registerRuns } from './commands/runs'
import { registerSample } from './commands/sample'
import { registerPresets } from './commands/presets'
import { registerModel } from './commands/model'
import { registerServe } from './commands/serve'
import { registerDoctor } from './commands/doctor'
import { registerExport, registerImport } from './commands/export'
import { registerEval } from './commands/eval'
import { registerSynth } from './commands/synth'
import { registerTransfer } from './commands/transfer'
import { registerDatasets } from './commands/datasets'
import { registerBench } from './commands/bench'
import { registerWorker } from './commands/worker'
import { registerSweep } from './commands/sweep'
import { registerReproduce } from './commands/reproduce'
import { registerTrace } from './commands/trace'
import { reportError, type CliError } from './output'
import type { GlobalOptions } from './context'

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
  program
    .name('gan-workbench')
    .description('Design, train, compare and export GANs on your own machine.')
    .version(APP_VERSION)
    .option('--home <dir>', 'data directory (default: GAN_WORKBENCH_HOME or the per-user data dir)')
    .option('--json', 'machine-readable output (one JSON document on stdout)')
    .showHelpAfterError()
    .exitOverride()
  const globals = () => program.opts<GlobalOptions>()
  registerTrain(program, globals)
  registerRuns(program, globals)
  registerSample(program, globals)
  registerPresets(program, globals)
  registerModel(program, globals)
  registerServe(program, globals)
  registerDoctor(program, globals)
  registerExport(program, globals)
  registerImport(program, globals)
  registerEval(program, globals)
  registerSynth(program, globals)
  registerTransfer(program, globals)
  registerDatasets(program, globals)
  registerBench(program)
  registerWorker(program, globals)
  registerSweep(program, globals)
  registerReproduce(program, globals)
  registerTrace(program, globals)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2
    return reportError(e as CliError, Boolean(globals().json))
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    // serve keeps running: its handlers exit; everything else ends here.
    if (code !== 0) process.exit(code)
  })
}
