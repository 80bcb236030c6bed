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
    for (const name of ['ring8', 'grid25'] as const) {
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
})
