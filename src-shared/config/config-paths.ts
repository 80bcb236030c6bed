/**
 * A config as dotted paths to its values (`training.batchSize`, `generator.layers[2].units`): what
 * the Fork dialog completes, the runs table offers as columns, and the config panel lists.
 */
export type ConfigLeaf = string | number | boolean | null

/** Every leaf of a config with its path, in the config's own order. */
export function configLeaves(config: unknown): { path: string; value: ConfigLeaf }[] {
  const out: { path: string; value: ConfigLeaf }[] = []
  const walk = (v: unknown, path: string) => {
    if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`))
      else for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k)
    } else if (path) out.push({ path, value: v as ConfigLeaf })
  }
  walk(config, '')
  return out
}

/** The value at a dotted path (`a.b[2].c`), or undefined. */
export function valueAt(config: unknown, path: string): unknown {
  let node: unknown = config
  for (const part of path.split(/\.|(?=\[)/)) {
    if (node === null || typeof node !== 'object') return undefined
    const index = /^\[(\d+)\]$/.exec(part)
    node = index ? (node as unknown[])[Number(index[1])] : (node as Record<string, unknown>)[part]
  }
  return node
}

/** A leaf's value as a `key=value` line writes it. */
export function formatLeaf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}
