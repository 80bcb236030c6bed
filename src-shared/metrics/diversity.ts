/**
 * Sample diversity: the mean Euclidean distance between all pairs of n samples (flattened), and
 * the ratio of a generated batch's to a real batch's. A collapsed generator maps many z to nearly
 * the same output, so its ratio falls towards 0; a healthy one stays near 1.
 */
export function meanPairwiseDistance(values: ArrayLike<number>, dim: number): number {
  const n = Math.floor(values.length / dim)
  if (n < 2) return 0
  let sum = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d = 0
      for (let k = 0; k < dim; k++) {
        const diff = values[i * dim + k]! - values[j * dim + k]!
        d += diff * diff
      }
      sum += Math.sqrt(d)
    }
  }
  return sum / ((n * (n - 1)) / 2)
}

export function diversityRatio(generated: ArrayLike<number>, real: ArrayLike<number>, dim: number): number {
  const r = meanPairwiseDistance(real, dim)
  return r > 0 ? meanPairwiseDistance(generated, dim) / r : 0
}
