/**
 * Hostile configs (issue 22), generated with fast-check: values nested far deeper than any config
 * (they overflowed the stack in `--set`'s JSON round trip: "Maximum call stack size exceeded"),
 * anywhere in a preset, in an override's value, or sent over the contract; `--set` paths whose
 * array index is not one (`-1` was silently ignored, `length` emptied a list); and config files
 * that are not files. Each is a ConfigError, OverrideError or CliError naming the path or file,
 * never a RangeError; an override that is accepted always lands where it says.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyOverrides, OverrideError } from '../../src-shared/config/overrides'
import { validateExperiment } from '../../src-shared/config/validate'
import { ConfigError } from '../../src-shared/config/errors'
import { MAX_CONFIG_DEPTH } from '../../src-shared/config/json-depth'
import { PRESETS, requirePreset } from '../../src-shared/config/presets'
import { readConfigFile, resolvedConfig } from '../../src-main/cli/config-source'
import { CliError } from '../../src-main/cli/output'
import { createDispatch } from '../../src-main/ipc/dispatch'
import { createHandlers } from '../../src-main/app/services'
import { Registry } from '../../src-main/registry/registry'
import { RunManager } from '../../src-main/training/run-manager'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'
import { thisProcess } from '../../src-main/util/process-identity'

const SEED = Number(process.env.FUZZ_SEED ?? 20261124)
const runs = (n: number) => Math.min(Number(process.env.FUZZ_RUNS ?? n), 5 * n)

const tried = triedCounter('configs')

let t: ReturnType<typeof tmpDir>
let registry: Registry
beforeAll(async () => {
  t = tmpDir('gwb-hostile-configs-')
  registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
})
afterAll(() => {
  registry.close()
  t.cleanup()
})

/** A value nested `depth` levels (arrays, objects or both in turn) as JSON text: JSON.stringify itself overflows on it. */
function nestedText(depth: number, kind: 'array' | 'object' | 'mixed'): string {
  const isArray = (i: number) => kind === 'array' || (kind === 'mixed' && i % 2 === 0)
  let open = ''
  let close = ''
  for (let i = 0; i < depth; i++) {
    open += isArray(i) ? '[' : '{"k":'
    close = (isArray(i) ? ']' : '}') + close
  }
  return `${open}1${close}`
}

const nested = (depth: number, kind: 'array' | 'object' | 'mixed'): unknown => JSON.parse(nestedText(depth, kind))

function leafPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leafPaths(x, [...at, i])) : [at]
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]))
  return [at]
}

function setAt(root: unknown, p: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>
  let o = copy
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>
  o[p.at(-1)!] = value
  return copy
}

describe('deep nesting', () => {
  const handlers = () =>
    createHandlers({
      registry,
      runs: new RunManager(registry, t.dir, () => {
        throw new Error('no trainer here')
      }),
      home: t.dir,
      mode: 'server',
      remote: { coordinator: null },
    })

  it('generated depths and places (a preset field, an extra field, an override value, over the contract): a ConfigError naming the place, never a stack overflow', async () => {
    const dispatch = createDispatch(handlers(), (e) => {
      throw e
    })
    const cases = PRESETS.flatMap((p) => leafPaths(p.config).map((leaf) => ({ preset: p.name, leaf })))
    const mark = tried.total
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        fc.integer({ min: MAX_CONFIG_DEPTH + 1, max: 20_000 }),
        fc.constantFrom('array', 'object', 'mixed') as fc.Arbitrary<'array' | 'object' | 'mixed'>,
        fc.constantFrom('field', 'extra', 'override', 'config.validate', 'runs.start', 'sweeps.start'),
        async ({ preset, leaf }, depth, kind, where) => {
          tried.add()
          const deep = nested(depth, kind)
          const config = requirePreset(preset).config
          let error: unknown
          try {
            if (where === 'field') validateExperiment(setAt(config, leaf, deep))
            else if (where === 'extra') applyOverrides({ ...config, extra: deep }, [])
            else if (where === 'override') applyOverrides(config, [`${leaf.join('.')}=${nestedText(depth, kind)}`])
            else {
              const payload =
                where === 'config.validate'
                  ? { config: setAt(config, leaf, deep) }
                  : where === 'runs.start'
                    ? { config: setAt(config, leaf, deep) }
                    : { config: setAt(config, leaf, deep), grid: [{ path: 'training.seed', values: ['1'] }] }
              const r = await dispatch(where, payload)
              if (where === 'config.validate') {
                expect(r.ok && (r.value as { ok: boolean }).ok).toBe(false)
                error = new ConfigError((r as { value: { errors: { path: string; message: string }[] } }).value.errors)
              } else {
                expect(r.ok).toBe(false)
                if (!r.ok) expect(r.error.code).not.toBe('internal')
                error = !r.ok ? new ConfigError(r.error.fields ?? [{ path: '', message: r.error.message }]) : null
              }
            }
          } catch (e) {
            error = e
          }
          if (where === 'override' && error instanceof OverrideError) return // a path into a list that is not an index
          expect(error, String(error)).toBeInstanceOf(ConfigError)
          const fields = (error as ConfigError).errors
          expect(
            fields.some((f) => /nested more than 32 levels deep/.test(f.message)),
            JSON.stringify(fields),
          ).toBe(true)
        },
      ),
      { numRuns: runs(60), seed: SEED },
    )
    tried.expectSince(mark, runs(60))
  })

  it('the example: `Maximum call stack size exceeded` becomes a ConfigError naming the field', () => {
    const config = setAt(requirePreset('mlp-2d-ring8').config, ['generator', 'layers', 0, 'units'], nested(100_000, 'array'))
    expect(() => applyOverrides(config, ['training.epochs=1'])).toThrowError(
      /generator\.layers\[0\]\.units\[0\]\[0\]…: nested more than 32 levels deep/,
    )
    tried.add()
  })
})

describe('--set paths', () => {
  const hostileIndex = fc.constantFrom('-1', 'length', '01', '1e0', ' 1', '+1', '0x1', '999999999', 'NaN', 'push', '__length__', '-0')

  it('generated paths with a hostile array index: refused naming the path; what is accepted lands exactly there', () => {
    const cases = PRESETS.flatMap((p) =>
      leafPaths(p.config)
        .filter((l) => l.some((k) => typeof k === 'number'))
        .map((leaf) => ({ preset: p.name, leaf })),
    )
    let refused = 0
    const mark = tried.total
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.oneof(hostileIndex, fc.integer({ min: 0, max: 12 }).map(String)),
        fc.nat(),
        fc.jsonValue({ maxDepth: 2 }),
        ({ preset, leaf }, index, which, value) => {
          tried.add()
          const positions = leaf.flatMap((k, i) => (typeof k === 'number' ? [i] : []))
          const at = positions[which % positions.length]!
          const p = leaf.map((k, i) => (i === at ? index : String(k)))
          const text = `${p.join('.')}=${JSON.stringify(value)}`
          const config = requirePreset(preset).config
          let out: unknown
          try {
            out = applyOverrides(config, [text])
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(OverrideError)
            expect((e as Error).message).toContain(`--set ${p.join('.')}:`)
            refused++
            return
          }
          // Accepted: the value is found at that path in the config as JSON (as it is stored and trained).
          let node = JSON.parse(JSON.stringify(out)) as Record<string, unknown>
          for (const k of p.slice(0, -1)) node = node[k] as Record<string, unknown>
          expect(node[p.at(-1)!], text).toEqual(JSON.parse(JSON.stringify(value)))
          expect(/^(0|[1-9]\d*)$/.test(index), text).toBe(true)
        },
      ),
      { numRuns: runs(200), seed: SEED + 1 },
    )
    tried.expectSince(mark, runs(200))
    expect(refused).toBeGreaterThan(50)
  })

  it('the examples: -1 and length are refused naming the path and the indices', () => {
    const base = requirePreset('mlp-2d-ring8').config
    expect(() => applyOverrides(base, ['generator.layers.-1={"type":"dense","units":3}'])).toThrowError(
      /^--set generator\.layers\.-1: "-1" is not an index of generator\.layers \(indices 0–\d+, or \d+ to append\)$/,
    )
    expect(() => applyOverrides(base, ['generator.layers.length=0'])).toThrowError(/"length" is not an index of generator\.layers/)
    expect(() => applyOverrides(base, ['generator.layers.7.units=3'])).toThrowError(
      /"7" is not an index of generator\.layers \(indices 0–\d+\)$/,
    )
    tried.add(3)
    // A plain index, and appending, still work.
    const layers = (base as { generator: { layers: unknown[] } }).generator.layers
    const out = applyOverrides(base, [
      'generator.layers.0.units=7',
      `generator.layers.${layers.length}={"type":"dense","units":2}`,
    ]) as typeof base & { generator: { layers: { units?: number }[] } }
    expect(out.generator.layers[0]!.units).toBe(7)
    expect(out.generator.layers).toHaveLength(layers.length + 1)
  })
})

describe('config files that are not files', () => {
  it('a directory, a device, a FIFO-free special file or a file over 16 MiB: a CliError naming the file', () => {
    const big = path.join(t.dir, 'big.json')
    fs.closeSync(fs.openSync(big, 'w'))
    fs.truncateSync(big, 16 * 1024 ** 2 + 1)
    for (const [file, message] of [
      [t.dir, 'is a directory, not a regular file'],
      ['/dev/zero', 'is a character device, not a regular file'],
      [big, 'is 16.0 MiB, over the 16 MiB limit'],
    ] as const) {
      expect(() => readConfigFile(file)).toThrowError(CliError)
      expect(() => readConfigFile(file)).toThrowError(`cannot read config file ${file}: ${message}`)
    }
    const deep = path.join(t.dir, 'deep.json')
    // Written by hand: JSON.stringify itself overflows on it.
    const text = JSON.stringify({ ...requirePreset('mlp-2d-ring8').config, latent: 'DEEP' }).replace('"DEEP"', nestedText(50_000, 'object'))
    fs.writeFileSync(deep, text)
    expect(() => resolvedConfig({ config: deep, set: ['training.epochs=1'] })).toThrowError(
      /latent\.k\.k\.k\.k\.k…: nested more than 32 levels deep/,
    )
    tried.add(4) // a directory, a device, a file over 16 MiB, a file nested 50,000 deep
  })
})
