/**
 * Property-based bad input (fast-check, seeded and bounded so CI is repeatable; `npm run soak`
 * raises the counts via FUZZ_RUNS): configs, model graphs, IDX files, image and paired folders, and
 * bundle entry names. Each
 * must be accepted or refused with a clear error naming the field or file: never a crash, never
 * an allocation for an absurd model.
 */
import zlib from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { ConfigError } from '../../src-shared/config/errors'
import { PRESETS } from '../../src-shared/config/presets'
import { MAX_PARAMS } from '../../src-shared/model/shape-inference'
import { DatasetError, parseIdx } from '../../src-main/datasets/idx'
import { safeEntryName } from '../../src-main/export/run-bundle'
import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { loadImageFolder } from '../../src-main/datasets/image-folder'
import { loadPairedFolder } from '../../src-main/datasets/paired-folder'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'

const RUNS = Number(process.env.FUZZ_RUNS ?? 300)
const SEED = Number(process.env.FUZZ_SEED ?? 20261124)
const tried = triedCounter('fuzzed configs, graphs, IDX bytes, folders, entry names')

/** Every leaf path of a JSON value, e.g. ['training', 'batchSize'] or ['generator', 'layers', 2, 'units']. */
function leafPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leafPaths(x, [...at, i]))
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]))
  return [at]
}

function setPath(root: unknown, p: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>
  let o = copy
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>
  o[p[p.length - 1]!] = value
  return copy
}

const adversarial = fc.oneof(
  fc.constantFrom(-1, 0, -0.5, 1e9, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e308, '', '12', 'NaN', null, true, [], {}, [[[]]], {
    type: 'dense',
  }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }),
)

/** The outcome of validating: 'valid', or the field-level errors; anything else is a bug. */
function outcome(raw: unknown): 'valid' | { path: string; message: string }[] {
  try {
    validateExperiment(raw)
    return 'valid'
  } catch (e) {
    if (e instanceof ConfigError) return e.errors
    throw e
  }
}

describe('fuzzed configs', () => {
  it('any JSON at all: a ConfigError naming fields, never a crash', () => {
    const mark = tried.total
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (raw) => {
        tried.add()
        const r = outcome(raw)
        if (r !== 'valid') expect(r.length).toBeGreaterThan(0)
      }),
      { numRuns: RUNS, seed: SEED },
    )
    tried.expectSince(mark, RUNS)
  })

  it('one field of a preset made wrong: refused with that field (or a cross-field check) named', () => {
    const cases = PRESETS.flatMap((p) => leafPaths(p.config).map((path) => ({ config: p.config, path })))
    const mark = tried.total
    fc.assert(
      fc.property(fc.constantFrom(...cases), adversarial, ({ config, path }, value) => {
        tried.add()
        const r = outcome(setPath(config, path, value))
        if (r === 'valid') return
        expect(r.length).toBeGreaterThan(0)
        for (const e of r) expect(typeof e.path === 'string' && e.message.length > 0).toBe(true)
        // The error points at the changed field, an ancestor of it, or a check that depends on it.
        const changed = path
          .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`))
          .join('')
          .replace(/^\./, '')
        const named = r.some(
          (e) =>
            changed.startsWith(e.path.replace(/\[\d+\]$/, '')) ||
            e.path.startsWith(changed.split(/[.[]/)[0]!) ||
            e.message.includes(changed),
        )
        expect(named, `${changed} → ${JSON.stringify(r)}`).toBe(true)
      }),
      { numRuns: RUNS, seed: SEED },
    )
    tried.expectSince(mark, RUNS)
  })

  it('huge models are refused from their shapes alone, before anything is built', () => {
    const mark = tried.total
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 4_096 }),
        fc.integer({ min: 20_000, max: 65_536 }),
        fc.integer({ min: 1_000, max: 65_536 }),
        (width, units, units2) => {
          tried.add()
          const base = structuredClone(PRESETS[0]!.config) as Record<string, unknown>
          const r = outcome({
            ...base,
            latent: { dim: width },
            generator: {
              inputShape: [width],
              layers: [
                { type: 'dense', units },
                { type: 'dense', units: units2 },
                { type: 'dense', units: 2 },
              ],
            },
          })
          if (width * units + units + units * units2 + units2 <= MAX_PARAMS) return
          expect(r).not.toBe('valid')
          expect(
            (r as { path: string; message: string }[]).some(
              (e) => /^generator\.layers\[[01]\]$/.test(e.path) && /over 100,000,000 parameters/.test(e.message),
            ),
          ).toBe(true)
        },
      ),
      { numRuns: Math.min(RUNS, 50), seed: SEED },
    )
    tried.expectSince(mark, Math.min(RUNS, 50))
  })
})

describe('fuzzed model graphs', () => {
  const layer = fc.oneof(
    fc.record({ type: fc.constant('dense'), units: fc.integer({ min: -2, max: 64 }) }),
    fc.record({ type: fc.constant('flatten') }),
    fc.record({ type: fc.constantFrom('concatenate', 'multiply', 'add') }),
    fc.record({ type: fc.constant('reshape'), targetShape: fc.array(fc.integer({ min: -1, max: 8 }), { minLength: 1, maxLength: 3 }) }),
    fc.record({ type: fc.constant('conv2d'), filters: fc.integer({ min: 1, max: 4 }), kernelSize: fc.integer({ min: 1, max: 5 }) }),
  )
  const names = ['z', 'a', 'b', 'c', 'd', 'out', 'missing']
  const graph = fc.record({
    inputs: fc.constant([{ name: 'z', shape: [4], role: 'latent' }]),
    nodes: fc.array(
      fc.record({
        name: fc.constantFrom(...names.slice(1, 6)),
        layer,
        inputs: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    outputs: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 2 }),
  })

  it('random graphs (dangling and forward references, duplicate names, bad shapes): valid, or refused at a generator.* path', () => {
    const mark = tried.total
    fc.assert(
      fc.property(graph, (g) => {
        tried.add()
        const config = { ...structuredClone(PRESETS[0]!.config), generator: g }
        const r = outcome(config)
        if (r === 'valid') return
        expect(r.some((e) => e.path.startsWith('generator'))).toBe(true)
      }),
      { numRuns: RUNS, seed: SEED },
    )
    tried.expectSince(mark, RUNS)
  })
})

describe('fuzzed files and names', () => {
  const header = (dims: number[]) =>
    Buffer.from([0, 0, 0x08, dims.length, ...dims.flatMap((d) => [d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])])

  it('IDX: truncated, padded, corrupted or random bytes (raw or gzipped) give a DatasetError naming the file', () => {
    const valid = Buffer.concat([header([3, 4, 4]), Buffer.alloc(48, 7)])
    const mutated = fc.oneof(
      fc.integer({ min: 0, max: valid.length - 1 }).map((n) => valid.subarray(0, n)),
      fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => Buffer.concat([valid, extra])),
      fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
        const c = Buffer.from(valid)
        c[i] = b
        return c
      }),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    )
    const mark = tried.total
    fc.assert(
      fc.property(mutated, fc.boolean(), (bytes, gzip) => {
        tried.add()
        const input = gzip ? zlib.gzipSync(bytes).subarray(0, Math.max(2, bytes.length % 7 === 0 ? 10 : Infinity)) : bytes
        try {
          const r = parseIdx(input, 'images.idx', 3)
          expect(r.data.length).toBe(r.dims.reduce((a, b) => a * b, 1))
        } catch (e) {
          expect(e).toBeInstanceOf(DatasetError)
          expect((e as Error).message).toMatch(/^images\.idx: /)
        }
      }),
      { numRuns: RUNS, seed: SEED },
    )
    tried.expectSince(mark, RUNS)
  })

  it('image and paired folders: random, empty, truncated and odd-sized files, and missing partners, load or name the file', () => {
    const t = tmpDir('gwb-fuzz-folders-')
    const png = (w: number, h: number, colorType: 0 | 2 | 4 | 6, seed: number) => {
      const img = new PNG({ width: w, height: h, colorType, inputColorType: 6 })
      for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 31 + seed) & 255
      return PNG.sync.write(img, { colorType })
    }
    const file = fc.oneof(
      fc.record({
        kind: fc.constant('png'),
        w: fc.integer({ min: 1, max: 90 }),
        h: fc.integer({ min: 1, max: 90 }),
        color: fc.constantFrom(0, 2, 4, 6) as fc.Arbitrary<0 | 2 | 4 | 6>,
        cut: fc.option(fc.integer({ min: 0, max: 60 })),
      }),
      fc.record({ kind: fc.constant('bytes'), bytes: fc.uint8Array({ maxLength: 40 }), ext: fc.constantFrom('.png', '.jpg', '.txt') }),
    )
    let n = 0
    const mark = tried.total
    try {
      fc.assert(
        fc.property(fc.array(file, { minLength: 1, maxLength: 4 }), fc.boolean(), (files, dropPartner) => {
          tried.add()
          const dir = path.join(t.dir, String(n++))
          for (const side of ['A', 'B']) fs.mkdirSync(path.join(dir, side), { recursive: true })
          files.forEach((f, i) => {
            const bytes =
              f.kind === 'png'
                ? f.cut === null
                  ? png(f.w, f.h, f.color, i)
                  : png(f.w, f.h, f.color, i).subarray(0, f.cut)
                : Buffer.from(f.bytes)
            const name = `${i}${f.kind === 'png' ? '.png' : f.ext}`
            fs.writeFileSync(path.join(dir, 'A', name), bytes)
            if (!(dropPartner && i === files.length - 1)) fs.writeFileSync(path.join(dir, 'B', name), bytes)
          })
          for (const count of [() => loadImageFolder(path.join(dir, 'A')).count, () => loadPairedFolder(dir).targets.count]) {
            let result: number | Error
            try {
              result = count()
            } catch (e) {
              result = e as Error
            }
            if (typeof result === 'number') expect(result).toBe(files.length)
            else {
              expect(result).toBeInstanceOf(DatasetError)
              expect(result.message.startsWith(dir)).toBe(true) // names the file (or the folder)
            }
          }
        }),
        { numRuns: Math.min(RUNS, 60), seed: SEED },
      )
      tried.expectSince(mark, Math.min(RUNS, 60))
    } finally {
      t.cleanup()
    }
  })

  it('bundle entry names: anything that could leave the import folder is refused', () => {
    const mark = tried.total
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '..', '.', '', '/', '\\', 'C:', 'files'), { minLength: 1, maxLength: 5 }), (parts) => {
        tried.add()
        const name = parts.join('/')
        if (safeEntryName(name)) {
          expect(name.split('/').every((p) => p && p !== '.' && p !== '..' && !p.includes('\\') && !p.includes(':'))).toBe(true)
        }
      }),
      { numRuns: RUNS, seed: SEED },
    )
    tried.expectSince(mark, RUNS)
  })
})
