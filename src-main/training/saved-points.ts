/**
 * Reads an epoch's `samples-2d` artifact back for the UI. Such a file may come from a queue
 * worker, so it is checked before anything of it is passed on: at most 10,000 finite points, and
 * a decision surface only when it is a well-formed grid (else the points alone are shown).
 */
import { z } from 'zod'
import type { DecisionSurface } from '../../src-shared/plots/decision-surface'
import { ConflictError } from '../util/errors'

const finite = z.number().refine(Number.isFinite)
const pair = z.tuple([finite, finite])
const range = pair.refine(([lo, hi]) => lo < hi)
const surfaceSchema = z
  .object({
    viewport: z.object({ x: range, y: range }),
    size: z.int().min(2).max(256),
    values: z.array(finite).max(256 * 256),
    kind: z.enum(['probability', 'score']),
  })
  .refine((s) => s.values.length === s.size * s.size, 'a surface has size × size values')
const savedSchema = z.object({
  points: z.array(pair).max(10_000),
  zSeed: z.int().optional(),
  surface: z.unknown().optional(),
})

export interface SavedPointsView {
  points: [number, number][]
  zSeed: number | null
  surface: DecisionSurface | null
}

/** A damaged file is the run's problem, told as such (a conflict), never a crash of the request. */
export class SavedPointsError extends ConflictError {
  override name = 'SavedPointsError'
}

/** Parses a file's text already read (through the artifact confinement rule); `name` says which file in errors. */
export function parseSavedPoints(text: string, name: string): SavedPointsView {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw new SavedPointsError(`cannot read the saved points ${name}: ${(e as Error).message}`)
  }
  const saved = savedSchema.safeParse(raw)
  if (!saved.success) throw new SavedPointsError(`the saved points ${name} are not a list of finite [x, y] pairs`)
  const surface = saved.data.surface === undefined ? null : surfaceSchema.safeParse(saved.data.surface)
  return {
    points: saved.data.points as [number, number][],
    zSeed: saved.data.zSeed ?? null,
    surface: surface?.success ? (surface.data as DecisionSurface) : null,
  }
}
