/** Turns schema issues into messages that name the offending field, for people and for scripts. */
import type { z } from 'zod'

export interface FieldError {
  /** Dotted path such as `training.batchSize` or `generator.layers[2].units`; '' for the root. */
  path: string
  message: string
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out ? `.${String(part)}` : String(part)
  }
  return out
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return issueErrors(error.issues, [])
}

type Issue = z.ZodError['issues'][number]

function issueErrors(issues: readonly Issue[], prefix: readonly PropertyKey[]): FieldError[] {
  const out: FieldError[] = []
  for (const issue of issues) {
    const path = formatPath([...prefix, ...issue.path])
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A model spec is sequential or a graph: report the branch the input came closest to, so the
      // message names the field rather than saying "Invalid input".
      const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best))
      out.push(...issueErrors(closest, [...prefix, ...issue.path]))
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: path ? `${path}.${key}` : key, message: 'unknown field' })
      }
    } else {
      out.push({ path, message: plainMessage(issue) })
    }
  }
  return out
}

const EXPECTED: Record<string, string> = {
  number: 'enter a number',
  int: 'enter a whole number',
  boolean: 'true or false',
  string: 'enter some text',
  array: 'expected a list',
  object: 'expected a group of settings',
}

const bound = (n: unknown) => (typeof n === 'bigint' ? n.toString() : String(n))

/**
 * The schema's default messages in plain words ("enter a whole number", not "expected int,
 * received number"); messages a schema wrote itself are kept as they are.
 */
export function plainMessage(issue: Issue): string {
  const generic = /^(Invalid input|Too small|Too big|Invalid option)/.test(issue.message)
  if (!generic) return issue.message
  switch (issue.code) {
    case 'invalid_type': {
      const what = EXPECTED[issue.expected] ?? issue.message
      return /received undefined/.test(issue.message) ? `required: ${what}` : what
    }
    case 'too_small': {
      const min = bound(issue.minimum)
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return issue.inclusive ? `must be at least ${min}` : `must be more than ${min}`
      if (issue.origin === 'string') return min === '1' ? 'must not be empty' : `at least ${min} characters`
      if (issue.origin === 'array' || issue.origin === 'set') return `needs at least ${min} item${min === '1' ? '' : 's'}`
      return issue.message
    }
    case 'too_big': {
      const max = bound(issue.maximum)
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint')
        return issue.inclusive ? `must be at most ${max}` : `must be less than ${max}`
      if (issue.origin === 'string') return `at most ${max} characters`
      if (issue.origin === 'array' || issue.origin === 'set') return `at most ${max} item${max === '1' ? '' : 's'}`
      return issue.message
    }
    case 'invalid_value':
      return `choose one of: ${issue.values.map((v) => String(v)).join(', ')}`
    default:
      return issue.message
  }
}

export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.path || '(config)'}: ${e.message}`).join('\n')
}

/** Error carrying field-level detail; the CLI and the UI show each field's message. */
export class ConfigError extends Error {
  constructor(
    readonly errors: FieldError[],
    summary = 'invalid config',
  ) {
    super(`${summary}:\n${describeFieldErrors(errors)}`)
    this.name = 'ConfigError'
  }
}
