/**
 * The layout of a sample grid PNG (what imageGridPng draws and the gallery's zoom reads): each
 * 28×28 sample drawn at 2× in a 56 px cell, cells separated and framed by 2 px gutters.
 */
export const GRID_SCALE = 2
export const GRID_PAD = 2
export const GRID_SAMPLE = 28

export interface GridCell {
  row: number
  column: number
  /** The cell's top-left corner and size in the grid image's pixels. */
  x: number
  y: number
  size: number
}

/** The cell under pixel (x, y) of a grid image `width` px wide, or null on a gutter or outside. */
export function gridCellAt(x: number, y: number, width: number, height: number): GridCell | null {
  const size = GRID_SAMPLE * GRID_SCALE
  const stride = size + GRID_PAD
  const columns = Math.floor((width - GRID_PAD) / stride)
  const rows = Math.floor((height - GRID_PAD) / stride)
  const column = Math.floor((x - GRID_PAD) / stride)
  const row = Math.floor((y - GRID_PAD) / stride)
  if (x < GRID_PAD || y < GRID_PAD || column >= columns || row >= rows) return null
  const cx = GRID_PAD + column * stride
  const cy = GRID_PAD + row * stride
  if (x >= cx + size || y >= cy + size) return null
  return { row, column, x: cx, y: cy, size }
}
