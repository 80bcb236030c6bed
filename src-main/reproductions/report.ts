/**
 * A reproduction as a table, for the terminal and for docs/reproductions.md: per goal row the
 * paper's figures, ours per seed, mean ± sd (min–max) and pass/fail, then how each seed's runs
 * ended. The numbers and verdicts come from src-shared/reproductions/summary.ts (the UI's too).
 */
import { companionRuns, type ReproductionRecord, type SeedReuse } from '../../src-shared/domain/reproduction'
import {
  formatPaper,
  formatSpread,
  peerFigure,
  seedCell,
  statusWords,
  summarize,
  verdictWord,
  type RowSummary,
} from '../../src-shared/reproductions/summary'
import { withCurrentFindings } from '../../src-shared/reproductions/catalog'

export interface TableLines {
  heading: string
  context: string[]
  header: string[]
  rows: string[][]
  seeds: string[]
}

const VERDICT = { pass: 'PASS', fail: 'FAIL', info: '—', 'no-goal': 'no goal figure yet', running: 'RUNNING' } as const

function verdictText(r: RowSummary): string {
  return `${VERDICT[r.verdict]}${r.why ? ` (${r.why})` : ''}`
}

/** The cells of a reproduction's table (plain text; both renderings below use them). */
export function tableLines(record: ReproductionRecord): TableLines {
  const entry = withCurrentFindings(record.entry)
  const summary = summarize(record)
  const p = entry.paper
  return {
    heading: `${entry.name}: ${entry.title}`,
    context: [
      `paper: ${p.authors} (${p.year}), ${p.title}; ${p.where}`,
      `recipe: preset ${entry.recipe.preset}${entry.recipe.overrides.length ? ` with ${entry.recipe.overrides.join(' ')}` : ''}, ${record.steps.toLocaleString('en-US')} steps per run${record.quick ? ' (QUICK test budget: not a reproduction)' : ''}${entry.baseline ? `; judged on the same seeds against ${entry.baseline.label}` : ''}${entry.reference ? `; shown beside it, not judged: ${entry.reference.label}` : ''}`,
      `protocol: ${entry.protocol.description}${record.samples !== entry.protocol.samples ? ` (${record.samples} samples here)` : ''}`,
      `what changed from the lecture model: ${entry.changes || 'nothing yet (the lecture recipe)'}`,
      ...(entry.peer ? [`peer: ${entry.peer.label}: ${peerFigure(entry.peer)} (${entry.peer.note})`] : []),
      ...(entry.note ? [`note: ${entry.note}`] : []),
    ],
    header: ['goal row', 'paper', ...record.results.map((s) => `seed ${s.seed}`), 'mean ± sd (min–max)', 'goal', 'result'],
    rows: summary.rows.map((r) => [
      r.row.label,
      formatPaper(r.row),
      ...record.results.map((s, i) => seedCell(r, s, i, record.status === 'running')),
      formatSpread(r),
      r.row.goalText,
      verdictText(r),
    ]),
    seeds: record.results.map((s) => {
      const run =
        s.runId === null ? statusWords(s.status, record.status === 'running') : `run ${s.runId} ${s.status}${reusedText(s.reusedFrom)}`
      const beside = companionRuns(s)
        .map((c) => `, ${c.role} run ${c.runId} ${c.status}${reusedText(c.reusedFrom)}`)
        .join('')
      return `seed ${s.seed}: ${run}${beside}${s.error ? ` (${s.error})` : ''}`
    }),
  }
}

/** A reused run says which reproduction trained it, at which commit. */
function reusedText(from: SeedReuse | undefined): string {
  if (!from) return ''
  return ` (reused: trained by reproduction #${from.reproductionId} at ${from.commit ? `\`${from.commit}\`` : 'an unrecorded commit'})`
}

/** Passed, failed or unfinished, in one word a script or a reader can act on. */
export function overall(record: ReproductionRecord): string {
  return verdictWord(record).toUpperCase()
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  )
}

export function textTable(record: ReproductionRecord): string {
  const t = tableLines(record)
  return [
    `${t.heading}  [${overall(record)}]`,
    ...t.context.map((c) => `  ${c}`),
    ...pad([t.header.map((h) => h.toUpperCase()), ...t.rows]).map((l) => `  ${l}`),
    ...t.seeds.map((s) => `  ${s}`),
  ].join('\n')
}

const cell = (s: string) => s.replace(/\|/g, '\\|')

/** ", trained on wasm" (each backend the seeds' runs used, once). */
function backends(record: ReproductionRecord): string {
  const used = [...new Set(record.results.map((s) => s.backend).filter((b): b is string => Boolean(b)))]
  return used.length ? `, trained on ${used.join(' and ')}` : ''
}

export function markdownTable(record: ReproductionRecord): string {
  const t = tableLines(record)
  return [
    `### ${t.heading} — ${overall(record)}`,
    '',
    ...t.context.map((c) => `- ${c}`),
    `- run: ${record.finishedAt ?? record.createdAt}, commit ${record.commit ? `\`${record.commit}\`` : 'unknown'}, ${record.machine}${backends(record)}`,
    `- command: \`${record.command}\``,
    '',
    `| ${t.header.map(cell).join(' | ')} |`,
    `| ${t.header.map(() => '---').join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
    ...t.seeds.map((s) => `- ${s}`),
  ].join('\n')
}
