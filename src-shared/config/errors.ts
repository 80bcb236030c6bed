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
      out.push({ path, message: issue.message })
    }
  }
  return out
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
