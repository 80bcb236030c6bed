/**
 * Number and date formatting for tables that format thousands of cells: one `Intl` formatter
 * each, made once. `n.toLocaleString(…)` and `date.toLocaleString()` build a new formatter on
 * every call; in the runs table they were a quarter of its first render (a trace, 2026-12-06).
 */
const GROUPED = new Intl.NumberFormat('en-US')
const LOCAL_DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
})

/** 12,345 (en-US grouping; fractions rounded to 3 digits, as toLocaleString does). */
export const grouped = (n: number): string => GROUPED.format(n)

/** The user's local date and time, as `Date.prototype.toLocaleString()` writes it; '—' for no valid time. */
export const localDateTime = (t: Date | number): string => (Number.isFinite(+t) ? LOCAL_DATE_TIME.format(t) : '—')

/** A table cell's number: whole numbers grouped, others to 4 significant digits (1 decimal from 100). */
export const cellNumber = (v: number): string => (Number.isInteger(v) ? grouped(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4))
