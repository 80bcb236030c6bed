/** `runs list|show|tag|note|rm`: the registry from the terminal. */
import type { Command } from 'commander'
import type { Diagnosis } from '../../../src-shared/metrics/diagnostics'
import { RUN_STATUSES, type RunRecord, type RunStatus } from '../../../src-shared/domain/run'
import { withHandlers, parseId, type GlobalOptions } from '../context'
import { printJson, table, CliError } from '../output'
import { transferTable } from './transfer'

function summaryRow(r: RunRecord) {
  const fmt = (v: number | undefined) => (v === undefined ? '' : v.toFixed(3))
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    gan: r.gan,
    dataset: r.dataset,
    backend: r.backend ?? '',
    progress: `${r.step}/${r.totalSteps}`,
    dLoss: fmt(r.lastMetrics.dLoss),
    gLoss: fmt(r.lastMetrics.gLoss),
    tags: r.tags.join(','),
    created: r.createdAt.replace('T', ' ').slice(0, 19),
  }
}

function show(r: RunRecord): string {
  const lines = [
    `run ${r.id}: ${r.name}  [${r.status}]`,
    `experiment  ${r.experiment}`,
    `gan         ${r.gan} (${r.config.loss.generator} generator loss, k=${r.config.training.dSteps})`,
    `dataset     ${r.dataset}`,
    `backend     ${r.backend ?? '-'}${r.backendReason ? ` (${r.backendReason})` : ''}`,
    `progress    step ${r.step}/${r.totalSteps}, epoch ${r.epoch}/${r.config.training.epochs}`,
    `throughput  ${r.samplesPerSec ? `${Math.round(r.samplesPerSec)} samples/s` : '-'}`,
    `seed        ${r.seed}`,
    `created     ${r.createdAt}`,
    `started     ${r.startedAt ?? '-'}`,
    `finished    ${r.finishedAt ?? '-'}`,
    `tags        ${r.tags.join(', ') || '-'}`,
    `notes       ${r.notes || '-'}`,
  ]
  if (r.placement === 'queue') lines.push(`trained on  the job queue${r.worker ? `, by worker ${r.worker}` : ' (no worker yet)'}`)
  if (r.sweepId) lines.push(`sweep       ${r.sweepId} (\`sweeps\` lists it)`)
  if (r.parentRunId) lines.push(`parent      run ${r.parentRunId} at epoch ${r.parentEpoch}`)
  if (r.error) lines.push(`error       ${r.error}`)
  const metrics = Object.entries(r.lastMetrics).map(([k, v]) => `${k}=${v.toFixed(4)}`)
  if (metrics.length) lines.push(`metrics     ${metrics.join('  ')}`)
  return lines.join('\n')
}

/** The Health panel in text: a diagnosis that is over says since when and why, without remedies. */
export function showDiagnoses(diagnoses: Diagnosis[]): string {
  if (diagnoses.length === 0) return '\nhealth      no problems recognised'
  return diagnoses
    .map((d) =>
      [
        `\nhealth      ${d.title} (from step ${d.step}, recognised at ${d.detectedAt})${d.recovered ? `, over from step ${d.recovered.step} (recognised at ${d.recovered.detectedAt})` : ''}`,
        `            ${d.explanation}`,
        `            evidence: ${d.evidence}`,
        d.recovered ? `            recovered: ${d.recovered.evidence}` : `            try: ${d.remedies.join('; ')}`,
      ].join('\n'),
    )
    .join('')
}

export function registerRuns(program: Command, globals: () => GlobalOptions): void {
  const runs = program.command('runs').description('list, inspect, tag, annotate and delete runs')

  runs
    .command('list')
    .description('list runs, newest first')
    .option('--status <status>', `only runs with this status (${RUN_STATUSES.join(', ')})`)
    .option('--search <text>', 'search names, notes, datasets and tags')
    .option('--tag <tag>', 'only runs with this tag')
    .option('--experiment <name>', 'only runs of this experiment')
    .option('--limit <n>', 'at most n runs', '100')
    .action(async (o: { status?: string; search?: string; tag?: string; experiment?: string; limit: string }) => {
      if (o.status && !(RUN_STATUSES as readonly string[]).includes(o.status)) {
        throw new CliError(`unknown status "${o.status}"; one of ${RUN_STATUSES.join(', ')}`, 2)
      }
      const limit = Number(o.limit)
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive whole number', 2)
      await withHandlers(globals(), async (handlers) => {
        const list = await handlers['runs.list']({
          status: o.status as RunStatus | undefined,
          search: o.search,
          tag: o.tag,
          experiment: o.experiment,
          limit,
        })
        if (globals().json) return printJson(list)
        if (list.length === 0) return console.log('no runs yet: try `gan-workbench train --preset mlp-2d-ring8`')
        console.log(
          table(list.map(summaryRow), [
            'id',
            'name',
            'status',
            'gan',
            'dataset',
            'backend',
            'progress',
            'dLoss',
            'gLoss',
            'tags',
            'created',
          ]),
        )
      })
    })

  runs
    .command('show')
    .argument('<id>', 'run id')
    .description('show one run')
    .action(async (id: string) => {
      await withHandlers(globals(), async (handlers) => {
        const run = await handlers['runs.get']({ id: parseId(id) })
        const diagnoses = await handlers['runs.diagnoses']({ id: run.id })
        const transfers = await handlers['runs.transfers']({ id: run.id })
        if (globals().json) printJson({ ...run, diagnoses, transfers })
        else {
          console.log(show(run) + showDiagnoses(diagnoses))
          for (const t of transfers)
            console.log(
              `\n${t.status === 'completed' ? transferTable(t) : `transfer ${t.id}: ${t.status}${t.error ? ` (${t.error})` : ''}`}`,
            )
        }
      })
    })

  runs
    .command('compare')
    .argument('<ids...>', 'two or more run ids')
    .description('what differs between runs: config fields and final metrics')
    .action(async (ids: string[]) => {
      if (ids.length < 2) throw new CliError('give at least two run ids', 2)
      await withHandlers(globals(), async (handlers) => {
        const cmp = await handlers['runs.compare']({ ids: ids.map(parseId) })
        if (globals().json) return printJson(cmp)
        const heads = cmp.runs.map((r) => `#${r.id} ${r.name}`)
        const cell = (v: unknown) => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : JSON.stringify(v))
        const row = (key: string, label: string, values: unknown[]) =>
          Object.fromEntries([[key, label], ...values.map((v, i) => [heads[i]!, cell(v)])])
        console.log(
          cmp.configDiff.length
            ? table(
                cmp.configDiff.map((d) => row('field', d.path, d.values)),
                ['field', ...heads],
              )
            : 'configs are identical',
        )
        console.log('')
        const metrics = Object.entries(cmp.finalMetrics).map(([k, values]) =>
          row(
            'final metric',
            k,
            values.map((v) => v ?? '—'),
          ),
        )
        console.log(metrics.length ? table(metrics, ['final metric', ...heads]) : 'no metrics yet')
      })
    })

  runs
    .command('tag')
    .argument('<id>', 'run id')
    .argument('<tags...>', 'tags to add')
    .option('--remove', 'remove these tags instead')
    .description('add (or remove) tags')
    .action(async (id: string, tags: string[], o: { remove?: boolean }) => {
      await withHandlers(globals(), async (handlers) => {
        const clean = tags.map((t) => t.trim()).filter(Boolean)
        const run = await handlers['runs.tag']({ id: parseId(id), add: o.remove ? [] : clean, remove: o.remove ? clean : [] })
        if (globals().json) printJson(run)
        else console.log(`run ${run.id} tags: ${run.tags.join(', ') || '(none)'}`)
      })
    })

  runs
    .command('note')
    .argument('<id>', 'run id')
    .argument('<text>', 'the note (replaces the previous one)')
    .description("set a run's notes")
    .action(async (id: string, text: string) => {
      await withHandlers(globals(), async (handlers) => {
        const run = await handlers['runs.note']({ id: parseId(id), notes: text })
        if (globals().json) printJson(run)
        else console.log(`run ${run.id} notes saved`)
      })
    })

  runs
    .command('rm')
    .argument('<id>', 'run id')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--force', 'also delete a paused run (its waiting trainer ends without saving)')
    .description('delete a run, its metrics and its files (refused while it trains)')
    .action(async (id: string, o: { yes?: boolean; force?: boolean }) => {
      await withHandlers(globals(), async (handlers, registry) => {
        const run = await handlers['runs.get']({ id: parseId(id) })
        const refusal = registry.whyNotDelete(run.id, { force: o.force })
        if (refusal) throw new CliError(refusal)
        if (!o.yes) {
          if (!process.stdin.isTTY) throw new CliError('refusing to delete without confirmation: pass --yes', 2)
          const { createInterface } = await import('node:readline/promises')
          const rl = createInterface({ input: process.stdin, output: process.stderr })
          const answer = await rl.question(`delete run ${run.id} (${run.name}) and its files? [y/N] `)
          rl.close()
          if (!/^y(es)?$/i.test(answer.trim())) return console.error('kept')
        }
        // The registry refuses a run that trains anywhere, checked in the same transaction as the delete.
        await handlers['runs.delete']({ id: run.id, force: o.force })
        if (globals().json) printJson({ deleted: run.id })
        else console.log(`run ${run.id} deleted`)
      })
    })
}
