/** CLI output: aligned tables for people, one JSON document for scripts, errors without stacks. */
import { ConfigError } from '../../src-shared/config/errors'
import { toRpcError } from '../ipc/dispatch'
import { RegistryError } from '../registry/database'
import { InstanceLockedError } from '../platform/instance-lock'

/**
 * For commands that run long (train, reproduce, sweep, serve, worker): a write to stdout or stderr
 * that fails (a closed terminal, a reader gone: EPIPE/EIO; a log file on a full disk: ENOSPC) is
 * dropped rather than thrown. Unhandled, it ended a coordinator, its worker and a reproduction at
 * once when the disk filled: the work must go on, or stop cleanly, without its log.
 */
export function dropFailedOutputWrites(): void {
  for (const stream of [process.stdout, process.stderr]) if (stream.listenerCount('error') === 0) stream.on('error', () => {})
}

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
