/** A sweep: runs launched as one group from one base config and a grid of fields to vary. */
import type { RunStatus } from './run'
import type { SweepAxis } from '../config/sweep'

export interface SweepRecord {
  id: number
  name: string
  /** The fields varied, and for a random sweep how many combinations were drawn. */
  grid: SweepAxis[]
  random: number | null
  createdAt: string
  runIds: number[]
  /** How many of its runs are in each status. */
  statuses: Partial<Record<RunStatus, number>>
}
