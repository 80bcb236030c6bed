/**
 * Sweeps: one base config and a set of fields to vary. A grid takes every combination; a random
 * sweep draws `random` distinct combinations of the grid with a seed, so it can be repeated.
 */
import { z } from 'zod'
import { createRng } from '../util/rng'

/** More members than this is almost certainly a typo in a grid (and would swamp the queue). */
export const MAX_SWEEP_MEMBERS = 500

export const SweepAxisSchema = z.object({
  /** Dotted config path, as in `--set` (e.g. optimizers.discriminator.learningRate). */
  path: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dotted config path such as training.batchSize'),
  /** Values as `--set` takes them: JSON where they parse, strings otherwise. */
  values: z.array(z.string().max(200)).min(1).max(100),
})

export const SweepSpecSchema = z.object({
  grid: z.array(SweepAxisSchema).min(1).max(10),
  random: z.number().int().min(1).max(MAX_SWEEP_MEMBERS).optional(),
  seed: z.number().int().min(0).default(0),
})
export type SweepAxis = z.infer<typeof SweepAxisSchema>
export type SweepSpec = z.input<typeof SweepSpecSchema>

export class SweepError extends Error {
  override name = 'SweepError'
}

/** Parses `path=v1,v2,v3` (the CLI's --grid). */
export function parseAxis(text: string): SweepAxis {
  const eq = text.indexOf('=')
  if (eq <= 0) throw new SweepError(`--grid expects path=v1,v2,…, got "${text}"`)
  const axis = SweepAxisSchema.safeParse({
    path: text.slice(0, eq),
    values: text
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  })
  if (!axis.success) throw new SweepError(`--grid ${text}: ${axis.error.issues.map((i) => i.message).join('; ')}`)
  return axis.data
}

/** The members of a sweep, each as the `--set` overrides that make it (grid order: last axis fastest). */
export function sweepMembers(input: SweepSpec): string[][] {
  const spec = SweepSpecSchema.parse(input)
  const paths = spec.grid.map((a) => a.path)
  const duplicate = paths.find((p, i) => paths.indexOf(p) !== i)
  if (duplicate) throw new SweepError(`the sweep varies ${duplicate} twice`)
  const size = spec.grid.reduce((n, a) => n * a.values.length, 1)
  if (!spec.random && size > MAX_SWEEP_MEMBERS)
    throw new SweepError(`the grid has ${size} combinations, over the limit of ${MAX_SWEEP_MEMBERS}: use a random sweep or fewer values`)
  const member = (index: number): string[] => {
    const out: string[] = []
    for (let i = spec.grid.length - 1; i >= 0; i--) {
      const axis = spec.grid[i]!
      out.unshift(`${axis.path}=${axis.values[index % axis.values.length]}`)
      index = Math.floor(index / axis.values.length)
    }
    return out
  }
  if (!spec.random) return Array.from({ length: size }, (_, i) => member(i))
  if (spec.random > size)
    throw new SweepError(`a random sweep of ${spec.random} runs needs at least that many combinations; the grid has ${size}`)
  // A partial Fisher–Yates over combination indices: distinct draws, reproducible from the seed.
  const rng = createRng(spec.seed)
  const picked = new Map<number, number>()
  const out: string[][] = []
  for (let i = 0; i < spec.random; i++) {
    const j = i + Math.floor(rng() * (size - i))
    const vi = picked.get(i) ?? i
    const vj = picked.get(j) ?? j
    picked.set(j, vi)
    out.push(member(vj))
  }
  return out
}
