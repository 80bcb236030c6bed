/**
 * `trace (--preset NAME | --config FILE) [--set k=v] [--steps N] --out DIR`: record a config's first
 * N training steps (initial weights, batches, latents, labels, losses) for checking the engine
 * against another framework (tests/helpers/torch_parity.py does it with PyTorch).
 */
import type { Command } from 'commander'
import { validateExperiment } from '../../../src-shared/config/validate'
import { BACKENDS } from '../../../src-shared/config/experiment'
import { checkTraceDir, MAX_TRACE_STEPS, TraceError, traceSteps, withoutDropout, writeTrace } from '../../training/step-trace'
import { resolvedConfig, type ConfigFlags } from '../config-source'
import { CliError, printJson } from '../output'
import type { GlobalOptions } from '../context'

export function registerTrace(program: Command, globals: () => GlobalOptions): void {
  program
    .command('trace')
    .description(
      "record a config's first training steps (weights, batches, latents, labels, losses) to check the engine against another framework",
    )
    .option('-p, --preset <name>', 'a catalog preset (see `presets list`)')
    .option('-c, --config <file>', 'an experiment config JSON file')
    .option(
      '-s, --set <key=value>',
      'override a config field, e.g. training.batchSize=16 (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('-b, --backend <name>', `force a backend: ${BACKENDS.join(', ')}`)
    .option('--steps <n>', `how many iterations (1 to ${MAX_TRACE_STEPS})`, '50')
    .option(
      '--state-every <n>',
      'also record the weights and optimizer state before every n-th step (default: before the first and after the last only)',
    )
    .option('--state-first <k>', "and before each of the first k steps (Adam's first updates amplify float32 rounding most)", '0')
    .option(
      '--without-dropout',
      "set every dropout rate to 0: its masks come from tfjs' random generator, which another framework cannot replay",
    )
    .requiredOption('-o, --out <dir>', 'directory for trace.json and tensors.f32 (new, empty, or a previous trace)')
    .action(async (o: ConfigFlags & { steps: string; out: string; stateEvery?: string; stateFirst: string; withoutDropout?: boolean }) => {
      const steps = Number(o.steps)
      if (!Number.isInteger(steps) || steps < 1 || steps > MAX_TRACE_STEPS)
        throw new CliError(`--steps must be a whole number from 1 to ${MAX_TRACE_STEPS}`, 2)
      const stateEvery = o.stateEvery === undefined ? steps : Number(o.stateEvery)
      if (!Number.isInteger(stateEvery) || stateEvery < 1)
        throw new CliError('--state-every must be a whole number of steps, at least 1', 2)
      const stateFirst = Number(o.stateFirst)
      if (!Number.isInteger(stateFirst) || stateFirst < 0) throw new CliError('--state-first must be a whole number of steps', 2)
      const validated = validateExperiment(resolvedConfig(o)).config
      const config = o.withoutDropout ? withoutDropout(validated) : validated
      try {
        checkTraceDir(o.out)
        const trace = await traceSteps(config, steps, { stateEvery, stateFirst })
        const { bytes } = writeTrace(o.out, trace)
        const last = trace.index.metrics[steps - 1]!
        if (globals().json) printJson({ out: o.out, steps, backend: trace.index.backend, bytes, last })
        else
          process.stderr.write(
            `traced ${steps} step${steps === 1 ? '' : 's'} on ${trace.index.backend} into ${o.out} (${(bytes / 1e6).toFixed(1)} MB); last step: dLoss ${last.dLoss!.toFixed(4)}, gLoss ${last.gLoss!.toFixed(4)}\n`,
          )
      } catch (e) {
        if (e instanceof TraceError) throw new CliError(e.message, 2)
        throw e
      }
    })
}
