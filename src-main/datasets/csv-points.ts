/**
 * 2D points from a user's CSV: two numeric columns (x, y), comma, semicolon or tab separated, an
 * optional header row, blank lines ignored. Every problem names the file and the line.
 */
import * as tf from '@tensorflow/tfjs'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { createRng } from '../../src-shared/util/rng'
import { boundsOf } from '../../src-shared/util/points'
import { mixSeed } from '../../src-shared/util/seeds'
import type { DataSource } from './data-source'
import { DatasetError } from './dataset-error'
import { MAX_CSV_BYTES, MAX_CSV_POINTS, readDatasetFile } from './limits'

/** The largest float32: a value beyond it would train as Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i

/** A cell as a float32 value, or why it is not one. */
function cellValue(cell: string): number | string {
  if (NON_FINITE.test(cell)) return `value "${cell}" is not a finite number`
  const v = Number(cell)
  if (cell === '' || !Number.isFinite(v)) return `value "${cell.slice(0, 40)}" is not a number`
  if (Math.abs(v) > FLOAT32_MAX) return `value ${cell.slice(0, 40)} overflows float32 (largest ±3.4e38)`
  return v
}

export function parsePointsCsv(text: string, file: string): Float32Array {
  const values: number[] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const cells = line.split(/[,;\t]/).map((c) => c.trim())
    const parsed = cells.slice(0, 2).map(cellValue)
    if (cells.length < 2 || parsed.some((p) => typeof p === 'string')) {
      // A first row of names is a header (names, not numbers and not NaN or Infinity spelt out).
      if (values.length === 0 && cells.every((c) => Number.isNaN(Number(c)) && !NON_FINITE.test(c))) return
      const why = parsed.find((p) => typeof p === 'string')
      if (
        cells.length >= 2 &&
        typeof why === 'string' &&
        (NON_FINITE.test(cells[0]!) || NON_FINITE.test(cells[1]!) || /overflows/.test(why))
      ) {
        throw new DatasetError(`${file}: line ${i + 1}: ${why}`)
      }
      throw new DatasetError(`${file}: line ${i + 1}: expected two numbers (x, y), got "${line.slice(0, 60)}"`)
    }
    if (cells.length > 2 && cells.slice(2).some((c) => c !== ''))
      throw new DatasetError(`${file}: line ${i + 1}: expected two columns (x, y), got ${cells.length}`)
    values.push(parsed[0] as number, parsed[1] as number)
    if (values.length / 2 > MAX_CSV_POINTS) throw new DatasetError(`${file}: more than ${MAX_CSV_POINTS.toLocaleString('en-US')} points`)
  })
  if (values.length === 0) throw new DatasetError(`${file}: no points (expected lines of x, y)`)
  return Float32Array.from(values)
}

/** A CSV's bytes: a regular file within the CSV cap (see limits.ts). */
export function readCsvBytes(file: string): Buffer {
  return readDatasetFile(file, MAX_CSV_BYTES, 'the CSV size cap')
}

export function readPointsCsv(file: string): Float32Array {
  return parsePointsCsv(readCsvBytes(file).toString('utf8'), file)
}

export function createCsvSource(config: Extract<DatasetConfig, { kind: 'csv' }>, seed: number): DataSource {
  const points = readPointsCsv(config.file)
  const count = points.length / 2
  // Rows drawn with replacement from a seeded RNG per (step, slot): resumable like every source.
  const draw = (n: number, s: number): Float32Array => {
    const rng = createRng(s)
    const out = new Float32Array(n * 2)
    for (let i = 0; i < n; i++) {
      const r = Math.floor(rng() * count)
      out[2 * i] = points[2 * r]!
      out[2 * i + 1] = points[2 * r + 1]!
    }
    return out
  }
  return {
    kind: 'points',
    shape: [2],
    size: count,
    range: {
      bounds: boundsOf(points, 2),
      from: `the ${count.toLocaleString('en-US')} points of ${config.file} (lowest and highest x and y)`,
    },
    batch: (step, slot, size) => tf.tensor2d(draw(size, mixSeed(seed, step, slot)), [size, 2]),
    sample: draw,
  }
}
