/** The pixel-scale stripe measure against hand-computed cases. */
import { describe, expect, it } from 'vitest'
import { lineSpectra, stripeBands, stripeRatio, topBandRatio } from '../../src-shared/metrics/stripe-power'

/** A side×side image from a function of (row, column). */
function image(side: number, f: (r: number, c: number) => number): number[] {
  return Array.from({ length: side * side }, (_, i) => f(Math.floor(i / side), i % side))
}

const close = (values: Float64Array) => Array.from(values, (v) => Math.round(v * 1e9) / 1e9)

describe('lineSpectra', () => {
  it('puts a one-pixel stripe pattern at the 2-pixel period, along the axis it alternates on', () => {
    // Every row is [1, 0, 1, 0]: mean removed, [½, −½, ½, −½]; X₂ = Σ (−1)ⁱ pᵢ = 2, |X₂|² = 4; X₁ = 0.
    // Four rows: 16 at k = 2. Every column is constant: nothing.
    const s = lineSpectra(
      image(4, (_r, c) => (c % 2 === 0 ? 1 : 0)),
      4,
    )
    expect(close(s.x)).toEqual([0, 0, 16])
    expect(close(s.y)).toEqual([0, 0, 0])
  })

  it('spreads a single bright pixel evenly over the frequencies of its row and its column', () => {
    // Row [1, 0, 0, 0]: an impulse has |X_k| = 1 at every k; removing the mean changes only k = 0.
    const s = lineSpectra(
      image(4, (r, c) => (r === 0 && c === 0 ? 1 : 0)),
      4,
    )
    expect(close(s.x)).toEqual([0, 1, 1])
    expect(close(s.y)).toEqual([0, 1, 1])
    // Moved one pixel along: only the phase changes (X₁ = −i), not the power.
    const moved = lineSpectra(
      image(4, (r, c) => (r === 1 && c === 1 ? 1 : 0)),
      4,
    )
    expect(close(moved.x)).toEqual([0, 1, 1])
    expect(close(moved.y)).toEqual([0, 1, 1])
  })

  it('refuses an odd side, which has no 2-pixel period', () => {
    expect(() => lineSpectra(new Array(9).fill(0), 3)).toThrow(/even/)
  })
})

describe('stripeRatio', () => {
  it('compares periods of 2 to 2.55 pixels with 2.8 to 4 pixels on 28-pixel images', () => {
    expect(stripeBands(28)).toEqual({ top: [11, 14], below: [7, 10] })
    const p = new Float64Array(15)
    p[7] = 2
    p[10] = 2
    p[11] = 1
    p[14] = 2
    expect(topBandRatio(p, 28)).toBeCloseTo(3 / 4, 12)
  })

  const blob = (width: number) => (r: number, c: number) => Math.exp(-((r - 13.5) ** 2 + (c - 13.5) ** 2) / width)
  const real = image(28, blob(40))

  it('is 1 for images like the real ones, below 1 for blurrier ones', () => {
    expect(stripeRatio(real, real, 28)).toBeCloseTo(1, 12)
    expect(stripeRatio(image(28, blob(120)), real, 28)).toBeLessThan(1)
  })

  it('flags stripes a little off the 2-pixel period (a drifting phase), along either axis', () => {
    // 13 cycles across 28 pixels: a period of 2.15 pixels, which the 2-pixel period alone misses.
    const wave = (i: number) => 0.02 * Math.cos((2 * Math.PI * 13 * i) / 28)
    const vertical = image(28, (r, c) => blob(40)(r, c) + wave(c))
    const horizontal = image(28, (r, c) => blob(40)(r, c) + wave(r))
    expect(stripeRatio(vertical, real, 28)).toBeGreaterThan(2)
    expect(stripeRatio(horizontal, real, 28)).toBeCloseTo(stripeRatio(vertical, real, 28), 9)
    // The same wave at 8 cycles (3.5 pixels) adds to the band below and lowers the ratio.
    const coarse = image(28, (r, c) => blob(40)(r, c) + 0.02 * Math.cos((2 * Math.PI * 8 * c) / 28))
    expect(stripeRatio(coarse, real, 28)).toBeLessThan(1)
  })

  it('is 1 when neither has any power in the bands, and infinite when only the generated images have some', () => {
    const flat = image(28, () => 0.5)
    expect(stripeRatio(flat, flat, 28)).toBe(1)
    expect(
      stripeRatio(
        image(28, (_r, c) => c % 2),
        flat,
        28,
      ),
    ).toBe(Infinity)
  })
})
