import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PNG } from 'pngjs'
import type { RunRecord } from '../../src-shared/domain/run'
import { autoTrainingBackend, cli, lastJson, serve, sets } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
let home: string
const quick = sets('training.epochs=2', 'training.stepsPerEpoch=25', 'training.batchSize=64', 'training.checkpointEvery=1')

beforeAll(() => {
  t = tmpDir('gwb-cli-')
  home = path.join(t.dir, 'home')
})
afterAll(() => t.cleanup())

describe('gan-workbench CLI', () => {
  it('train --json completes and prints the run record last; runs list shows it', () => {
    const r = cli(home, ['--json', 'train', '--preset', 'mlp-2d-ring8', '--name', 'cli-ring', ...quick])
    expect(r.code, r.stderr).toBe(0)
    const run = lastJson<RunRecord>(r)
    expect(run).toMatchObject({ name: 'cli-ring', status: 'completed', step: 50, totalSteps: 50, backend: autoTrainingBackend(home) })
    expect(r.stderr).toMatch(/run \d+ \(cli-ring\) started/)
    const list = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list']))
    expect(list.map((x) => x.id)).toContain(run.id)
    const shown = cli(home, ['runs', 'show', String(run.id)])
    expect(shown.stdout).toMatch(new RegExp(`backend\\s+${run.backend} \\(\\S`))
  })

  it('compares runs: only the config fields that differ, and final metrics', () => {
    const r = cli(home, ['--json', 'train', '--preset', 'mlp-2d-ring8', '--name', 'minimax', ...quick, ...sets('loss.generator=minimax')])
    expect(r.code, r.stderr).toBe(0)
    const [b, a] = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list']))
    const cmp = lastJson<{ configDiff: { path: string; values: unknown[] }[]; finalMetrics: Record<string, number[]> }>(
      cli(home, ['--json', 'runs', 'compare', String(a!.id), String(b!.id)]),
    )
    expect(cmp.configDiff).toEqual([{ path: 'loss.generator', values: ['non-saturating', 'minimax'] }])
    expect(cmp.finalMetrics.gLoss).toHaveLength(2)
    expect(cli(home, ['runs', 'compare', String(a!.id), String(b!.id)]).stdout).toMatch(/loss\.generator\s+"non-saturating"\s+"minimax"/)
    expect(cli(home, ['runs', 'rm', String(b!.id), '--yes']).code).toBe(0)
    expect(fs.existsSync(path.join(home, 'runs', String(b!.id)))).toBe(false)
  })

  it('forks a child run from a checkpoint with a changed setting', () => {
    const parent = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list'])).find((r) => r.name === 'cli-ring')!
    const r = cli(home, [
      '--json',
      'fork',
      String(parent.id),
      '--epoch',
      '1',
      ...sets('optimizers.discriminator.learningRate=0.0001', 'training.epochs=3'),
    ])
    expect(r.code, r.stderr).toBe(0)
    const child = lastJson<RunRecord>(r)
    expect(child).toMatchObject({ status: 'completed', parentRunId: parent.id, parentEpoch: 1, step: 75, name: 'cli-ring-fork-e1' })
    expect(child.config.optimizers.discriminator.learningRate).toBe(0.0001)
    const metrics = JSON.parse(cli(home, ['--json', 'runs', 'show', String(child.id)]).stdout)
    expect(metrics.lastMetrics.dLoss).toBeTypeOf('number')
    const refused = cli(home, ['fork', String(parent.id), ...sets('generator.layers.0.units=64')])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/a fork keeps the parent's generator/)
    expect(cli(home, ['runs', 'rm', String(child.id), '--yes']).code).toBe(0)
  })

  it('tags, notes, filters and deletes runs', () => {
    const [run] = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list']))
    expect(cli(home, ['runs', 'tag', String(run!.id), 'baseline', 'ring']).code).toBe(0)
    expect(cli(home, ['runs', 'note', String(run!.id), 'first try']).code).toBe(0)
    expect(lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list', '--tag', 'baseline'])).map((x) => x.notes)).toEqual(['first try'])
    expect(lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list', '--search', 'nothing-like-this']))).toEqual([])
    const refused = cli(home, ['runs', 'rm', String(run!.id)])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/pass --yes/)
  })

  it('samples a trained generator to JSON and PNG, reproducibly per seed', () => {
    const [run] = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list']))
    const a = path.join(t.dir, 'a.json')
    const b = path.join(t.dir, 'b.json')
    expect(cli(home, ['sample', String(run!.id), '--n', '100', '--out', a, '--seed', '3']).code).toBe(0)
    expect(cli(home, ['sample', String(run!.id), '--n', '100', '--out', b, '--seed', '3']).code).toBe(0)
    const pa = JSON.parse(fs.readFileSync(a, 'utf8'))
    expect(pa.points).toHaveLength(100)
    expect(JSON.parse(fs.readFileSync(b, 'utf8')).points).toEqual(pa.points)
    const png = path.join(t.dir, 's.png')
    expect(cli(home, ['sample', String(run!.id), '--n', '500', '--out', png]).code).toBe(0)
    const img = PNG.sync.read(fs.readFileSync(png))
    expect([img.width, img.height]).toEqual([512, 512])
  })

  it('runs a local sweep one run after another and lists it; a bad grid is refused before anything starts', () => {
    const r = cli(home, ['--json', 'sweep', '-p', 'mlp-2d-ring8', ...quick, '-g', 'training.seed=1,2', '-n', 'cli-sweep'])
    expect(r.code, r.stderr).toBe(0)
    const sweep = lastJson<{ id: number; runIds: number[]; statuses: Record<string, number> }>(r)
    expect(sweep.statuses).toEqual({ completed: 2 })
    const [a, b] = sweep.runIds.map((id) => lastJson<RunRecord>(cli(home, ['--json', 'runs', 'show', String(id)])))
    expect(a!).toMatchObject({ name: 'cli-sweep-1', sweepId: sweep.id, config: { training: { seed: 1 } } })
    expect(b!).toMatchObject({ name: 'cli-sweep-2', sweepId: sweep.id, config: { training: { seed: 2 } } })
    expect(Date.parse(b!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a!.finishedAt!)) // one after another
    expect(cli(home, ['sweeps']).stdout).toMatch(
      new RegExp(`^${sweep.id}\\tcli-sweep\\ttraining\\.seed=1,2\\truns ${sweep.runIds.join(',')}\\t2 completed$`, 'm'),
    )
    const before = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list'])).length
    const bad = cli(home, ['sweep', '-p', 'mlp-2d-ring8', '-g', 'training.batchSize=64,-1'])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/training\.batchSize=-1: /)
    expect(cli(home, ['sweep', '-p', 'mlp-2d-ring8', '-g', 'oops']).stderr).toMatch(/--grid expects path=v1,v2/)
    expect(lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list']))).toHaveLength(before)
  })

  it('model summary prints layers, shapes and parameter counts', () => {
    const r = cli(home, ['model', 'summary', '--preset', 'mlp-2d-ring8'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Generator\s+input \(None, 4\)/)
    expect(r.stdout).toMatch(/Total params: 17,410/)
    expect(r.stdout).toMatch(/Total params: 17,025/)
  })

  it('doctor says which backend is used and why the others are not', () => {
    const r = lastJson<{ backend: { name: string }; backends: { name: string; available: boolean; reason: string }[] }>(
      cli(home, ['--json', 'doctor']),
    )
    // The load order, each backend with its reason; doctor's own backend (for sampling and
    // evaluation: WebGPU is for training runs only) is the first available after WebGPU's turn.
    expect(r.backends.map((b) => b.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'])
    for (const b of r.backends) expect(b.reason, b.name).toMatch(/\w/)
    expect(r.backend.name).toBe(r.backends.find((b) => b.available && b.name !== 'webgpu')!.name)
    const better = r.backends.slice(
      0,
      r.backends.findIndex((b) => b.name === r.backend.name),
    )
    for (const b of better.filter((x) => x.name !== 'webgpu')) expect(b.available, `${b.name}: ${b.reason}`).toBe(false)
    const tensorflow = r.backends.find((b) => b.name === 'tensorflow')!
    if (!tensorflow.available) expect(tensorflow.reason).toMatch(/not installed|failed to load/)
  })

  describe('bad input gets a clear error and changes nothing', () => {
    const registryBytes = () => fs.readFileSync(path.join(home, 'registry.sqlite'))
    const countRuns = () => lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list'])).length

    it('an unknown preset', () => {
      const before = countRuns()
      const r = cli(home, ['train', '--preset', 'mlp-2d-ring9'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/unknown preset "mlp-2d-ring9". Available: mlp-2d-ring8/)
      expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
      expect(countRuns()).toBe(before)
    })

    it('an invalid config file names each bad field', () => {
      const before = countRuns()
      const file = path.join(t.dir, 'bad.json')
      const good = JSON.parse(cli(home, ['presets', 'show', 'mlp-2d-ring8']).stdout)
      good.training.batchSize = -3
      good.training.epoks = 4
      fs.writeFileSync(file, JSON.stringify(good))
      const r = cli(home, ['--json', 'train', '--config', file])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/training\.batchSize: /)
      expect(r.stderr).toMatch(/training\.epoks: unknown field/)
      expect(
        lastJson<{ error: { fields: { path: string }[] } }>(r)
          .error.fields.map((f) => f.path)
          .sort(),
      ).toEqual(['training.batchSize', 'training.epoks'])
      fs.writeFileSync(file, '{ not json')
      expect(cli(home, ['train', '--config', file]).stderr).toMatch(/is not valid JSON/)
      expect(cli(home, ['train', '--config', path.join(t.dir, 'missing.json')]).stderr).toMatch(/no such file/)
      expect(countRuns()).toBe(before)
    })

    it('a registry file that is not a database', () => {
      const other = path.join(t.dir, 'not-a-db')
      fs.mkdirSync(other)
      fs.writeFileSync(path.join(other, 'registry.sqlite'), 'PNG? no, just text')
      const r = cli(other, ['runs', 'list'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/is not a GAN Workbench registry/)
      expect(fs.readFileSync(path.join(other, 'registry.sqlite'), 'utf8')).toBe('PNG? no, just text')
    })

    it('a second app instance on the same data directory', async () => {
      const first = await serve(home)
      try {
        const before = registryBytes()
        const r = cli(home, ['serve', '--port', '0'])
        expect(r.code).toBe(1)
        expect(r.stderr).toMatch(/another GAN Workbench \(server at http:\/\/127\.0\.0\.1:\d+\/\?token=…, pid \d+/)
        expect(r.stderr).not.toContain(first.token)
        expect(registryBytes().equals(before)).toBe(true)
      } finally {
        await first.stop()
      }
      // Once the first has exited, the directory is free again.
      const again = await serve(home)
      await again.stop()
    })

    it('a non-loopback bind without --allow-remote', () => {
      const r = cli(home, ['serve', '--host', '0.0.0.0'])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/refusing to bind 0\.0\.0\.0/)
    })
  })
})
