/**
 * Sliced Wasserstein distance between two point sets (Rabin et al. 2011; Kolouri et al. 2019):
 * both sets are projected on L random unit directions and the 1D Wasserstein-2 distances of the
 * projections are averaged, SW₂ = sqrt((1/L) Σ_l W₂²(⟨θ_l, X⟩, ⟨θ_l, Y⟩)). Each 1D W₂² is exact
 * for empirical distributions of any two sizes (the integral of the squared difference of their
 * quantile functions). The directions come from a seeded generator, so a distance is repeatable.
 */
import { createRng, gaussianPair } from '../util/rng'

/** Projections `eval` and the per-epoch metrics use, and their seed. */
export const SWD_PROJECTIONS = 128
export const SWD_SEED = 1234

/** `count` unit vectors of `dim` numbers (flat), drawn uniformly on the sphere from a seeded generator. */
export function randomDirections(count: number, dim: number, seed: number): Float64Array {
  const rng = createRng(seed)
  const out = new Float64Array(count * dim)
  for (let l = 0; l < count; l++) {
    let norm = 0
    while (norm < 1e-12) {
      norm = 0
      for (let d = 0; d < dim; d += 2) {
        const [g1, g2] = gaussianPair(rng)
        out[l * dim + d] = g1
        if (d + 1 < dim) out[l * dim + d + 1] = g2
      }
      for (let d = 0; d < dim; d++) norm += out[l * dim + d]! ** 2
    }
    norm = Math.sqrt(norm)
    for (let d = 0; d < dim; d++) out[l * dim + d]! /= norm
  }
  return out
}

/**
 * W₂² between two 1D empirical distributions given sorted: ∫₀¹ (F⁻¹(t) − G⁻¹(t))² dt, summed over the
 * pieces where both quantile functions are constant (break points i/n and j/m, compared exactly
 * in integers).
 */
export function wasserstein2Squared1d(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length
  const m = b.length
  if (n === 0 || m === 0) return NaN
  let i = 0
  let j = 0
  let prev = 0 // in units of 1 / (n m)
  let sum = 0
  while (i < n && j < m) {
    const ai = (i + 1) * m
    const bj = (j + 1) * n
    const next = Math.min(ai, bj)
    sum += (next - prev) * (a[i]! - b[j]!) ** 2
    prev = next
    if (ai === next) i++
    if (bj === next) j++
  }
  return sum / (n * m)
}

function project(points: ArrayLike<number>, dim: number, directions: Float64Array, l: number): Float64Array {
  const n = Math.floor(points.length / dim)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let d = 0; d < dim; d++) s += points[i * dim + d]! * directions[l * dim + d]!
    out[i] = s
  }
  return out.sort()
}

/** SW₂ of two flat point sets of `dim` numbers each, over the given unit directions (flat, `dim` each). */
export function slicedWasserstein(a: ArrayLike<number>, b: ArrayLike<number>, dim: number, directions: Float64Array): number {
  const count = Math.floor(directions.length / dim)
  if (count === 0) throw new Error('slicedWasserstein: no directions')
  let sum = 0
  for (let l = 0; l < count; l++) sum += wasserstein2Squared1d(project(a, dim, directions, l), project(b, dim, directions, l))
  return Math.sqrt(sum / count)
}

/** SW₂ over `SWD_PROJECTIONS` seeded directions: the figure `eval` reports. */
export function slicedWassersteinSeeded(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dim: number,
  projections = SWD_PROJECTIONS,
  seed = SWD_SEED,
): number {
  return slicedWasserstein(a, b, dim, randomDirections(projections, dim, seed))
}
