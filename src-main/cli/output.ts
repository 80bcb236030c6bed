/** CLI output: aligned tables for people, one JSON document for scripts, errors without stacks. */
import { ConfigError } from '../../src-shared/config/errors'
import { toRpcError } from '../ipc/dispatch'
import { RegistryError } from '../registry/database'
import { InstanceLockedError } from '../platform/instance-lock'

export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '' : String(r[c]))))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)))
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n')
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

/** Prints an error for a person (stderr) and, with --json, for a program (stdout); returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  const expected = e instanceof CliError || e instanceof ConfigError || e instanceof RegistryError || e instanceof InstanceLockedError
  const rpc = toRpcError(e)
  const code = e instanceof CliError ? e.exitCode : 1
  if (json) printJson({ error: { code: rpc.code, message: rpc.message, fields: rpc.fields } })
  process.stderr.write(`gan-workbench: ${rpc.message}\n`)
  if (!expected && rpc.code === 'internal' && process.env.GAN_WORKBENCH_DEBUG) process.stderr.write(`${(e as Error).stack}\n`)
  return code
}
