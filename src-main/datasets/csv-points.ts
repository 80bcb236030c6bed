/**
 * 2D points from a user's CSV: two numeric columns (x, y), comma, semicolon or tab separated, an
 * optional header row, blank lines ignored. Every problem names the file and the line.
 */
import fs from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { createRng } from '../../src-shared/util/rng'
import { boundsOf } from '../../src-shared/util/points'
import { mixSeed } from '../training/seeds'
import type { DataSource } from './data-source'
import { DatasetError } from './idx'

/** Above this many points a CSV is refused (the whole set is held in memory). */
const MAX_POINTS = 10_000_000

export function parsePointsCsv(text: string, file: string): Float32Array {
  const values: number[] = []
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const cells = line.split(/[,;\t]/).map((c) => c.trim())
    const nums = cells.map(Number)
    const numeric = cells.length >= 2 && cells[0] !== '' && cells[1] !== '' && Number.isFinite(nums[0]) && Number.isFinite(nums[1])
    if (!numeric) {
      // A first row of names is a header; anything else is an error.
      if (values.length === 0 && cells.every((c) => Number.isNaN(Number(c)))) return
      throw new DatasetError(`${file}: line ${i + 1}: expected two numbers (x, y), got "${line.slice(0, 60)}"`)
    }
    if (cells.length > 2 && cells.slice(2).some((c) => c !== '')) throw new DatasetError(`${file}: line ${i + 1}: expected two columns (x, y), got ${cells.length}`)
    values.push(nums[0]!, nums[1]!)
    if (values.length / 2 > MAX_POINTS) throw new DatasetError(`${file}: more than ${MAX_POINTS.toLocaleString('en-US')} points`)
  })
  if (values.length === 0) throw new DatasetError(`${file}: no points (expected lines of x, y)`)
  return Float32Array.from(values)
}

export function readPointsCsv(file: string): Float32Array {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as { code?: string }).code
    throw new DatasetError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(e)})`}`)
  }
  return parsePointsCsv(text, file)
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
    range: { bounds: boundsOf(points, 2), from: `the ${count.toLocaleString('en-US')} points of ${config.file} (lowest and highest x and y)` },
    batch: (step, slot, size) => tf.tensor2d(draw(size, mixSeed(seed, step, slot)), [size, 2]),
    sample: draw,
  }
}
