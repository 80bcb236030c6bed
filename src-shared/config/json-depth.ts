/**
 * How deeply a config may nest. A real one nests six levels at most
 * (generator.nodes[2].layer.targetShape[0]); a value nested thousands deep made JSON.stringify (in
 * `--set`, in the registry) overflow the stack with a bare "Maximum call stack size exceeded".
 * Checked without recursion, so the check itself cannot overflow.
 */
import { ConfigError, formatPath } from './errors'

export const MAX_CONFIG_DEPTH = 32

/** The path of the first value nested deeper than `max`, or null. */
export function tooDeep(value: unknown, max = MAX_CONFIG_DEPTH): (string | number)[] | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }]
  while (stack.length > 0) {
    const { v, path } = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    if (path.length >= max) return path
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }))
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: [...path, k] })
  }
  return null
}

/** Throws a ConfigError naming where a config nests deeper than MAX_CONFIG_DEPTH levels. */
export function assertConfigDepth(value: unknown): void {
  const at = tooDeep(value)
  if (at)
    throw new ConfigError([
      {
        path: formatPath(at.slice(0, 6)) + (at.length > 6 ? '…' : ''),
        message: `nested more than ${MAX_CONFIG_DEPTH} levels deep (a config nests 6 at most)`,
      },
    ])
}
