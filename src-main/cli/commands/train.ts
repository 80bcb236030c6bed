/** `train`, `resume`, `pause` and `stop`: run training in a trainer process, showing progress; Ctrl-C stops cleanly. */
import type { Command } from 'commander'
import { resolveHome, homePaths } from '../../platform/paths'
import { NotFoundError, Registry } from '../../registry/registry'
import { RunManager, waitsPaused } from '../../training/run-manager'
import { nodeSpawner } from '../../training/spawn-node'
import type { Placement, RunRecord, RunStatus } from '../../../src-shared/domain/run'
import { BACKENDS } from '../../../src-shared/config/experiment'
import { configFromFlags, type ConfigFlags } from '../config-source'
import { printJson, CliError, dropFailedOutputWrites } from '../output'
import { cliHandlers, parseId, sweepOrphans, withHandlers, type GlobalOptions } from '../context'
import type { Handlers } from '../../app/services'
import { thisProcess } from '../../util/process-identity'

function progressLine(step: number, total: number, metrics: Record<string, number>, sps?: number): string {
  const pct = total ? ((100 * step) / total).toFixed(1) : '0'
  const m = ['dLoss', 'gLoss', 'dReal', 'dFake']
    .filter((k) => k in metrics)
    .map((k) => `${k} ${metrics[k]!.toFixed(3)}`)
    .join('  ')
  return `step ${step}/${total} (${pct}%)  ${m}${sps ? `  ${Math.round(sps)} samples/s` : ''}`
}

/** Polls the registry until the run's status satisfies `done` (the trainer answers within a second), or the timeout. */
async function waitForStatus(registry: Registry, id: number, done: (s: RunStatus) => boolean, timeoutMs: number): Promise<RunRecord> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const run = registry.getRun(id)
    if (done(run.status)) return run
    if (Date.now() > until)
      throw new CliError(
        `run ${id} did not answer within ${timeoutMs / 1000} s (is its trainer busy with a checkpoint?); its request stands`,
      )
    await new Promise((r) => setTimeout(r, 200))
  }
}

function parsePauseAt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const step = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(step))
    throw new CliError('--pause-at must be a step number (a whole number, 0 or more)', 2)
  return step
}

/** Starts a run through `begin` (a handler over this command's run manager), then shows it train here until it ends. */
async function drive(opts: GlobalOptions, begin: (handlers: Handlers) => RunRecord | Promise<RunRecord>): Promise<void> {
  const home = resolveHome(opts.home)
  const registry = await Registry.open(homePaths(home).registry, { owner: thisProcess() })
  sweepOrphans(registry)
  const runs = new RunManager(registry, home, nodeSpawner())
  const tty = process.stderr.isTTY
  dropFailedOutputWrites()
  let lastPrint = 0
  runs.onEvent((name, data) => {
    if (name === 'run.progress') {
      const e = data as { step: number; totalSteps: number; metrics: Record<string, number>; samplesPerSec?: number }
      const now = Date.now()
      if (now - lastPrint < (tty ? 200 : 5000) && e.step !== e.totalSteps) return
      lastPrint = now
      const line = progressLine(e.step, e.totalSteps, e.metrics, e.samplesPerSec)
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`)
    } else if (name === 'run.status') {
      const e = data as { status: string; error?: string | null }
      if (tty) process.stderr.write('\n')
      process.stderr.write(`status: ${e.status}${e.error ? ` (${e.error})` : ''}\n`)
    }
  })
  try {
    const run = await begin(cliHandlers(registry, runs, home))
    process.stderr.write(`run ${run.id} (${run.name}) started; data in ${home}\n`)
    // Ctrl-C, a `kill` (SIGTERM) and a closed terminal (SIGHUP) all stop the run the same way:
    // the trainer saves a checkpoint and the run ends `stopped`, resumable. A second one abandons it.
    let interrupts = 0
    const onSignal = (signal: NodeJS.Signals) => {
      interrupts++
      if (interrupts === 1) {
        const again = signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again`
        process.stderr.write(`\n${signal === 'SIGINT' ? '' : `${signal}: `}stopping after the current step (${again} to abandon)…\n`)
        runs.stop(run.id)
      } else {
        void runs.shutdown(0).then(() => process.exit(130))
      }
    }
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
    for (const s of signals) process.on(s, onSignal)
    const final = await runs.waitFor(run.id).catch((e: unknown) => {
      if (e instanceof NotFoundError) throw new CliError(`run ${run.id} was deleted while it was paused; its trainer ended without saving`)
      throw e
    })
    for (const s of signals) process.off(s, onSignal)
    const unrecorded = runs.unrecorded(run.id)
    if (unrecorded) throw new CliError(`run ${run.id}: ${unrecorded}`)
    if (opts.json) printJson(final)
    else
      process.stderr.write(
        `run ${final.id} ${final.status}${final.samplesPerSec ? `, ${Math.round(final.samplesPerSec)} samples/s on ${final.backend}` : ''}\n`,
      )
    if (final.status === 'failed' || final.status === 'diverged' || final.status === 'interrupted') {
      throw new CliError(`run ${final.id} ${final.status}: ${final.error ?? 'no detail'}`)
    }
  } finally {
    registry.close()
  }
}

export function registerTrain(program: Command, globals: () => GlobalOptions): void {
  program
    .command('train')
    .description('train a GAN from a preset or a config file')
    .option('-p, --preset <name>', 'a catalog preset (see `presets list`)')
    .option('-c, --config <file>', 'an experiment config JSON file')
    .option(
      '-s, --set <key=value>',
      'override a config field, e.g. training.epochs=5 (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('-b, --backend <name>', `force a backend: ${BACKENDS.join(', ')}`)
    .option('-n, --name <name>', 'a name for the run')
    .option('-e, --experiment <name>', 'group the run under an experiment', 'default')
    .option('--target <where>', "'local' trains here; 'queue' leaves the run for `serve --queue` to give to a worker", 'local')
    .option('--pause-at <step>', 'pause on reaching this step (e.g. to look at its samples); `resume ID` goes on')
    .action(async (flags: ConfigFlags & { name?: string; experiment?: string; target: string; pauseAt?: string }) => {
      const source = configFromFlags(flags)
      if (flags.target !== 'local' && flags.target !== 'queue') throw new CliError("--target is 'local' or 'queue'", 2)
      const request = {
        ...source,
        name: flags.name,
        experiment: flags.experiment,
        target: flags.target as Placement,
        pauseAtStep: parsePauseAt(flags.pauseAt),
      }
      if (flags.target === 'queue') {
        // The UI's runs.start: recorded as a queued run for whichever `serve --queue` serves this data directory.
        const run = await withHandlers(globals(), (handlers) => handlers['runs.start'](request))
        if (globals().json) return printJson(run)
        return console.log(
          `run ${run.id} (${run.name}) queued for the job queue: a \`serve --queue …\` on this data directory gives it to a worker`,
        )
      }
      // The same request, started over this command's run manager: the trainer runs here, shown as it trains.
      await drive(globals(), (handlers) => handlers['runs.start'](request))
    })

  program
    .command('fork')
    .description("start a child run from a run's checkpoint with some settings changed")
    .argument('<id>', 'parent run id')
    .option('--epoch <n>', 'fork from the last checkpoint at or before this epoch (default: the latest)')
    .option(
      '-s, --set <key=value>',
      'a config change, e.g. optimizers.discriminator.learningRate=1e-4 (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('-n, --name <name>', 'a name for the child run')
    .action(async (id: string, o: { epoch?: string; set: string[]; name?: string }) => {
      const epoch = o.epoch === undefined ? undefined : Number(o.epoch)
      if (epoch !== undefined && (!Number.isInteger(epoch) || epoch < 0)) throw new CliError('--epoch must be a whole number', 2)
      await drive(globals(), (handlers) => handlers['runs.fork']({ id: parseId(id), epoch, overrides: o.set, name: o.name }))
    })

  program
    .command('resume')
    .description('continue a paused run where it waits, or a stopped or interrupted run from its last checkpoint')
    .argument('<id>', 'run id')
    .option('--pause-at <step>', 'pause on reaching this step (a run that goes on from its checkpoint)')
    .action(async (id: string, o: { pauseAt?: string }) => {
      const request = { id: parseId(id), pauseAtStep: parsePauseAt(o.pauseAt) }
      // The UI's runs.resume either way. A paused run's trainer (in whatever process) goes on where it
      // waits; any other resumes from its checkpoint in a trainer of this process, shown as it trains.
      const paused = await withHandlers(globals(), (handlers, registry) =>
        waitsPaused(registry, registry.getRun(request.id)) ? handlers['runs.resume'](request) : null,
      )
      if (!paused) return drive(globals(), (handlers) => handlers['runs.resume'](request))
      if (globals().json) printJson(paused)
      else console.log(`run ${paused.id} resumes where it paused, at step ${paused.step}`)
    })

  program
    .command('pause')
    .description('pause a running run: its trainer waits with everything in memory until `resume`')
    .argument('<id>', 'run id')
    .action(async (id: string) => {
      await withHandlers(globals(), async (handlers, registry) => {
        // The UI's runs.pause: refused unless running; a request the trainer reads from the registry.
        const run = await handlers['runs.pause']({ id: parseId(id) })
        const final = await waitForStatus(registry, run.id, (s) => s !== 'running', 30_000)
        if (globals().json) printJson(final)
        else
          console.log(
            final.status === 'paused'
              ? `run ${run.id} paused at step ${final.step}; \`gan-workbench resume ${run.id}\` goes on`
              : `run ${run.id} is ${final.status}`,
          )
      })
    })

  program
    .command('stop')
    .description('stop a running or paused run (it saves a checkpoint; `resume` continues it later), or a queue run no worker took yet')
    .argument('<id>', 'run id')
    .action(async (id: string) => {
      await withHandlers(globals(), async (handlers, registry) => {
        const run = registry.getRun(parseId(id))
        const queued = run.status === 'queued' && run.placement === 'queue'
        if (!queued && run.status !== 'running' && run.status !== 'paused')
          throw new CliError(`run ${run.id} is ${run.status}, not running or paused`)
        // The UI's runs.stop: a queue run no worker took is stopped here; a trainer elsewhere is asked through the registry.
        const stopped = await handlers['runs.stop']({ id: run.id })
        if (queued) {
          if (globals().json) return printJson(stopped)
          return console.log(`run ${run.id} stopped before any worker took it`)
        }
        const final = await waitForStatus(registry, run.id, (s) => s !== 'running' && s !== 'paused', 60_000)
        if (globals().json) printJson(final)
        else console.log(`run ${run.id} ${final.status} at step ${final.step}`)
      })
    })
}
