/**
 * Counts the hostile cases a test file tries (named examples and generated cases alike) and prints
 * the total when the file ends: docs/security.md's "Hostile input" table takes its figures from
 * these lines. `expectTried` also guards that a property really ran the cases it was asked for.
 */
import { afterAll, expect } from 'vitest'

export function triedCounter(label: string) {
  let total = 0
  afterAll(() => console.log(`hostile cases tried (${label}): ${total}`))
  return {
    /** One more case tried (or `n` more). */
    add(n = 1): void {
      total += n
    },
    get total(): number {
      return total
    },
    /** Checks that `n` cases were tried since `mark` (a `total` taken before a property ran). */
    expectSince(mark: number, n: number): void {
      expect(total - mark, `${label}: cases tried`).toBe(n)
    },
  }
}
