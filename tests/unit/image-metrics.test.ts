/** The image metrics' maths against hand-computed cases. */
import { fixedPatternEnergy } from '../../src-shared/metrics/fixed-pattern'
import { describe, expect, it } from 'vitest'
import {
  classHistogram,
  frechetDistance,
  inceptionScore,
  labelAccuracy,
  labelAccuracyByClass,
  meanCovariance,
  precisionRecall,
  symmetricEigen,
  totalVariation,
} from '../../src-shared/metrics/image-metrics'

function clusters(centres: number[][], perCluster: number, spread: number, seed: number): number[] {
  let s = seed
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5
  return centres.flatMap((c) => Array.from({ length: perCluster }, () => c.map((v) => v + spread * rnd())).flat())
}

describe('image metrics', () => {
  it('eigen-decomposes a symmetric matrix', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2)
    expect(Array.from(values).sort()).toEqual([expect.closeTo(1, 10), expect.closeTo(3, 10)])
    // A v = λ v for each column.
    for (let k = 0; k < 2; k++) {
      const v = [vectors[k]!, vectors[2 + k]!]
      expect(2 * v[0]! + v[1]!).toBeCloseTo(values[k]! * v[0]!, 10)
    }
  })

  it('Fréchet distance: 0 for identical sets, the closed form in 1-D, larger when apart', () => {
    const a = clusters(
      [
        [0, 0, 0],
        [1, 2, 3],
        [-2, 1, 0],
      ],
      40,
      1,
      3,
    )
    expect(frechetDistance(a, a, 3)).toBeCloseTo(0, 6)
    // 1-D: {0, 2} vs {1, 3}: (1 − 2)² + 2 + 2 − 2·√(2·2) = 1.
    expect(frechetDistance([0, 2], [1, 3], 1)).toBeCloseTo(1, 10)
    const shifted = a.map((v, i) => (i % 3 === 0 ? v + 5 : v))
    expect(frechetDistance(a, shifted, 3)).toBeCloseTo(25, 6) // same covariance, mean moved by 5
    expect(meanCovariance([0, 2], 1).cov[0]).toBe(2)
  })

  it('IS-style score: 1 when every sample is the same class, the class count when spread evenly and confident', () => {
    const oneClass = Array.from({ length: 20 }, () => [1, 0, 0, 0]).flat()
    expect(inceptionScore(oneClass, 4)).toBeCloseTo(1, 10)
    const even = Array.from({ length: 20 }, (_, i) => [0, 1, 2, 3].map((c) => (c === i % 4 ? 1 : 0))).flat()
    expect(inceptionScore(even, 4)).toBeCloseTo(4, 10)
  })

  it('precision and recall (k = 3): recall falls when half the classes are missing, precision does not', () => {
    const centres = Array.from({ length: 10 }, (_, i) => [10 * i, 0])
    const real = clusters(centres, 30, 1, 1)
    const full = clusters(centres, 30, 1, 2)
    const half = clusters(centres.slice(0, 5), 60, 1, 2)
    const all = precisionRecall(real, full, 2)
    expect(all.precision).toBeGreaterThan(0.9)
    expect(all.recall).toBeGreaterThan(0.9)
    const missing = precisionRecall(real, half, 2)
    expect(missing.precision).toBeGreaterThan(0.9)
    expect(missing.recall).toBeCloseTo(0.5, 1)
  })

  it('class histogram, its total variation to the data, and label accuracy', () => {
    const probs = [0.9, 0.1, 0, 0.2, 0.8, 0, 0.6, 0.3, 0.1, 0, 0, 1]
    expect(classHistogram(probs, 3)).toEqual([0.5, 0.25, 0.25])
    expect(totalVariation([0.5, 0.25, 0.25], [1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(1 / 6, 10)
    expect(totalVariation([1, 0], [0, 1])).toBe(1)
    expect(labelAccuracy(probs, [0, 1, 2, 2], 3)).toBe(0.75)
    // Per class: sample 3 (asked for 2) was called 0; class 1 had one sample, called right.
    expect(labelAccuracyByClass(probs, [0, 1, 2, 2], 3)).toEqual([1, 1, 0.5])
    expect(labelAccuracyByClass(probs, [0, 0, 0, 0], 3)).toEqual([0.5, null, null])
  })
})

describe('fixed-pattern energy (the pixel-scale residual the images share)', () => {
  it('is the residual of one bright pixel after the 3×3 binomial blur, by hand', () => {
    // Centre 1 − 4/16; edge-adjacent pixels −2/16; corners −1/16 (edges repeated).
    const img = [0, 0, 0, 0, 1, 0, 0, 0, 0]
    expect(fixedPatternEnergy(img, 1, 3, 3)).toBeCloseTo(0.75 ** 2 + 4 * 0.125 ** 2 + 4 * 0.0625 ** 2, 12)
  })

  it('counts stripes drawn in the same place on every image in full, and cancels them when their phase alternates', () => {
    const stripes = (sign: number) => Array.from({ length: 36 }, (_, i) => sign * (i % 2 === 0 ? 1 : -1))
    // Inside, the blur of ±1 columns is 0 and the residual is ±1; the two edge columns keep ±1/2.
    const one = 6 * 4 * 1 + 2 * 6 * 0.25
    expect(fixedPatternEnergy([...stripes(1), ...stripes(1), ...stripes(1)], 3, 6, 6)).toBeCloseTo(one, 12)
    expect(fixedPatternEnergy([...stripes(1), ...stripes(-1)], 2, 6, 6)).toBeCloseTo(0, 12)
  })

  it('is 0 for flat images, whatever their level, and refuses a short buffer', () => {
    expect(fixedPatternEnergy(new Array(2 * 16).fill(0.3), 2, 4, 4)).toBeCloseTo(0, 12)
    expect(() => fixedPatternEnergy([1, 2, 3], 1, 2, 2)).toThrow(/expected 1 images of 2×2/)
  })
})
