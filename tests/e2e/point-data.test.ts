/**
 * A run trained on a user's CSV points is point data everywhere: `sample` writes its points (JSON)
 * and a scatter over the CSV's real points (PNG), `synth` writes a points.csv that trains again,
 * generator.json gives the CSV's range, and the services behind the UI sample it like a toy run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import { cli, lastJson, sets } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { Registry } from '../../src-main/registry/registry'
import { createHandlers } from '../../src-main/app/services'
import type { RunManager } from '../../src-main/training/run-manager'
import { readPointsCsv } from '../../src-main/datasets/csv-points'
import { thisProcess } from '../../src-main/util/process-identity'

let t: ReturnType<typeof tmpDir>
let home: string
let csv: string
let run: RunRecord

/** 400 points on a ring of radius 4 (8 modes, σ 0.05), well outside [-1, 1]. */
function ringCsv(file: string): void {
  const rows = ['x,y']
  for (let i = 0; i < 400; i++) {
    const a = (2 * Math.PI * (i % 8)) / 8
    const jitter = ((i * 7919) % 101) / 1000 - 0.05
    rows.push(`${(4 * Math.cos(a) + jitter).toFixed(4)},${(4 * Math.sin(a) - jitter).toFixed(4)}`)
  }
  fs.writeFileSync(file, rows.join('\n') + '\n')
}

beforeAll(() => {
  t = tmpDir('gwb-points-')
  home = path.join(t.dir, 'home')
  csv = path.join(t.dir, 'ring.csv')
  ringCsv(csv)
  const r = cli(home, [
    '--json',
    'train',
    '--preset',
    'mlp-2d-ring8',
    ...sets(
      `dataset={"kind":"csv","file":${JSON.stringify(csv)}}`,
      'training.epochs=1',
      'training.stepsPerEpoch=20',
      'training.checkpointEvery=1',
    ),
  ])
  expect(r.code, r.stderr).toBe(0)
  run = lastJson<RunRecord>(r)
})
afterAll(() => t.cleanup())

describe('a CSV-trained run is point data', () => {
  it('sample --out x.json writes n points of two numbers each', () => {
    const out = path.join(t.dir, 'x.json')
    const r = cli(home, ['sample', String(run.id), '--n', '50', '--out', out, '--seed', '3'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(fs.readFileSync(out, 'utf8')) as { points: number[][]; images?: unknown }
    expect(doc.images).toBeUndefined()
    expect(doc.points).toHaveLength(50)
    for (const p of doc.points) {
      expect(p).toHaveLength(2)
      expect(p.every(Number.isFinite)).toBe(true)
    }
  })

  it("sample --out x.png draws the scatter over the CSV's real points (grey where the ring's modes are)", () => {
    const out = path.join(t.dir, 'x.png')
    const r = cli(home, ['sample', String(run.id), '--n', '300', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/over real data in grey/)
    const png = PNG.sync.read(fs.readFileSync(out))
    let grey = 0
    let orange = 0
    for (let i = 0; i < png.data.length; i += 4) {
      const [red, green, blue] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!]
      if (red === 170 && green === 170 && blue === 170) grey++
      if (red === 230 && green === 100 && blue === 20) orange++
    }
    expect(grey).toBeGreaterThan(50)
    expect(orange).toBeGreaterThan(50)
  })

  it('synth writes points.csv and says how to train on it', () => {
    const out = path.join(t.dir, 'synth')
    const r = cli(home, ['synth', String(run.id), '--n', '120', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    const file = path.join(out, 'points.csv')
    expect(r.stdout).toContain(`--set 'dataset={"kind":"csv","file":${JSON.stringify(file)}}'`)
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n')
    expect(lines[0]).toBe('x,y')
    expect(lines).toHaveLength(121)
    expect(cli(home, ['synth', String(run.id), '--n', '5', '--format', 'png', '--out', path.join(t.dir, 'no')]).stderr).toMatch(
      /makes points: they are written as CSV/,
    )
    expect(readPointsCsv(file)).toHaveLength(240) // what a csv dataset on it reads
  })

  it("export: generator.json's range is the CSV's, not [-1, 1]", () => {
    const out = path.join(t.dir, 'export')
    expect(cli(home, ['export', String(run.id), '--format', 'tfjs', '--out', out]).code).toBe(0)
    const output = (
      JSON.parse(fs.readFileSync(path.join(out, 'generator.json'), 'utf8')) as {
        output: { kind: string; range: number[]; bounds: number[][] }
      }
    ).output
    expect(output.kind).toBe('points')
    expect(output.range[0]).toBeLessThan(-3.9)
    expect(output.range[1]).toBeGreaterThan(3.9)
    expect(output.bounds).toHaveLength(2)
  })

  it("the UI's services sample it and its data like a toy run's, and make a CSV dataset of it", async () => {
    const registry = await Registry.open(path.join(home, 'registry.sqlite'), { owner: thisProcess() })
    try {
      const h = createHandlers({ registry, runs: {} as RunManager, home, mode: 'server', remote: { coordinator: null } })
      expect((await h['runs.sample']({ id: run.id, n: 7 })).points).toHaveLength(7)
      const real = (await h['datasets.sample']({ runId: run.id, n: 9 })).points
      expect(real).toHaveLength(9)
      expect(Math.max(...real.map(([x, y]) => Math.hypot(x, y)))).toBeGreaterThan(3.5) // the CSV's ring, not a built-in toy
      const made = await h['runs.synth']({ id: run.id, n: 10, format: 'csv' })
      expect(made.dataset).toEqual({ kind: 'csv', file: path.join(made.dir, 'points.csv') })
    } finally {
      registry.close()
    }
  })
})

describe('evaluating a CSV-trained run', () => {
  it('per epoch: precision, recall and the sliced Wasserstein distance on the fixed sample', () => {
    const shown = JSON.parse(cli(home, ['--json', 'runs', 'show', String(run.id)]).stdout) as { lastMetrics: Record<string, number> }
    for (const k of ['precision', 'recall', 'swd', 'qualitySamples']) expect(shown.lastMetrics[k], k).toBeTypeOf('number')
    expect(shown.lastMetrics.qualitySamples).toBe(1000)
    expect(shown.lastMetrics.swd).toBeGreaterThan(0)
  })

  it("eval: precision/recall and SWD against the CSV's points on 2,500 samples; no modes until given, then every definition, labelled", () => {
    const plain = cli(home, ['--json', 'eval', String(run.id)])
    expect(plain.code, plain.stderr).toBe(0)
    const r = lastJson<{
      samples: number
      metrics: Record<string, number>
      modeProtocols?: unknown
      definitions: Record<string, string>
      notes: string[]
    }>(plain)
    expect(r.samples).toBe(2500)
    for (const k of ['precision', 'recall', 'swd']) expect(r.metrics[k], k).toBeTypeOf('number')
    expect(r.definitions.swd).toMatch(/128 random directions/)
    expect(r.modeProtocols).toBeUndefined()
    expect(r.notes.join(' ')).toMatch(/--modes centres\.csv --std/)

    const centres = path.join(t.dir, 'centres.csv')
    fs.writeFileSync(
      centres,
      Array.from({ length: 8 }, (_, i) => `${4 * Math.cos((2 * Math.PI * i) / 8)},${4 * Math.sin((2 * Math.PI * i) / 8)}`).join('\n'),
    )
    const withModes = cli(home, ['--json', 'eval', String(run.id), '--modes', centres, '--std', '0.05'])
    expect(withModes.code, withModes.stderr).toBe(0)
    const m = lastJson<{
      metrics: Record<string, number>
      modes: { std: number; centres: number[][] }
      modeProtocols: { id: string; label: string; definition: string; modes: number }[]
    }>(withModes)
    expect(m.modes.std).toBe(0.05)
    expect(m.modeProtocols.map((p) => p.id)).toEqual(['pacgan', 'box', 'app'])
    expect(m.modeProtocols[0]!.label).toMatch(/PacGAN\/VEEGAN/)
    expect(m.modeProtocols[2]!.definition).toMatch(/1 %/)
    for (const k of ['pacganModes', 'pacganHighQuality', 'boxModes', 'boxHighQuality', 'modesCaptured', 'highQuality'])
      expect(m.metrics[k], k).toBeTypeOf('number')
    expect(m.metrics.modes).toBe(8)
    expect(m.metrics.boxHighQuality).toBeGreaterThanOrEqual(m.metrics.pacganHighQuality!)
    expect(m.metrics.pacganModes).toBeGreaterThanOrEqual(m.metrics.modesCaptured!)

    const text = cli(home, ['eval', String(run.id), '--modes', centres, '--std', '0.05'])
    expect(text.stdout).toMatch(/PacGAN\/VEEGAN protocol \(Euclidean 3σ\) +\d+ \/ 8 modes/)
    expect(text.stdout).toContain(`mode coverage against 8 modes of ${centres} (σ 0.05):`)
    expect(text.stdout).toMatch(/workbench definition \(≥ 1 % of samples\)/)
    expect(cli(home, ['eval', String(run.id), '--modes', centres]).stderr).toMatch(/--modes and --std go together/)
    expect(cli(home, ['eval', String(run.id), '--modes', centres, '--std', '-1']).stderr).toMatch(/--std must be a positive number/)
  })

  it('eval of a run with a categorical code says so when the code has not one value per mode', () => {
    const r = cli(home, [
      '--json',
      'train',
      '--preset',
      'mlp-2d-pacgan-ring8-codes',
      ...sets(`dataset={"kind":"csv","file":${JSON.stringify(csv)}}`, 'training.epochs=1', 'training.stepsPerEpoch=10'),
    ])
    expect(r.code, r.stderr).toBe(0)
    const coded = lastJson<RunRecord>(r)
    const ring = (k: number) => {
      const file = path.join(t.dir, `centres-${k}.csv`)
      const rows = Array.from({ length: k }, (_, i) => `${4 * Math.cos((2 * Math.PI * i) / k)},${4 * Math.sin((2 * Math.PI * i) / k)}`)
      fs.writeFileSync(file, rows.join('\n'))
      return file
    }
    const notes = (k: number) => {
      const e = cli(home, ['--json', 'eval', String(coded.id), '--modes', ring(k), '--std', '0.05'])
      expect(e.code, e.stderr).toBe(0)
      return lastJson<{ notes: string[] }>(e).notes.join(' ')
    }
    expect(notes(8)).not.toMatch(/categorical code/)
    expect(notes(4)).toMatch(/categorical code has 8 values and these are 4 modes: .*codes share modes/)
    expect(notes(12)).toMatch(/categorical code has 8 values and these are 12 modes: .*cover several modes/)
  })
})
