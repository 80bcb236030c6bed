/** The 2-pixel-period power share (stripes) against hand-computed cases. */
import { describe, expect, it } from 'vitest'
import { nyquistShare, stripeRatio } from '../../src-shared/metrics/stripe-power'

/** A side×side image from a function of (row, column). */
function image(side: number, f: (r: number, c: number) => number): number[] {
  return Array.from({ length: side * side }, (_, i) => f(Math.floor(i / side), i % side))
}

describe('nyquistShare', () => {
  it('puts all of a one-pixel stripe pattern at the 2-pixel period, along the axis it alternates on', () => {
    // Columns alternate 1, 0: every row is [1, 0, 1, 0]; every column is constant (adds nothing).
    expect(
      nyquistShare(
        image(4, (_r, c) => (c % 2 === 0 ? 1 : 0)),
        4,
      ),
    ).toEqual({ x: 1, y: 0 })
    expect(
      nyquistShare(
        image(4, (r) => (r % 2 === 0 ? 1 : 0)),
        4,
      ),
    ).toEqual({ x: 0, y: 1 })
  })

  it('finds none in a pattern of period 4', () => {
    // [0, 0, 1, 1]: Σ (−1)ˣ p = 0 − 0 + 1 − 1 = 0.
    expect(
      nyquistShare(
        image(4, (_r, c) => (c < 2 ? 0 : 1)),
        4,
      ).x,
    ).toBe(0)
  })

  it('gives a single bright pixel a third of its line’s power (an impulse is flat across the 3 non-zero frequencies)', () => {
    // Row [1, 0, 0, 0]: Σ (−1)ˣ p = 1; mean ¼; side · Σ (p − ¼)² = 4 · (9/16 + 3/16) = 3. Both axes alike.
    const share = nyquistShare(
      image(4, (r, c) => (r === 0 && c === 0 ? 1 : 0)),
      4,
    )
    expect(share.x).toBeCloseTo(1 / 3, 12)
    expect(share.y).toBeCloseTo(1 / 3, 12)
  })

  it('pools every line of every image, weighting each by its power', () => {
    // Image 1: stripes of amplitude 1 (rows: at 4, total 4 each). Image 2: rows [0, 0, 2, 2] (at 0, total 16 each).
    const both = [...image(4, (_r, c) => (c % 2 === 0 ? 1 : 0)), ...image(4, (_r, c) => (c < 2 ? 0 : 2))]
    expect(nyquistShare(both, 4).x).toBeCloseTo((4 * 4) / (4 * 4 + 4 * 16), 12)
  })

  it('refuses an odd side, which has no 2-pixel period', () => {
    expect(() => nyquistShare(new Array(9).fill(0), 3)).toThrow(/even/)
  })
})

describe('stripeRatio', () => {
  const smooth = (r: number, c: number) => Math.exp(-((r - 13.5) ** 2 + (c - 13.5) ** 2) / 40)

  it('is 1 for images as smooth as the real ones, and several times that when one-pixel stripes are added', () => {
    const real = image(28, smooth)
    expect(stripeRatio(real, real, 28)).toBeCloseTo(1, 12)
    const striped = image(28, (r, c) => smooth(r, c) + (c % 2 === 0 ? 0.05 : -0.05))
    expect(stripeRatio(striped, real, 28)).toBeGreaterThan(3)
    // Horizontal stripes count as much (the worse axis).
    const bands = image(28, (r, c) => smooth(r, c) + (r % 2 === 0 ? 0.05 : -0.05))
    expect(stripeRatio(bands, real, 28)).toBeCloseTo(stripeRatio(striped, real, 28), 9)
  })

  it('is 1 when neither has any power at the period, and infinite when only the generated images have some', () => {
    const flatRows = image(4, (_r, c) => (c < 2 ? 0 : 1))
    expect(stripeRatio(flatRows, flatRows, 4)).toBe(1)
    expect(
      stripeRatio(
        image(4, (_r, c) => c % 2),
        flatRows,
        4,
      ),
    ).toBe(Infinity)
  })
})
