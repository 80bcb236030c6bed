/**
 * `list` in consecutive pieces: the first of `firstSize`, the others of `size` (the last may be
 * shorter); one empty piece for an empty list.
 */
export function chunksOf<T>(list: readonly T[], size: number, firstSize = size): T[][] {
  if (!(size >= 1) || !(firstSize >= 1)) throw new RangeError(`chunk sizes must be at least 1, got ${firstSize} and ${size}`)
  const out: T[][] = [list.slice(0, firstSize)]
  for (let i = firstSize; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}
