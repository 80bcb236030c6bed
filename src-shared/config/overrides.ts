/**
 * `--set key=value` overrides: dotted paths into the config, values parsed as JSON when they parse
 * (numbers, booleans, arrays) and taken as strings otherwise.
 */
import { assertConfigDepth } from './json-depth'

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

/** An array index as `--set` takes it: a whole number written plainly (0, 1, 12; not -1, 01, 1.0 or 1e1). */
const INDEX = /^(0|[1-9][0-9]{0,8})$/

/**
 * Returns a deep copy of `config` with each override applied in order. Every key must land: into
 * an object any key (the schema then refuses unknown ones, naming them), into an array only an
 * index that exists, or the next one to append; `-1`, `length`, `01` or a gap are refused naming
 * the path, instead of setting a property that nothing reads.
 */
export function applyOverrides<T>(config: T, overrides: string[]): T {
  // Nesting is checked first: the JSON round trip below would overflow the stack on a deep value.
  assertConfigDepth(config)
  // A JSON round trip: configs are JSON, and it also copies reactive proxies (structuredClone can't).
  const out = JSON.parse(JSON.stringify(config)) as Record<string, unknown>
  for (const text of overrides) {
    const { path, value } = parseOverride(text)
    assertConfigDepth(value)
    let node: Record<string, unknown> = out
    for (const [i, key] of path.entries()) {
      const last = i === path.length - 1
      const where = path.slice(0, i + 1).join('.')
      if (Array.isArray(node)) {
        if (!INDEX.test(key) || Number(key) > node.length || (!last && Number(key) === node.length)) {
          const range = node.length === 0 ? 'it is empty' : `indices 0–${node.length - 1}${last ? `, or ${node.length} to append` : ''}`
          throw new OverrideError(
            `--set ${path.join('.')}: "${key}" is not an index of ${path.slice(0, i).join('.') || 'the config'} (${range})`,
          )
        }
      }
      if (last) break
      const next = node[key]
      if (next === undefined) {
        node[key] = {}
      } else if (typeof next !== 'object' || next === null) {
        throw new OverrideError(`--set ${path.join('.')}: ${where} is not an object`)
      }
      node = node[key] as Record<string, unknown>
    }
    node[path[path.length - 1]!] = value
  }
  return out as T
}
