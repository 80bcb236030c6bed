/** Dots splatted on the CPU composite as a canvas's source-over would: hand-computed pixels. */
import { describe, expect, it } from 'vitest'
import { splatDots } from '../../src-shared/plots/splat'

const opts = { width: 5, height: 5, radius: 1, rgb: [190, 190, 190] as [number, number, number], alpha: 0.5 }
const alphaAt = (px: Uint8ClampedArray, x: number, y: number) => px[4 * (y * 5 + x) + 3]

describe('splatDots', () => {
  it('one dot: full opacity inside, an anti-aliased edge one pixel wide, nothing beyond', () => {
    const px = splatDots([2.5, 2.5], opts)
    expect(alphaAt(px, 2, 2)).toBe(128) // centre: coverage 1 → 0.5
    expect(alphaAt(px, 1, 2)).toBe(64) // distance 1: coverage 0.5 → 0.25
    expect(alphaAt(px, 3, 3)).toBe(Math.round(255 * 0.5 * (1.5 - Math.SQRT2))) // the diagonal's sliver
    expect(alphaAt(px, 0, 2)).toBe(0) // distance 2: outside
    expect([...px.slice(4 * 12, 4 * 12 + 3)]).toEqual([190, 190, 190])
    expect([...px.slice(0, 4)]).toEqual([0, 0, 0, 0])
  })

  it('overlapping dots get denser as translucent layers do (1 − 0.5² at the shared centre)', () => {
    const px = splatDots([2.5, 2.5, 2.5, 2.5], opts)
    expect(alphaAt(px, 2, 2)).toBe(191)
    expect(alphaAt(px, 1, 2)).toBe(Math.round(255 * (1 - 0.75 * 0.75)))
  })

  it('dots off the image are clipped and non-finite positions skipped', () => {
    const px = splatDots([-0.5, 2.5, Number.NaN, 1, 1e9, Infinity], opts)
    expect(alphaAt(px, 0, 2)).toBe(64) // the edge of the dot whose centre is outside
    expect(px.reduce((n, v, i) => n + (i % 4 === 3 && v > 0 ? 1 : 0), 0)).toBe(3) // (0,1), (0,2), (0,3) only
  })
})
