/** `sweep` (start a grid or random sweep, here or on the queue) and `sweeps` (list them). */
import type { Command } from 'commander'
import { resolveHome, homePaths } from '../../platform/paths'
import { Registry } from '../../registry/registry'
import { RunManager } from '../../training/run-manager'
import { nodeSpawner } from '../../training/spawn-node'
import { isProcessAlive, thisProcess } from '../../util/process-identity'
import { parseAxis, SweepError } from '../../../src-shared/config/sweep'
import { ACTIVE_STATUSES } from '../../../src-shared/domain/run'
import { configFromFlags, type ConfigFlags } from '../config-source'
import { CliError, dropFailedOutputWrites, printJson } from '../output'
import { cliHandlers, withHandlers, type GlobalOptions } from '../context'

const collect = (v: string, acc: string[]) => [...acc, v]

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

export function registerSweep(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sweep')
    .description('start a sweep: every combination of --grid values (or --random N of them) as one group of runs')
    .option('-p, --preset <name>', 'the base config: a catalog preset')
    .option('-c, --config <file>', 'the base config: an experiment config JSON file')
    .option('-s, --set <key=value>', 'a change to the base config (repeatable)', collect, [])
    .option('-g, --grid <path=v1,v2,…>', 'a field to vary and its values (repeatable), e.g. training.batchSize=64,128', collect, [])
    .option('--random <n>', 'draw n distinct combinations of the grid instead of all of them')
    .option('--seed <n>', 'seed of the random draw', '0')
    .option('-n, --name <name>', 'a name for the sweep (its runs are NAME-1, NAME-2, …)')
    .option(
      '--target <where>',
      "'local' trains the runs here one after another; 'queue' leaves them for `serve --queue` to give to workers",
      'local',
    )
    .action(async (flags: ConfigFlags & { grid: string[]; random?: string; seed: string; name?: string; target: string }) => {
      dropFailedOutputWrites()
      if (flags.target !== 'local' && flags.target !== 'queue') throw new CliError("--target is 'local' or 'queue'", 2)
      if (flags.grid.length === 0) throw new CliError('give at least one --grid path=v1,v2,…', 2)
      const random = flags.random === undefined ? undefined : Number(flags.random)
      let grid
      try {
        grid = flags.grid.map(parseAxis)
      } catch (e) {
        if (e instanceof SweepError) throw new CliError(e.message, 2)
        throw e
      }
      const source = configFromFlags(flags)
      const home = resolveHome(globals().home)
      const registry = await Registry.open(homePaths(home).registry, { owner: thisProcess() })
      try {
        registry.markOrphansInterrupted(isProcessAlive)
        const runs = new RunManager(registry, home, nodeSpawner())
        let started
        try {
          // The UI's sweeps.start, over this command's run manager: a local sweep trains in this process.
          started = await cliHandlers(registry, runs, home)['sweeps.start']({
            ...source,
            grid,
            random,
            seed: Number(flags.seed),
            name: flags.name,
            target: flags.target,
          })
        } catch (e) {
          if (e instanceof SweepError) throw new CliError(e.message, 2)
          throw e
        }
        const { sweep } = started
        const ids = sweep.runIds
        if (flags.target === 'queue') {
          if (globals().json) return printJson(started)
          console.log(
            `sweep ${sweep.id} (${sweep.name}): runs ${ids.join(', ')} queued for the job queue; a \`serve --queue …\` on ${home} gives them to workers`,
          )
          return
        }
        process.stderr.write(`sweep ${sweep.id} (${sweep.name}): ${ids.length} runs, trained here one after another (Ctrl-C stops them)\n`)
        // Ctrl-C, SIGTERM and a closed terminal (SIGHUP) stop the sweep's runs the same way.
        const onSigint = () => {
          for (const id of ids) runs.stop(id)
        }
        for (const s of STOP_SIGNALS) process.on(s, onSigint)
        const reported = new Set<number>()
        for (;;) {
          for (const id of ids) {
            const run = registry.getRun(id)
            if (!reported.has(id) && !ACTIVE_STATUSES.includes(run.status)) {
              reported.add(id)
              process.stderr.write(`run ${id} (${run.name}) ${run.status}${run.error ? `: ${run.error}` : ''}\n`)
            }
          }
          if (reported.size === ids.length) break
          await new Promise((r) => setTimeout(r, 500))
        }
        for (const s of STOP_SIGNALS) process.off(s, onSigint)
        if (globals().json) printJson(registry.repos.sweeps.list().find((s) => s.id === sweep.id))
      } finally {
        registry.close()
      }
    })

  program
    .command('sweeps')
    .description('list sweeps and how their runs stand')
    .action(() =>
      withHandlers(globals(), async (handlers) => {
        const sweeps = await handlers['sweeps.list']({})
        if (globals().json) return printJson(sweeps)
        if (sweeps.length === 0) return console.log('no sweeps yet: start one with `gan-workbench sweep`')
        for (const s of sweeps) {
          const statuses = Object.entries(s.statuses)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')
          console.log(
            `${s.id}\t${s.name}\t${s.grid.map((a) => `${a.path}=${a.values.join(',')}`).join(' ')}${s.random ? ` (random ${s.random})` : ''}\truns ${s.runIds.join(',')}\t${statuses}`,
          )
        }
      }),
    )
}
