/**
 * The papers' metric definitions against hand-computed cases: the PacGAN/VEEGAN mode protocol
 * (Euclidean 3σ, one high-quality sample captures a mode), its per-coordinate box variant, the
 * workbench's stricter 1 % rule, k-NN precision/recall on points, the sliced Wasserstein distance,
 * and InfoGAN's code ↔ class matching.
 */
import { describe, expect, it } from 'vitest'
import {
  appModeCoverage,
  boxModeCoverage,
  modeProtocolMetrics,
  modeProtocols,
  pacganModeCoverage,
} from '../../src-shared/metrics/mode-protocols'
import { classesPresent, kthRadii, precisionRecall } from '../../src-shared/metrics/image-metrics'
import {
  randomDirections,
  slicedWasserstein,
  slicedWassersteinSeeded,
  wasserstein2Squared1d,
} from '../../src-shared/metrics/sliced-wasserstein'
import { codeClassMatching, maxWeightMatching } from '../../src-shared/metrics/code-matching'
import { sampleToy2d, toy2dMixture } from '../../src-shared/datasets/toy2d'
import { createRng } from '../../src-shared/util/rng'

// Two modes far apart, σ = 0.5 (3σ = 1.5, every number below exact in binary floating point).
const centres: [number, number][] = [
  [0, 0],
  [10, 0],
]
const std = 0.5

describe('mode protocols, hand-computed', () => {
  it('a point exactly on the 3σ circle is not high quality for PacGAN (its code compares < 3) but is for the workbench (≤)', () => {
    const onCircle = [1.5, 0]
    expect(pacganModeCoverage(onCircle, centres, std)).toMatchObject({ modesCaptured: 0, highQuality: 0, perMode: [0, 0] })
    expect(boxModeCoverage(onCircle, centres, std)).toMatchObject({ modesCaptured: 0, highQuality: 0 }) // |dx| = 3σ: on the box's edge
    expect(appModeCoverage(onCircle, centres, std)).toMatchObject({ modesCaptured: 1, highQuality: 1, perMode: [1, 0] })
    const inside = [1.4999, 0]
    expect(pacganModeCoverage(inside, centres, std)).toMatchObject({ modesCaptured: 1, highQuality: 1 })
    expect(boxModeCoverage(inside, centres, std)).toMatchObject({ modesCaptured: 1, highQuality: 1 })
  })

  it('the box holds points the disc does not: (1.2, 1.2) is 1.70 from the centre (> 1.5) but inside |dx|, |dy| < 1.5', () => {
    const corner = [1.2, 1.2]
    expect(pacganModeCoverage(corner, centres, std).highQuality).toBe(0)
    expect(boxModeCoverage(corner, centres, std).highQuality).toBe(1)
    const diagonalInside = [0.9, 0.9] // 1.27 from the centre
    expect(pacganModeCoverage(diagonalInside, centres, std).highQuality).toBe(1)
    expect(boxModeCoverage(diagonalInside, centres, std).highQuality).toBe(1)
    const outside = [1.6, 0]
    expect(boxModeCoverage(outside, centres, std).highQuality).toBe(0)
  })

  it("a mode with exactly one high-quality sample is captured by the papers' protocol, not by the 1 % rule", () => {
    const points: number[] = []
    for (let i = 0; i < 200; i++) points.push(0.1, -0.1) // mode 0, 200 samples
    points.push(10.25, 0.25) // mode 1, one sample (1 of 201 < 1 %)
    points.push(5, 0) // half-way: nearest is mode 0 (first of equals), far from both
    const [pacgan, box, app] = modeProtocols(points, centres, std)
    expect(pacgan).toMatchObject({ id: 'pacgan', modesCaptured: 2, modes: 2, perMode: [200, 1] })
    expect(pacgan!.highQuality).toBeCloseTo(201 / 202, 12)
    expect(box).toMatchObject({ id: 'box', modesCaptured: 2, perMode: [200, 1] })
    expect(app).toMatchObject({ id: 'app', modesCaptured: 1, perMode: [200, 1] })
    expect(modeProtocolMetrics([pacgan!, box!, app!])).toEqual({
      pacganModes: 2,
      pacganHighQuality: pacgan!.highQuality,
      boxModes: 2,
      boxHighQuality: box!.highQuality,
      modesCaptured: 1,
      highQuality: app!.highQuality,
    })
  })

  it('a sample counts for its nearest mode only, even when it is within 3σ of another (the papers assign first, then test)', () => {
    const close: [number, number][] = [
      [0, 0],
      [1, 0],
    ]
    // (0.6, 0): nearest is (1, 0) at 0.4; 0.6 from (0, 0) would be inside 3σ too.
    expect(pacganModeCoverage([0.6, 0], close, std).perMode).toEqual([0, 1])
    expect(boxModeCoverage([0.6, 0], close, std).perMode).toEqual([0, 1])
  })

  it('real data of the PacGAN ring (radius 1, σ 0.01): every mode, about 98.9 % high quality (the 3σ mass of a 2D Gaussian)', () => {
    const ring: [number, number][] = Array.from({ length: 8 }, (_, i) => [Math.cos((2 * Math.PI * i) / 8), Math.sin((2 * Math.PI * i) / 8)])
    const rng = createRng(7)
    const pts = sampleToy2d({ name: 'ring8', centres: ring, std: 0.01 }, 2500, rng)
    const [pacgan, box] = modeProtocols(pts, ring, 0.01)
    expect(pacgan!.modesCaptured).toBe(8)
    expect(pacgan!.highQuality).toBeGreaterThan(0.98)
    expect(pacgan!.highQuality).toBeLessThan(0.997)
    expect(box!.highQuality).toBeGreaterThanOrEqual(pacgan!.highQuality) // the box holds the disc
  })
})

describe('precision and recall on points (k-NN balls, k = 3)', () => {
  it('k-th neighbour radii by hand: points 0, 1, 3, 7 on a line', () => {
    // distances² from 0: 1, 9, 49; from 1: 1, 4, 36; from 3: 9, 4, 16; from 7: 49, 36, 16
    expect(Array.from(kthRadii([0, 1, 3, 7], 1, 1))).toEqual([1, 1, 4, 16])
    expect(Array.from(kthRadii([0, 1, 3, 7], 1, 2))).toEqual([9, 4, 9, 36])
    expect(Array.from(kthRadii([0, 1, 3, 7], 1, 3))).toEqual([49, 36, 16, 49])
    expect(Array.from(kthRadii([5], 1, 3))).toEqual([0])
  })

  it("a sample inside a real point's 3-NN ball is precise; one outside every ball is not", () => {
    // Real: the corners of a unit square and its centre, in 2D; 3rd-nearest radius² of each corner is 1 (two sides at 1, centre at 0.5).
    const real = [0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.5]
    const generated = [0.5, 0.5, 1.9, 0, 3, 3] // centre (inside), 0.9 right of (1, 0) (inside its ball of radius 1), far (outside)
    const { precision, recall } = precisionRecall(real, generated, 2, 3)
    expect(precision).toBeCloseTo(2 / 3, 12)
    // Generated balls (k = 3 needs 3 other points; with 2 others the 2nd-nearest is used): every real point within reach of (0.5, 0.5)'s ball?
    // (0.5,0.5)'s neighbours: (1.9, 0) at d² 2.21, (3, 3) at 12.5 → radius² 12.5 covers all five real points.
    expect(recall).toBe(1)
  })
})

describe('sliced Wasserstein distance', () => {
  it('1D W₂² by hand, equal and unequal sizes', () => {
    expect(wasserstein2Squared1d([0, 1], [0, 1])).toBe(0)
    expect(wasserstein2Squared1d([0, 1], [2, 3])).toBe(4) // a shift by 2
    // {0} against {0, 2}: quantile functions differ by 2 on half of [0, 1]: ∫ = 0.5 · 4
    expect(wasserstein2Squared1d([0], [0, 2])).toBe(2)
    // {0, 3} (n 2) against {0, 1, 2} (m 3): pieces [0,1/3]: 0; [1/3,1/2]: (0-1)²; [1/2,2/3]: (3-1)²; [2/3,1]: (3-2)²
    expect(wasserstein2Squared1d([0, 3], [0, 1, 2])).toBeCloseTo((1 / 6) * 1 + (1 / 6) * 4 + (1 / 3) * 1, 12)
  })

  it('over the two axes by hand: a set against itself shifted by (3, 4)', () => {
    const a = [0, 0, 1, 2, -1, 5]
    const b = [3, 4, 4, 6, 2, 9]
    const axes = Float64Array.from([1, 0, 0, 1])
    // W₂² along x: 9, along y: 16; SW₂ = sqrt((9 + 16) / 2)
    expect(slicedWasserstein(a, b, 2, axes)).toBeCloseTo(Math.sqrt(12.5), 12)
    expect(slicedWasserstein(a, a, 2, axes)).toBe(0)
  })

  it('seeded directions: unit length, repeatable, and a shift v gives sqrt(mean (θ·v)²), about |v|/√2 in 2D', () => {
    const dirs = randomDirections(128, 2, 1234)
    for (let l = 0; l < 128; l++) expect(Math.hypot(dirs[2 * l]!, dirs[2 * l + 1]!)).toBeCloseTo(1, 12)
    expect(randomDirections(128, 2, 1234)).toEqual(dirs)
    const mix = toy2dMixture('grid25')
    const a = sampleToy2d(mix, 400, createRng(1))
    const b = Float32Array.from(a, (v, i) => v + (i % 2 === 0 ? 3 : 4))
    let expected = 0
    for (let l = 0; l < 128; l++) expected += (3 * dirs[2 * l]! + 4 * dirs[2 * l + 1]!) ** 2 / 128
    expect(slicedWassersteinSeeded(a, b, 2)).toBeCloseTo(Math.sqrt(expected), 4)
    expect(Math.sqrt(expected)).toBeGreaterThan((5 / Math.sqrt(2)) * 0.85)
    expect(Math.sqrt(expected)).toBeLessThan((5 / Math.sqrt(2)) * 1.15)
  })
})

describe("InfoGAN's code ↔ class matching", () => {
  it('the Hungarian matching finds the best one-to-one assignment, not the greedy one', () => {
    // Greedy takes row 0 → col 0 (9), then row 1 → col 1 (1): 10. Best: 0 → 1 (8), 1 → 0 (8): 16.
    expect(
      maxWeightMatching([
        [9, 8],
        [8, 1],
      ]),
    ).toEqual([1, 0])
  })

  it('matches brute force over every permutation of random 6 × 6 matrices', () => {
    const rng = createRng(99)
    const permutations = (n: number): number[][] =>
      n === 0 ? [[]] : permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]))
    const all = permutations(6)
    for (let trial = 0; trial < 30; trial++) {
      const w = Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => Math.floor(rng() * 50)))
      const best = Math.max(...all.map((p) => p.reduce((s, c, r) => s + w[r]![c]!, 0)))
      const m = maxWeightMatching(w)
      expect(new Set(m).size).toBe(6)
      expect(m.reduce((s, c, r) => s + w[r]![c]!, 0)).toBe(best)
    }
  })

  it('codes that name classes under another order have no error once matched; mistakes count', () => {
    // 10 codes, 100 samples each; code c draws digit (c + 3) mod 10, except 5 samples of code 0 drawn as a 9.
    const codes: number[] = []
    const classes: number[] = []
    for (let c = 0; c < 10; c++)
      for (let i = 0; i < 100; i++) {
        codes.push(c)
        classes.push(c === 0 && i < 5 ? 9 : (c + 3) % 10)
      }
    const r = codeClassMatching(codes, classes, 10, 10)
    expect(r.match).toEqual([3, 4, 5, 6, 7, 8, 9, 0, 1, 2])
    expect(r.error).toBeCloseTo(5 / 1000, 12)
    expect(r.confusion[0]![9]).toBe(5)
  })

  it('two codes on one class: only one of them can match it', () => {
    const r = codeClassMatching([0, 0, 1, 1], [4, 4, 4, 4], 2, 10)
    expect(r.error).toBe(0.5)
  })
})

describe('classes recognisably present (DCGAN rows)', () => {
  it('a class counts when at least 2 % of samples are called it with probability ≥ 0.9', () => {
    // 100 samples over 3 classes: class 0 confidently 5 times, class 1 confidently twice (2 %),
    // class 2 called 93 times but only at 0.6, and once at exactly 0.9 (1 %).
    const rows: number[][] = []
    for (let i = 0; i < 5; i++) rows.push([0.95, 0.05, 0])
    for (let i = 0; i < 2; i++) rows.push([0, 0.9, 0.1])
    for (let i = 0; i < 92; i++) rows.push([0.2, 0.2, 0.6])
    rows.push([0.05, 0.05, 0.9])
    expect(classesPresent(rows.flat(), 3)).toBe(2) // classes 0 and 1; class 2 has one confident sample (1 %)
    expect(classesPresent(rows.flat(), 3, 0.5)).toBe(3)
    expect(classesPresent(rows.flat(), 3, 0.9, 0.03)).toBe(1)
  })
})
