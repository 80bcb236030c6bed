import { describe, expect, it } from 'vitest'
import { modeCoverage } from '../../src-shared/metrics/mode-coverage'
import { sampleToy2d, toy2dMixture } from '../../src-shared/datasets/toy2d'
import { createRng } from '../../src-shared/util/rng'

const ring = toy2dMixture('ring8')

describe('2D mode coverage', () => {
  it('samples exactly on 5 of 8 modes give 5 modes captured, all high quality', () => {
    const pts: number[] = []
    for (let i = 0; i < 500; i++) pts.push(...ring.centres[i % 5]!)
    const m = modeCoverage(pts, ring.centres, ring.std)
    expect(m.modesCaptured).toBe(5)
    expect(m.highQuality).toBe(1)
    expect(m.perMode).toEqual([100, 100, 100, 100, 100, 0, 0, 0])
    // KL(uniform over 5 ‖ uniform over 8) = log(8/5)
    expect(m.modeKL).toBeCloseTo(Math.log(8 / 5), 6)
  })

  it('real data covers every mode with KL near 0', () => {
    for (const name of ['ring8', 'pacgan-ring8', 'grid25', 'spiral'] as const) {
      const mix = toy2dMixture(name)
      const m = modeCoverage(sampleToy2d(mix, 5000, createRng(3)), mix.centres, mix.std)
      expect(m.modesCaptured).toBe(mix.centres.length)
      expect(m.highQuality).toBeGreaterThan(0.98) // 3 std in 2D holds ~98.9 %
      expect(m.modeKL).toBeLessThan(0.01)
    }
  })

  it('points far from every mode are not high quality and capture nothing', () => {
    const m = modeCoverage([10, 10, -10, 10], ring.centres, ring.std)
    expect(m).toMatchObject({ modesCaptured: 0, highQuality: 0 })
    expect(m.modeKL).toBeCloseTo(Math.log(8), 6)
  })

  it('a mode needs its share of samples to count', () => {
    const pts: number[] = []
    for (let i = 0; i < 999; i++) pts.push(...ring.centres[0]!)
    pts.push(...ring.centres[1]!) // 1 sample in 1000: under the 1 % share
    expect(modeCoverage(pts, ring.centres, ring.std).modesCaptured).toBe(1)
    expect(modeCoverage(pts, ring.centres, ring.std, 0.001).modesCaptured).toBe(2)
  })

  it("pacgan-ring8 is PacGAN's 2D ring: 8 modes on the unit circle, std 0.01, mode i at angle 2πi/8", () => {
    const mix = toy2dMixture('pacgan-ring8')
    expect(mix.std).toBe(0.01)
    expect(mix.centres).toHaveLength(8)
    mix.centres.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(Math.cos((2 * Math.PI * i) / 8), 12)
      expect(y).toBeCloseTo(Math.sin((2 * Math.PI * i) / 8), 12)
    })
    // Drawn samples sit within a few std of the unit circle (radius 1, not ring8's 2).
    const pts = sampleToy2d(mix, 2000, createRng(5))
    for (let i = 0; i < 2000; i++) expect(Math.abs(Math.hypot(pts[2 * i]!, pts[2 * i + 1]!) - 1)).toBeLessThan(0.06)
    // ring8 stays as it was: radius 2, std 0.02.
    expect(toy2dMixture('ring8').std).toBe(0.02)
    expect(Math.hypot(...toy2dMixture('ring8').centres[3]!)).toBeCloseTo(2, 12)
  })
})
