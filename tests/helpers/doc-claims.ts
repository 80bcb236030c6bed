/**
 * What tests/unit/docs.test.ts checks in README.md, CHANGELOG.md and docs/*.md: links and images
 * that point at files (and headings) that exist, `gan-workbench` commands and flags the CLI has, and
 * measured numbers that carry their date and commit. The rules are written down in docs/testing.md.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'

export const ROOT = path.resolve(__dirname, '..', '..')

export function docFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f))
  return ['README.md', 'CHANGELOG.md', ...docs].filter((f) => fs.existsSync(path.join(ROOT, f)))
}

export function readDoc(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8')
}

/** The text outside fenced code blocks, line numbers kept (fenced lines become empty). */
function prose(text: string): string[] {
  let fenced = false
  return text.split('\n').map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced
      return ''
    }
    return fenced ? '' : line
  })
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of prose(text)) {
    const h = /^#{1,6}\s+(.*)$/.exec(line)
    if (h) {
      const base = githubSlug(h[1]!)
      const n = seen.get(base) ?? 0
      seen.set(base, n + 1)
      anchors.add(n === 0 ? base : `${base}-${n}`)
    }
    for (const m of line.matchAll(/<a id="([^"]+)"/g)) anchors.add(m[1]!)
  }
  return anchors
}

export interface Problem {
  file: string
  line: number
  message: string
}

/** Every relative link and image must name an existing file, and an existing heading after '#'. */
export function brokenLinks(file: string): Problem[] {
  const problems: Problem[] = []
  const lines = prose(readDoc(file))
  lines.forEach((line, i) => {
    const targets = [...line.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!)
    targets.push(...[...line.matchAll(/<img[^>]+src="([^"]+)"/g)].map((m) => m[1]!))
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // http:, https:, mailto:
      const [filePart, anchor] = target.split('#') as [string, string | undefined]
      const resolved = filePart ? path.join(path.dirname(file), decodeURIComponent(filePart)) : file
      if (!fs.existsSync(path.join(ROOT, resolved))) {
        problems.push({ file, line: i + 1, message: `links to ${target}, which does not exist (${resolved})` })
        continue
      }
      if (anchor && resolved.endsWith('.md') && !anchorsOf(readDoc(resolved)).has(anchor)) {
        problems.push({ file, line: i + 1, message: `links to ${target}: ${resolved} has no heading or anchor "${anchor}"` })
      }
    }
  })
  return problems
}

/** Fenced blocks whose lines are commands (a tree or a config in a block is not). */
const SHELL = ['', 'sh', 'bash', 'shell', 'console']

export interface CommandMention {
  file: string
  line: number
  words: string[]
}

/**
 * Command lines the docs show: in code (inline, or fenced as a shell block) after `gan-workbench`, `npx gan-workbench`
 * or `node bin/gan-workbench.mjs`; and in docs/cli.md, each command in the first cell of a table
 * row (the command tables leave the program name out).
 */
export function commandMentions(file: string): CommandMention[] {
  const out: CommandMention[] = []
  const text = readDoc(file)
  let fence: string | undefined // the open fence's language
  text.split('\n').forEach((line, i) => {
    const f = /^\s*```\s*(\w*)/.exec(line)
    if (f) {
      fence = fence === undefined ? f[1]! : undefined
      return
    }
    if (fence !== undefined && !SHELL.includes(fence)) return
    const snippets = fence !== undefined ? [line] : [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)
    if (fence === undefined && file === path.join('docs', 'cli.md') && /^\|\s*`/.test(line)) {
      const firstCell = line.slice(1).split(/(?<!\\)\|/)[0]!
      for (const m of firstCell.matchAll(/`([^`]+)`/g)) snippets.push(`gan-workbench ${m[1]!}`)
    }
    for (const snippet of snippets.map((x) => x.replace(/\\\|/g, ' '))) {
      // a table's escaped `\|` separates alternatives
      for (const m of snippet.matchAll(/(?:^|[\s;(&|])(?:npx\s+)?(?:gan-workbench|node\s+bin\/gan-workbench\.mjs)\s+([^;&|#]*)/g)) {
        const words = m[1]!.trim().split(/\s+/).filter(Boolean)
        if (words.length) out.push({ file, line: i + 1, words })
      }
    }
  })
  return out
}

const GLOBAL_FLAGS = ['--home', '--json', '--help', '-h', '--version', '-V']

/** What is wrong with one shown command line: an unknown command or a flag its command lacks. */
export function checkCommand(program: Command, words: string[]): string | undefined {
  let cmd = program
  let i = 0
  // Global options may come first: --home DIR, --json.
  while (i < words.length && (words[i] === '--json' || words[i] === '--home')) i += words[i] === '--home' ? 2 : 1
  const first = words[i]
  if (first === undefined || first.startsWith('-')) return undefined
  for (; i < words.length; i++) {
    const word = words[i]!
    if (word.startsWith('-') || !/^[a-z][a-z-]*$/.test(word)) break
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word))
    if (!sub) {
      if (cmd === program) return `"${word}" is not a gan-workbench command`
      if (cmd.commands.length > 0 && !cmd.registeredArguments.length) return `"${cmd.name()} ${word}" is not a command`
      break
    }
    cmd = sub
  }
  const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)))
  for (const word of words.slice(i)) {
    const flag = /^(--?[A-Za-z][\w-]*)/.exec(word)?.[1]
    if (!flag || /^-\d/.test(word)) continue
    if (!flags.includes(flag) && !GLOBAL_FLAGS.includes(flag)) return `"${cmd.name()}" has no option ${flag}`
  }
  return undefined
}

/**
 * The measurement rule (docs/testing.md): a block (a paragraph, a list item, or a table together
 * with the paragraph that introduces it) that reports a measurement, i.e. contains a number and the
 * word "measured" or a rate (it/s, samples/s, images/s, GFLOP/s, jobs/min), carries a date
 * (YYYY-MM-DD) and a commit (7 to 40 hex digits in backquotes) in the block itself or in the heading
 * of its section.
 */
export function undatedMeasurements(file: string): Problem[] {
  const MEASURE = /\bmeasured\b|\bit\/s\b|samples\/s|images\/s|GFLOP\/s|jobs\/min/i
  const DATE = /\b20\d\d-\d\d-\d\d\b/
  const COMMIT = /`[0-9a-f]{7,40}`/
  const blocks: Array<{ start: number; heading: string; text: string }> = []
  let heading = ''
  let open = false
  prose(readDoc(file)).forEach((line, i) => {
    if (/^#{1,6}\s/.test(line)) {
      heading = line
      open = false
    } else if (line.trim() === '') {
      open = false
    } else if (open && !/^\s*([-*]|\d+\.)\s/.test(line)) {
      blocks.at(-1)!.text += `\n${line}`
    } else {
      blocks.push({ start: i + 1, heading, text: line })
      open = true
    }
  })
  const problems: Problem[] = []
  blocks.forEach((block, k) => {
    const intro = block.text.startsWith('|') && k > 0 && blocks[k - 1]!.heading === block.heading ? blocks[k - 1]!.text : ''
    if (!MEASURE.test(block.text) || !/\d/.test(block.text.replace(DATE, ''))) return
    const where = `${block.text}\n${intro}\n${block.heading}`
    const missing = [DATE.test(where) ? '' : 'a date (YYYY-MM-DD)', COMMIT.test(where) ? '' : 'a commit (`abc1234`)'].filter(Boolean)
    if (missing.length)
      problems.push({
        file,
        line: block.start,
        message: `a measurement without ${missing.join(' and ')}: "${block.text.slice(0, 90).replace(/\n/g, ' ')}…"`,
      })
  })
  return problems
}
