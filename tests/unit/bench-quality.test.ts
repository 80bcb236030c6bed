/**
 * The time-to-quality bench's verdicts (bench/quality.ts): the ring-8 threshold as documented
 * (≥ 7 of 8 modes and ≥ 60 % high quality, PacGAN's 3σ rule, the same code for both engines), and
 * the median over seeds, where a seed that never reached the threshold counts as slower than any
 * that did and the threshold counts as reached only when more than half of the seeds reached it.
 */
import { describe, expect, it } from 'vitest'
import { RING8_HIGH_QUALITY, score, summarise } from '../../bench/quality'
import { requirePreset } from '../../src-shared/config/presets'
import { validateExperiment } from '../../src-shared/config/validate'
import { toy2dMixture } from '../../src-shared/datasets/toy2d'

const config = validateExperiment(requirePreset('mlp-2d-pacgan-ring8-decay-ema').config).config
const ring = toy2dMixture('pacgan-ring8')

/** 2,500 samples: `good` of them on the modes (spread over `modes` modes), the rest far from every mode. */
function samples(good: number, modes = 8): Float32Array {
  const out = new Float32Array(2500 * 2).fill(5)
  for (let i = 0; i < good; i++) {
    const [x, y] = ring.centres[i % modes]!
    out[2 * i] = x
    out[2 * i + 1] = y
  }
  return out
}

const run = (trainSeconds?: number, steps?: number) => ({
  reached: trainSeconds !== undefined,
  trainSeconds,
  steps,
  maxSteps: 10_000,
  threads: 1,
  history: [],
})

describe('time to quality (bench/quality.ts)', () => {
  it('passes ring-8 samples at ≥ 7 modes and ≥ 60 % high quality, and not below either', async () => {
    expect(RING8_HIGH_QUALITY).toBe(0.6)
    expect((await score('ring8', config, samples(1500))).passed).toBe(true)
    expect((await score('ring8', config, samples(1500, 7))).passed).toBe(true)
    expect(await score('ring8', config, samples(1499))).toMatchObject({ passed: false, modes: 8, highQuality: 1499 / 2500 })
    expect((await score('ring8', config, samples(2500, 6))).passed).toBe(false)
  })

  it('takes the median over seeds, a seed that never reached it counting as the slowest', () => {
    expect(summarise([run(30, 5000), run(10, 4500), run(20, 4750)])).toMatchObject({
      reached: true,
      reachedSeeds: 3,
      trainSeconds: 20,
      steps: 4750,
    })
    // One seed short of the threshold: the median is the slower of the two that reached it.
    expect(summarise([run(10, 4500), run(), run(20, 5000)])).toMatchObject({
      reached: true,
      reachedSeeds: 2,
      trainSeconds: 20,
      steps: 5000,
    })
    expect(summarise([run(10, 4500), run(), run()])).toMatchObject({ reached: false, reachedSeeds: 1 })
    expect(summarise([run(10, 4500), run(30, 5500)])).toMatchObject({ reached: true, trainSeconds: 20, steps: 5000 })
    expect(summarise([run(10, 4500), run()])).toMatchObject({ reached: false })
    expect(summarise([run(10, 4500), run()]).perSeed).toEqual([{ trainSeconds: 10, steps: 4500 }, null])
  })
})
