/** The `gan-workbench` program: its commands, options and help texts, without running anything. */
import { Command } from 'commander'
import { APP_VERSION } from '../platform/version'
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
import type { GlobalOptions } from './context'

/** Every command and option, registered on a fresh commander program (the docs' test reads it too). */
export function buildProgram(): Command {
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
  return program
}
