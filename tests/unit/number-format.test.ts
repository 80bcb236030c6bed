import { describe, expect, it } from 'vitest'
import { cellNumber, grouped, localDateTime } from '../../src-shared/util/number-format'
import { chunksOf } from '../../src-shared/util/chunks'

describe('table formatting with shared Intl formatters', () => {
  it('writes what toLocaleString wrote, for numbers and dates', () => {
    for (const n of [0, 7, 999, 1000, 12_345, -5_000_000, 1234.5678, 0.0001234]) expect(grouped(n)).toBe(n.toLocaleString('en-US'))
    for (const t of [0, Date.UTC(2026, 11, 6, 8, 1, 2), Date.parse('2026-01-31T23:59:59Z')])
      expect(localDateTime(t)).toBe(new Date(t).toLocaleString())
    // A registry row with an unreadable date shows a dash (Intl throws on NaN; the table must not).
    expect(localDateTime(Date.parse('not a date'))).toBe('—')
  })
  it('cells: whole numbers grouped, others to 4 significant digits, one decimal from 100', () => {
    expect(cellNumber(12345)).toBe('12,345')
    expect(cellNumber(0.012345)).toBe('0.01235')
    expect(cellNumber(-1.5)).toBe('-1.500')
    expect(cellNumber(123.456)).toBe('123.5')
  })
})

describe('chunksOf', () => {
  it('cuts a list into consecutive pieces (the first of its own size), the last shorter; an empty list is one empty piece', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
    expect(chunksOf([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ])
    expect(chunksOf([], 20)).toEqual([[]])
    expect(chunksOf([1, 2, 3, 4, 5, 6], 2, 3)).toEqual([[1, 2, 3], [4, 5], [6]])
    expect(chunksOf([1, 2], 2, 3)).toEqual([[1, 2]])
    expect(() => chunksOf([1], 0)).toThrow(/at least 1/)
    expect(() => chunksOf([1], 2, 0)).toThrow(/at least 1/)
  })
})
