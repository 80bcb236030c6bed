/** `list` in consecutive pieces of `size` (the last may be shorter); one empty piece for an empty list. */
export function chunksOf<T>(list: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`)
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out.length ? out : [[]]
}
