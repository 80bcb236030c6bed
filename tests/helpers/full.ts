/**
 * The longest proofs (real training runs that take a minute each, second and third fault
 * scenarios of a feature the default suite already covers) run with `npm run test:full`
 * (GWB_FULL_TESTS=1), which is run before an issue is resolved; `npm test` skips them, saying so,
 * to stay well under 15 minutes on a 2-core CI machine.
 */
import { it } from 'vitest'

export const FULL_TESTS = process.env.GWB_FULL_TESTS === '1'

/** `it`, in the full suite only; skipped (and reported as skipped) by `npm test`. */
export const itFull = it.runIf(FULL_TESTS)
