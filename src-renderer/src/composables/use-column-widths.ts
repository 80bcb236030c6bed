/**
 * The rendered widths of a table's header cells, followed as they change: resized (ResizeObserver)
 * or added and removed (MutationObserver; the column chooser). The runs table lays out its first
 * rows with the header in an automatic-layout table and gives the rest, in tables of their own,
 * these widths (fixed layout), so that a chunk of rows appended below is laid out alone instead of
 * the whole table again (issue 24: 35–45 ms a frame at 200 rows).
 */
import { onBeforeUnmount, ref, type Ref } from 'vue'

export function useColumnWidths(): { widths: Ref<number[]>; headerRow: (el: unknown) => void } {
  const widths = ref<number[]>([])
  let row: HTMLTableRowElement | null = null
  const measure = () => {
    if (!row) return
    const next = Array.from(row.cells, (c) => c.getBoundingClientRect().width)
    if (next.length !== widths.value.length || next.some((w, i) => Math.abs(w - (widths.value[i] ?? 0)) > 0.25)) widths.value = next
  }
  const resized = new ResizeObserver(measure)
  const observeCells = () => {
    resized.disconnect()
    if (row) for (const c of Array.from(row.cells)) resized.observe(c)
    measure()
  }
  const cellsChanged = new MutationObserver(observeCells)
  /** The function ref of the header's row. */
  const headerRow = (el: unknown) => {
    const next = el instanceof HTMLTableRowElement ? el : null
    if (next === row) return
    row = next
    cellsChanged.disconnect()
    if (row) cellsChanged.observe(row, { childList: true })
    observeCells()
  }
  onBeforeUnmount(() => {
    resized.disconnect()
    cellsChanged.disconnect()
  })
  return { widths, headerRow }
}
