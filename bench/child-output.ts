/**
 * What the bench reads back from a child it ran (our engine, the PyTorch peer): every child ends
 * its stdout with one JSON object, and on failure the last line of its stderr says why.
 */

/** The last line of `stdout` that is a JSON object, parsed; undefined when there is none. */
export function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1)
  if (line === undefined) return undefined
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    return undefined // output cut short (a timeout's SIGKILL) or not JSON after all
  }
}

/** "WHAT failed: REASON", the reason being the child's last stderr line or its exit code. */
export function childFailure(what: string, stderr: string, code: number | null): string {
  return `${what} failed: ${stderr.trim().split('\n').at(-1) || `exit ${code}`}`
}
