/**
 * `reproduce NAME… [--seeds N] [--quick] [--target local|queue] [--reuse]`: trains a catalog recipe over N
 * seeds through the same run manager `train` uses, scores each run with its paper's protocol and
 * prints the paper's figures beside ours; `--list` shows the catalog; `--write-docs [FILE]` writes
 * docs/reproductions.md from the latest stored results. Ctrl-C stops cleanly (the current run
 * checkpoints; the table shows the seeds that ran).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { resolveHome, homePaths } from '../../platform/paths'
import { isProcessAlive, thisProcess } from '../../util/process-identity'
import { Registry } from '../../registry/registry'
import { RunManager } from '../../training/run-manager'
import { nodeSpawner } from '../../training/spawn-node'
import { DEFAULT_SEEDS, MAX_SEEDS, requireReproduction, startReproduction } from '../../reproductions/reproduction-service'
import { textTable } from '../../reproductions/report'
import { previousDocs, reproductionsMarkdown } from '../../reproductions/docs'
import { REPRODUCTIONS, recipeSteps } from '../../../src-shared/reproductions/catalog'
import { summarize } from '../../../src-shared/reproductions/summary'
import type { ReproductionProgressEvent, ReproductionRecord } from '../../../src-shared/domain/reproduction'
import { writeFileAtomic } from '../../util/atomic-fs'
import { CliError, dropFailedOutputWrites, printJson, table } from '../output'
import { withRegistry, type GlobalOptions } from '../context'

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

interface Flags {
  seeds: string
  quick?: boolean
  target: string
  reuse?: boolean
  all?: boolean
  list?: boolean
  writeDocs?: string | boolean
}

export const DEFAULT_DOCS_FILE = path.join('docs', 'reproductions.md')

function progressLine(e: ReproductionProgressEvent): string {
  const pct = e.step !== undefined && e.totalSteps ? ` (${((100 * e.step) / e.totalSteps).toFixed(0)} %)` : ''
  return `[${e.name} ${Math.min(e.seedIndex, e.seeds)}/${e.seeds}] ${e.message}${pct}`
}

/**
 * A log (stderr not a terminal) gets a line when the stage or seed changes and at the first step
 * counted, else one every 15 s: a line per ten steps filled it with thousands.
 */
const LOG_INTERVAL_MS = 15_000
export function progressPrinter(
  tty: boolean,
  write: (text: string) => void = (text) => process.stderr.write(text),
  clock: () => number = Date.now,
): (e: ReproductionProgressEvent) => void {
  let last = { key: '', at: 0 }
  return (e) => {
    const line = progressLine(e)
    if (tty) return write(`\r\x1b[2K${line}${e.stage === 'done' ? '\n' : ''}`)
    const key = `${e.stage} ${e.seedIndex} ${(e.step ?? 0) > 0}`
    const now = clock()
    if (key === last.key && now - last.at < LOG_INTERVAL_MS) return
    last = { key, at: now }
    write(`${line}\n`)
  }
}

function writeDocs(registry: Registry, file: string, quick: boolean): string {
  const target = path.resolve(file)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const previous = fs.existsSync(target) ? previousDocs(fs.readFileSync(target, 'utf8'), quick) : undefined
  const generatedAt = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
  writeFileAtomic(target, reproductionsMarkdown(registry.repos.reproductions.latest(quick), { quick, generatedAt, previous }))
  return target
}

export function registerReproduce(program: Command, globals: () => GlobalOptions): void {
  program
    .command('reproduce')
    .argument('[names...]', 'reproductions to run (see --list)')
    .option('--seeds <n>', `seeds per reproduction (training.seed 1 … n; 1 to ${MAX_SEEDS})`, String(DEFAULT_SEEDS))
    .option('--quick', "the entries' tiny test budget (a few steps): exercises the whole path in seconds; not a reproduction")
    .option(
      '--target <where>',
      "'local' trains the runs here one after another; 'queue' puts them on the job queue as a sweep (a `serve --queue` on this data directory gives them to workers) and waits",
      'local',
    )
    .option(
      '--reuse',
      'score again, instead of training again, the seeds an earlier reproduction of the same entry trained with exactly this config (each such seed names that reproduction and its commit); local target only',
    )
    .option('--all', 'every reproduction of the catalog, one after another')
    .option('--list', 'list the catalog: paper, recipe, budget, protocol')
    .option(
      '--write-docs [file]',
      `write the latest stored result of every reproduction as Markdown (default ${DEFAULT_DOCS_FILE}); after the runs when names are given`,
    )
    .description("train a paper's recipe over several seeds, score it with the paper's protocol, and print our figures beside the paper's")
    .action(async (names: string[], flags: Flags) => {
      dropFailedOutputWrites()
      const json = Boolean(globals().json)
      if (flags.list) {
        const rows = REPRODUCTIONS.map((e) => ({
          name: e.name,
          paper: `${e.paper.authors.split(',')[0]} ${e.paper.year}`,
          recipe: [e.recipe.preset, ...e.recipe.overrides].join(' '),
          steps: recipeSteps(e).toLocaleString('en-US'),
          protocol: e.protocol.kind,
          title: e.title,
        }))
        if (json) return printJson(REPRODUCTIONS.map((e) => ({ ...e, steps: recipeSteps(e), quickSteps: recipeSteps(e, true) })))
        return console.log(table(rows, ['name', 'paper', 'recipe', 'steps', 'protocol', 'title']))
      }
      if (flags.target !== 'local' && flags.target !== 'queue') throw new CliError("--target is 'local' or 'queue'", 2)
      if (flags.reuse && flags.target !== 'local') throw new CliError('--reuse works with --target local only', 2)
      const seeds = Number(flags.seeds)
      if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SEEDS)
        throw new CliError(`--seeds must be a whole number from 1 to ${MAX_SEEDS}`, 2)
      const chosen = flags.all ? REPRODUCTIONS.map((e) => e.name) : names
      const docsFile: string | undefined =
        flags.writeDocs === undefined || flags.writeDocs === false
          ? undefined
          : flags.writeDocs === true
            ? DEFAULT_DOCS_FILE
            : flags.writeDocs
      if (chosen.length === 0) {
        if (docsFile === undefined) throw new CliError('name a reproduction (see `reproduce --list`), or give --all or --write-docs', 2)
        const written = await withRegistry(globals(), (registry) => writeDocs(registry, docsFile, Boolean(flags.quick)))
        return json ? printJson({ docs: written }) : console.log(`wrote ${written}`)
      }
      for (const name of chosen) {
        try {
          requireReproduction(name)
        } catch (e) {
          throw new CliError((e as Error).message, 2)
        }
      }

      const home = resolveHome(globals().home)
      const registry = await Registry.open(homePaths(home).registry, { owner: thisProcess() })
      const outcomes: ReproductionRecord[] = []
      try {
        registry.markOrphansInterrupted(isProcessAlive)
        const runs = new RunManager(registry, home, nodeSpawner())
        const tty = process.stderr.isTTY
        let interrupted = false
        let stopCurrent: (() => void) | null = null
        let interrupts = 0
        const onSigint = () => {
          interrupts++
          interrupted = true
          if (interrupts === 1) {
            process.stderr.write('\nstopping: the current run checkpoints and no more start (Ctrl-C again to abandon)…\n')
            stopCurrent?.()
          } else {
            void runs.shutdown(0).then(() => process.exit(130))
          }
        }
        // Ctrl-C, a `kill` (SIGTERM) and a closed terminal (SIGHUP) stop it the same way, so the
        // reproduction is recorded as stopped rather than left running until the next start.
        for (const signal of STOP_SIGNALS) process.on(signal, onSigint)
        try {
          for (const name of chosen) {
            if (interrupted) break
            const command = [
              'gan-workbench',
              'reproduce',
              name,
              '--seeds',
              String(seeds),
              ...(flags.quick ? ['--quick'] : []),
              ...(flags.target === 'queue' ? ['--target', 'queue'] : []),
              ...(flags.reuse ? ['--reuse'] : []),
            ].join(' ')
            const handle = startReproduction(
              registry,
              runs,
              { name, seeds, quick: flags.quick, target: flags.target as 'local' | 'queue', reuse: flags.reuse, command },
              progressPrinter(Boolean(tty)),
            )
            stopCurrent = handle.stop
            process.stderr.write(
              `reproduction ${handle.record.id} (${name}): ${seeds} seed${seeds > 1 ? 's' : ''}, ${handle.record.steps.toLocaleString('en-US')} steps each${flags.quick ? ' (quick)' : ''}, data in ${home}\n`,
            )
            const final = await handle.done
            stopCurrent = null
            outcomes.push(final)
            if (!json) console.log(`${textTable(final)}\n`)
          }
        } finally {
          for (const signal of STOP_SIGNALS) process.off(signal, onSigint)
        }
        if (docsFile !== undefined) {
          const written = writeDocs(registry, docsFile, Boolean(flags.quick))
          if (!json) console.log(`wrote ${written}`)
        }
        if (json) printJson({ reproductions: outcomes.map((r) => ({ ...r, summary: summarize(r) })) })
        if (interrupted) throw new CliError('stopped (Ctrl-C): the table shows the seeds that ran', 130)
        const failed = outcomes.find((r) => r.status === 'failed')
        if (failed) throw new CliError(`reproduction ${failed.id} (${failed.name}) failed: ${failed.error}`)
      } finally {
        registry.close()
      }
    })
}
