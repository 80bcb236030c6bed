/**
 * `--set key=value` overrides: dotted paths into the config, values parsed as JSON when they parse
 * (numbers, booleans, arrays) and taken as strings otherwise.
 */
export class OverrideError extends Error {
  override name = 'OverrideError'
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor'])

export function parseOverride(text: string): { path: string[]; value: unknown } {
  const eq = text.indexOf('=')
  if (eq <= 0) throw new OverrideError(`--set expects key=value, got "${text}"`)
  const path = text.slice(0, eq).split('.')
  if (path.some((p) => p === '' || FORBIDDEN.has(p))) throw new OverrideError(`--set: invalid key "${text.slice(0, eq)}"`)
  const rawValue = text.slice(eq + 1)
  let value: unknown = rawValue
  try {
    value = JSON.parse(rawValue)
  } catch {
    // not JSON: keep it as a string
  }
  return { path, value }
}

/** Returns a deep copy of `config` with each override applied in order. */
export function applyOverrides<T>(config: T, overrides: string[]): T {
  // A JSON round trip: configs are JSON, and it also copies reactive proxies (structuredClone can't).
  const out = JSON.parse(JSON.stringify(config)) as Record<string, unknown>
  for (const text of overrides) {
    const { path, value } = parseOverride(text)
    let node: Record<string, unknown> = out
    for (const [i, key] of path.slice(0, -1).entries()) {
      const next = Array.isArray(node) ? node[Number(key)] : node[key]
      if (next === undefined) {
        node[key] = {}
      } else if (typeof next !== 'object' || next === null) {
        throw new OverrideError(`--set ${path.join('.')}: ${path.slice(0, i + 1).join('.')} is not an object`)
      }
      node = node[key] as Record<string, unknown>
    }
    node[path[path.length - 1]!] = value
  }
  return out as T
}
