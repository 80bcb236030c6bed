/**
 * `key=value` lines as the Fork dialog takes them: which line says what, in words (no CLI flags),
 * and the config paths a line can complete to.
 */
import { configLeaves, formatLeaf } from './config-paths'
import { OverrideError, parseOverride } from './overrides'
import type { FieldError } from './errors'

export interface Line {
  /** 1-based, as people count lines. */
  number: number
  text: string
}

/** The non-empty lines, numbered as typed. */
export function overrideLines(text: string): Line[] {
  return text
    .split('\n')
    .map((t, i) => ({ number: i + 1, text: t.trim() }))
    .filter((l) => l.text !== '')
}

/** What is wrong with a line's form, or null. */
export function lineSyntaxError(text: string): string | null {
  if (!text.includes('=') || text.startsWith('=')) return 'write it as key=value, e.g. training.epochs=40'
  try {
    parseOverride(text)
    return null
  } catch (e) {
    if (e instanceof OverrideError) return `"${text.slice(0, text.indexOf('='))}" is not a setting's name`
    throw e
  }
}

/** A config path as a line writes it: array indices as `.2`, not `[2]`. */
export const linePath = (path: string) => path.replace(/\[(\d+)\]/g, '.$1')

/**
 * Each validation error next to the line that set its field (or the first line that set a parent
 * or child of it); errors of fields no line set come last, without a line.
 */
export function errorsByLine(lines: Line[], errors: FieldError[]): { line: Line | null; message: string }[] {
  const keyOf = (l: Line) => l.text.slice(0, l.text.indexOf('='))
  const tied = errors.map((e) => {
    const path = linePath(e.path)
    const line =
      lines.find((l) => keyOf(l) === path) ?? lines.find((l) => path.startsWith(`${keyOf(l)}.`) || keyOf(l).startsWith(`${path}.`)) ?? null
    return { line, message: `${path || '(config)'}: ${e.message}` }
  })
  // In the order of the lines, as they are read.
  return tied.sort((a, b) => (a.line?.number ?? Infinity) - (b.line?.number ?? Infinity))
}

export interface PathSuggestion {
  path: string
  /** The value it has now, as a line would write it. */
  current: string
}

/**
 * Config paths matching what is typed before a line's `=`: paths starting with it first, then
 * those containing it; `exclude` drops whole sections (a fork cannot change its models).
 */
export function suggestPaths(config: unknown, typed: string, options: { exclude?: string[]; limit?: number } = {}): PathSuggestion[] {
  const q = typed.trim().toLowerCase()
  const all = configLeaves(config)
    .map((l) => ({ path: linePath(l.path), current: formatLeaf(l.value) }))
    .filter((s) => !(options.exclude ?? []).some((x) => s.path === x || s.path.startsWith(`${x}.`)))
  const starts = all.filter((s) => s.path.toLowerCase().startsWith(q))
  const contains = all.filter((s) => !s.path.toLowerCase().startsWith(q) && s.path.toLowerCase().includes(q))
  return [...starts, ...contains].slice(0, options.limit ?? 8)
}
