/**
 * Derives independent 31-bit seeds from a run seed and counters (splitmix-style mixing). Shared by
 * datasets, training, metrics and export, so it sits below them all.
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
  }
  return (h >>> 0) % 0x7fffffff
}
