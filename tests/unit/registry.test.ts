import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Registry } from '../../src-main/registry/registry'
import { RegistryError } from '../../src-main/registry/database'
import { MIGRATIONS, SCHEMA_VERSION } from '../../src-main/registry/migrations'
import { compareRuns } from '../../src-main/registry/compare'
import { ROLLUP_STEPS } from '../../src-main/registry/metric-rollups'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { tmpDir } from '../helpers/tmp'
import { useTempRegistry } from '../helpers/temp-registry'
import { thisProcess } from '../../src-main/util/process-identity'
import { artifactPath, readArtifactFile } from '../../src-main/registry/artifact-files'
import { runDir } from '../../src-main/platform/paths'
import { PathEscapeError } from '../../src-main/util/confined-path'

const config = (overrides: string[] = []) => validateExperiment(applyOverrides(requirePreset('mlp-2d-ring8').config, overrides)).config

describe('registry database', () => {
  let t: ReturnType<typeof tmpDir>
  let file: string
  beforeEach(() => {
    t = tmpDir()
    file = path.join(t.dir, 'registry.sqlite')
  })
  afterEach(() => t.cleanup())

  it('creates the schema, in WAL mode, at the current version', async () => {
    const r = await Registry.open(file, { owner: thisProcess() })
    expect(r.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(r.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(r.db.pragma('integrity_check', { simple: true })).toBe('ok')
    r.close()
  })

  it('refuses a database written by a newer app, and leaves it untouched', async () => {
    const db = new Database(file)
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`)
    db.close()
    const before = fs.readFileSync(file)
    await expect(Registry.open(file, { owner: thisProcess() })).rejects.toThrowError(
      /written by a newer GAN Workbench \(schema \d+; this version knows \d+\)/,
    )
    expect(fs.readFileSync(file)).toEqual(before)
  })

  it('refuses a file that is not a database, and leaves it untouched', async () => {
    fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(20))
    const before = fs.readFileSync(file)
    await expect(Registry.open(file, { owner: thisProcess() })).rejects.toThrowError(RegistryError)
    await expect(Registry.open(file, { owner: thisProcess() })).rejects.toThrowError(/not a GAN Workbench registry/)
    expect(fs.readFileSync(file)).toEqual(before)
  })

  it('backs up an older registry before migrating it, and keeps its data', async () => {
    const v1 = await Registry.open(file, { owner: thisProcess() })
    const run = v1.createRun({ config: config(), totalSteps: 10 })
    v1.close()
    const next = [...MIGRATIONS, 'ALTER TABLE runs ADD COLUMN test_only TEXT;']
    const r = await Registry.open(file, { owner: thisProcess(), migrations: next })
    expect(r.db.pragma('user_version', { simple: true })).toBe(next.length)
    expect(r.getRun(run.id).name).toBe(run.name)
    r.close()
    const backups = fs.readdirSync(t.dir).filter((f) => f.includes(`.v${SCHEMA_VERSION}.backup-`))
    expect(backups).toHaveLength(1)
    const old = new Database(path.join(t.dir, backups[0]!), { readonly: true })
    expect(old.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    old.close()
  })

  it("brings each run's last metric values forward when it adds last_metrics (v5)", async () => {
    const current = await Registry.open(file, { owner: thisProcess() })
    const run = current.createRun({ config: config(), totalSteps: 10 })
    current.close()
    // The same registry as version 4 wrote it: metrics, no last_metrics.
    const v4 = new Database(file)
    v4.exec(
      'DROP TABLE last_metrics; DROP TABLE model_templates; DROP TABLE metric_rollups; DROP TABLE reproductions; ALTER TABLE transfer_runs DROP COLUMN pid_started',
    )
    v4.pragma('user_version = 4')
    const insert = v4.prepare('INSERT INTO metrics (run_id, key, step, epoch, value, wall_time) VALUES (?, ?, ?, 1, ?, 0)')
    for (const [key, step, value] of [
      ['dLoss', 1, 0.9],
      ['dLoss', 7, 0.4],
      ['gLoss', 3, 1.5],
    ] as const)
      insert.run(run.id, key, step, value)
    v4.close()
    const r = await Registry.open(file, { owner: thisProcess() })
    expect(r.getRun(run.id).lastMetrics).toEqual({ dLoss: 0.4, gLoss: 1.5 })
    r.close()
  })

  it('rolls back a failing migration as a whole', async () => {
    const v1 = await Registry.open(file, { owner: thisProcess() })
    v1.close()
    const bad = [...MIGRATIONS, 'CREATE TABLE ok_table (x); THIS IS NOT SQL;']
    await expect(Registry.open(file, { owner: thisProcess(), migrations: bad })).rejects.toThrow()
    const db = new Database(file)
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ok_table'").get()).toEqual({ n: 0 })
    db.close()
  })
})

describe('registry queries', () => {
  let t: ReturnType<typeof tmpDir>
  let r: Registry
  beforeEach(async () => {
    t = tmpDir()
    r = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
  })
  afterEach(() => {
    r.close()
    t.cleanup()
  })

  it('creates runs with a default name and lists them newest first', () => {
    const a = r.createRun({ config: config(), totalSteps: 100 })
    const b = r.createRun({ config: config(['training.seed=7']), name: 'seven', experiment: 'seeds', totalSteps: 100 })
    expect(a.name).toBe(`run-${a.id}`)
    expect(a.status).toBe('queued')
    expect(b.experiment).toBe('seeds')
    expect(b.seed).toBe(7)
    expect(r.listRuns().map((x) => x.id)).toEqual([b.id, a.id])
    expect(r.listRuns({ experiment: 'seeds' }).map((x) => x.id)).toEqual([b.id])
  })

  it('filters by status and tag and searches names, notes, tags and datasets', () => {
    const a = r.createRun({ config: config(), name: 'baseline', totalSteps: 1 })
    const b = r.createRun({ config: config(), name: 'smoothing', totalSteps: 1 })
    r.tag(a.id, ['good', 'ring'])
    r.setNotes(b.id, 'label smoothing 0.1 helped with 100% of modes')
    r.setStatus(b.id, 'completed')
    expect(r.listRuns({ status: 'completed' }).map((x) => x.id)).toEqual([b.id])
    expect(r.listRuns({ tag: 'good' }).map((x) => x.id)).toEqual([a.id])
    expect(r.listRuns({ search: 'helped' }).map((x) => x.id)).toEqual([b.id])
    expect(r.listRuns({ search: 'goo' }).map((x) => x.id)).toEqual([a.id])
    expect(r.listRuns({ search: 'ring8' })).toHaveLength(2)
    // LIKE wildcards in the search text are literal
    expect(r.listRuns({ search: '100%' }).map((x) => x.id)).toEqual([b.id])
    expect(r.listRuns({ search: '_' })).toHaveLength(0)
    expect(r.tag(a.id, [], ['ring']).tags).toEqual(['good'])
  })

  it('stores metrics once per (key, step): rewriting a step replaces it', () => {
    const run = r.createRun({ config: config(), totalSteps: 10 })
    r.writeMetrics(run.id, [
      { key: 'dLoss', step: 1, epoch: 1, value: 0.7, wallTime: 1 },
      { key: 'dLoss', step: 2, epoch: 1, value: 0.6, wallTime: 2 },
    ])
    r.writeMetrics(run.id, [
      { key: 'dLoss', step: 2, epoch: 1, value: 0.5, wallTime: 3 },
      { key: 'gLoss', step: 2, epoch: 1, value: Number.NaN, wallTime: 3 },
    ])
    expect(r.metrics(run.id)).toEqual({
      dLoss: [
        { step: 1, epoch: 1, value: 0.7, wallTime: 1 },
        { step: 2, epoch: 1, value: 0.5, wallTime: 3 },
      ],
    })
    expect(r.getRun(run.id).lastMetrics).toEqual({ dLoss: 0.5 })
    r.writeMetrics(run.id, [{ key: 'gLoss', step: 1, epoch: 1, value: 2, wallTime: 1 }])
    expect(r.getRun(run.id).lastMetrics).toEqual({ dLoss: 0.5, gLoss: 2 })
    r.truncateMetrics(run.id, 1)
    expect(r.metrics(run.id).dLoss).toHaveLength(1)
    // The last values follow the truncation: what is left is step 1's.
    expect(r.getRun(run.id).lastMetrics).toEqual({ dLoss: 0.7, gLoss: 2 })
    r.truncateMetrics(run.id, 0)
    expect(r.getRun(run.id).lastMetrics).toEqual({})
  })

  it('downsamples long series to the requested number of points, keeping the ends', () => {
    const run = r.createRun({ config: config(), totalSteps: 10 })
    r.writeMetrics(
      run.id,
      Array.from({ length: 10_000 }, (_, i) => ({ key: 'gLoss', step: i + 1, epoch: 1, value: Math.sin(i / 100), wallTime: i })),
    )
    const s = r.metrics(run.id, ['gLoss'], 500).gLoss!
    expect(s.length).toBeGreaterThanOrEqual(250) // roll-up envelopes: at least half the points asked for
    expect(s.length).toBeLessThanOrEqual(500)
    expect(s[0]!.step).toBe(1)
    expect(s.at(-1)!.step).toBe(10_000)
    // Per key, and a lone spike survives (LTTB keeps what changes the curve's shape).
    r.writeMetrics(
      run.id,
      Array.from({ length: 5000 }, (_, i) => ({ key: 'dLoss', step: i + 1, epoch: 1, value: i === 2345 ? 50 : 0.5, wallTime: i })),
    )
    const both = r.metrics(run.id, undefined, 1000)
    expect(Object.keys(both).sort()).toEqual(['dLoss', 'gLoss'])
    expect(both.dLoss).toHaveLength(1000)
    expect(both.gLoss).toHaveLength(1000) // 10,000 rows over 157 roll-up blocks: too coarse for 1,000 points, so LTTB
    expect(both.dLoss!.some((p) => p.step === 2346 && p.value === 50)).toBe(true)
    expect(r.metrics(run.id, ['dLoss']).dLoss).toHaveLength(5000)
    // Far longer than asked for: the roll-ups' extremes, grouped, at their own steps, in step order.
    r.writeMetrics(
      run.id,
      Array.from({ length: 20_000 }, (_, i) => ({
        key: 'long',
        step: i + 1,
        epoch: 1,
        value: i === 12_344 ? 99 : i === 776 ? -99 : Math.sin(i / 300),
        wallTime: i,
      })),
    )
    const env = r.metrics(run.id, ['long'], 200).long!
    expect(env.length).toBeGreaterThan(100)
    expect(env.length).toBeLessThanOrEqual(200)
    expect(env.every((p, i) => i === 0 || p.step > env[i - 1]!.step)).toBe(true)
    expect(env).toContainEqual({ step: 12_345, epoch: 1, value: 99, wallTime: 12_344 })
    expect(env).toContainEqual({ step: 777, epoch: 1, value: -99, wallTime: 776 })
  })

  it('marks runs whose trainer process is gone as interrupted', () => {
    const live = r.createRun({ config: config(), totalSteps: 10 })
    const dead = r.createRun({ config: config(), totalSteps: 10 })
    r.markStarted(live.id, 'wasm', 'test')
    r.markStarted(dead.id, 'wasm', 'test')
    r.db.prepare('UPDATE runs SET pid = 999999 WHERE id = ?').run(dead.id)
    const queued = r.createRun({ config: config(), totalSteps: 10 }) // queued by this (live) process
    expect(r.markOrphansInterrupted((pid) => pid === process.pid)).toEqual([dead.id])
    expect(r.getRun(dead.id).status).toBe('interrupted')
    expect(r.getRun(live.id).status).toBe('running')
    expect(r.getRun(queued.id).status).toBe('queued')
    // ...but a run queued by a process that has since died is an orphan too.
    expect(r.markOrphansInterrupted(() => false)).toEqual([live.id, queued.id])
  })

  it('deletes a run with its metrics, tags and artifacts', () => {
    const run = r.createRun({ config: config(), totalSteps: 10 })
    r.tag(run.id, ['x'])
    r.writeMetrics(run.id, [{ key: 'dLoss', step: 1, epoch: 1, value: 1, wallTime: 1 }])
    r.addArtifact({ runId: run.id, kind: 'checkpoint', epoch: 1, step: 1, path: '/nowhere', sha256: 'ab', bytes: 1 })
    r.setStatus(run.id, 'stopped') // queued by this live process, it could not be deleted (registry-delete.test.ts)
    r.deleteRun(run.id)
    for (const table of ['runs', 'run_tags', 'metrics', 'artifacts']) {
      expect(r.db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 })
    }
    expect(() => r.deleteRun(run.id)).toThrowError(/no run with id/)
  })

  it('compares runs: only differing config paths, final metrics side by side', () => {
    const a = r.createRun({ config: config(), totalSteps: 10 })
    const b = r.createRun({ config: config(['optimizers.discriminator.learningRate=0.0002', 'loss.generator=minimax']), totalSteps: 10 })
    r.writeMetrics(a.id, [{ key: 'dLoss', step: 5, epoch: 1, value: 0.4, wallTime: 1 }])
    const cmp = compareRuns(r, [a.id, b.id])
    expect(cmp.configDiff).toEqual([
      { path: 'loss.generator', values: ['non-saturating', 'minimax'] },
      { path: 'optimizers.discriminator.learningRate', values: [0.001, 0.0002] },
    ])
    expect(cmp.finalMetrics).toEqual({ dLoss: [0.4, null] })
    expect(cmp.metrics.map((m) => Object.keys(m))).toEqual([['dLoss'], []])
    // Without curves (the UI reads them per run, a message each): the same comparison, no metrics.
    const light = compareRuns(r, [a.id, b.id], { curves: false })
    expect(light.metrics).toEqual([])
    expect({ ...light, metrics: cmp.metrics }).toEqual(cmp)
  })
})

describe('model templates', () => {
  const ctx = useTempRegistry()

  it('saves, replaces, lists and deletes templates, and refuses a model with an error', () => {
    const { generator, discriminator } = requirePreset('dcgan-mnist').config
    ctx.registry.repos.templates.save({ name: 'mine', generator, discriminator, basePreset: 'dcgan-mnist' })
    const wider = {
      ...discriminator,
      layers: [{ type: 'conv2d', filters: 96, kernelSize: 3, strides: 2 }, ...(discriminator as { layers: unknown[] }).layers.slice(1)],
    }
    const replaced = ctx.registry.repos.templates.save({ name: 'mine', generator, discriminator: wider, basePreset: 'dcgan-mnist' })
    expect(ctx.registry.repos.templates.list().map((x) => x.name)).toEqual(['mine'])
    expect((replaced.discriminator as { layers: { filters?: number }[] }).layers[0]!.filters).toBe(96)
    const broken = { ...discriminator, layers: [{ type: 'reshape', targetShape: [5, 5] }] }
    expect(() => ctx.registry.repos.templates.save({ name: 'bad', generator, discriminator: broken, basePreset: null })).toThrowError(
      /the discriminator has an error: layers\[0\]/,
    )
    expect(() =>
      ctx.registry.repos.templates.save({ name: 'bad', generator: { nonsense: 1 }, discriminator, basePreset: null }),
    ).toThrowError(/the generator is not a valid model/)
    expect(() => ctx.registry.repos.templates.save({ name: 'bad', generator, discriminator, basePreset: 'no-such-preset' })).toThrowError(
      /no preset named no-such-preset/,
    )
    ctx.registry.repos.templates.delete('mine')
    expect(ctx.registry.repos.templates.list()).toEqual([])
    expect(() => ctx.registry.repos.templates.delete('mine')).toThrowError(/no template named mine/)
  })
})

describe('metric roll-ups', () => {
  let t: ReturnType<typeof tmpDir>
  let file: string
  beforeEach(() => {
    t = tmpDir()
    file = path.join(t.dir, 'registry.sqlite')
  })
  afterEach(() => t.cleanup())

  /** Each 64-step block's count, lowest and highest row, computed from scratch. */
  const bruteForce = (db: Database.Database, runId: number) =>
    (
      db.prepare('SELECT key, step, value FROM metrics WHERE run_id = ? ORDER BY key, step').all(runId) as {
        key: string
        step: number
        value: number
      }[]
    ).reduce(
      (acc, r) => {
        const id = `${r.key}/${Math.floor(r.step / ROLLUP_STEPS)}`
        const at = { step: r.step, value: r.value }
        const b = (acc[id] ??= { n: 0, lo: at, hi: at })
        b.n++
        if (r.value < b.lo.value) b.lo = at
        if (r.value > b.hi.value) b.hi = at
        return acc
      },
      {} as Record<string, { n: number; lo: { step: number; value: number }; hi: { step: number; value: number } }>,
    )
  const stored = (db: Database.Database, runId: number) =>
    Object.fromEntries(
      (
        db.prepare('SELECT key, block, n, lo_step, lo_value, hi_step, hi_value FROM metric_rollups WHERE run_id = ?').all(runId) as {
          key: string
          block: number
          n: number
          lo_step: number
          lo_value: number
          hi_step: number
          hi_value: number
        }[]
      ).map((b) => [
        `${b.key}/${b.block}`,
        { n: b.n, lo: { step: b.lo_step, value: b.lo_value }, hi: { step: b.hi_step, value: b.hi_value } },
      ]),
    )
  const plain = (o: object) => JSON.parse(JSON.stringify(o)) as unknown

  it('stay equal to the rows through writes, replaced rows and truncation, and are back-filled on upgrade', async () => {
    const r = await Registry.open(file, { owner: thisProcess() })
    const run = r.createRun({ config: config(), totalSteps: 10 })
    const rows = (from: number, to: number, f: (s: number) => number) =>
      Array.from({ length: to - from + 1 }, (_, i) => ({
        key: i % 3 ? 'dLoss' : 'gLoss',
        step: from + i,
        epoch: 1,
        value: f(from + i),
        wallTime: from + i,
      }))
    r.writeMetrics(
      run.id,
      rows(1, 1000, (s) => Math.sin(s / 37)),
    )
    r.writeMetrics(
      run.id,
      rows(500, 700, (s) => Math.cos(s)),
    ) // rewrites rows in the middle
    r.truncateMetrics(run.id, 655) // inside a block
    r.writeMetrics(
      run.id,
      rows(656, 900, (s) => (s === 801 ? 42 : -s / 1000)),
    )
    const want = bruteForce(r.db, run.id)
    expect(Object.keys(want).length).toBeGreaterThan(20)
    expect(plain(stored(r.db, run.id))).toEqual(plain(want))
    r.close()
    // A registry written before roll-ups: they are rebuilt from the rows when it is opened.
    const v6 = new Database(file)
    v6.exec('DROP TABLE metric_rollups; DROP TABLE reproductions; ALTER TABLE transfer_runs DROP COLUMN pid_started')
    v6.pragma('user_version = 6')
    v6.close()
    const again = await Registry.open(file, { owner: thisProcess() })
    expect(plain(stored(again.db, run.id))).toEqual(plain(want))
    const env = again.metrics(run.id, ['dLoss'], 10)
    expect(env.dLoss!.some((p) => p.value === 42 && p.step === 801)).toBe(true)
    again.close()
  })
})

describe('a data dir moved or copied elsewhere', () => {
  let t: ReturnType<typeof tmpDir>
  beforeEach(() => (t = tmpDir()))
  afterEach(() => t.cleanup())

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
  }

  it('keeps its artifacts: rows record paths inside the run folder, and rows from before are read by their run-folder part', async () => {
    const before = path.join(t.dir, 'before')
    const registry = await Registry.open(path.join(before, 'registry.sqlite'), { owner: thisProcess() })
    const id = registry.createRun({ config: config(), totalSteps: 10 }).id
    const grid = path.join(runDir(before, id), 'samples', 'epoch-00001.png')
    write(grid, 'grid')
    expect(registry.addArtifact({ runId: id, kind: 'samples-grid', epoch: 1, step: 5, path: grid, sha256: 'x', bytes: 4 }).path).toBe(grid)
    expect(registry.db.prepare('SELECT path FROM artifacts WHERE run_id = ?').pluck().get(id)).toBe('samples/epoch-00001.png')
    // A row written before paths were relative: absolute, under the data dir as it was spelt then.
    const old = path.join(runDir(before, id), 'samples', 'epoch-00002.png')
    write(old, 'old grid')
    registry.db
      .prepare(
        "INSERT INTO artifacts (run_id, kind, epoch, step, path, sha256, bytes, created_at) VALUES (?, 'samples-grid', 2, 10, ?, 'y', 8, 'now')",
      )
      .run(id, old)
    registry.close()

    const after = path.join(t.dir, 'moved', 'elsewhere')
    fs.mkdirSync(path.dirname(after), { recursive: true })
    fs.renameSync(before, after)
    const moved = await Registry.open(path.join(after, 'registry.sqlite'), { owner: thisProcess() })
    try {
      const [first, second] = moved.artifacts(id, 'samples-grid')
      expect(first!.path).toBe(path.join(runDir(after, id), 'samples', 'epoch-00001.png'))
      expect(readArtifactFile(after, first!).toString()).toBe('grid')
      expect(artifactPath(after, second!)).toBe(path.join(runDir(after, id), 'samples', 'epoch-00002.png'))
      expect(readArtifactFile(after, second!).toString()).toBe('old grid')
      // Still confined: the run-folder part may not climb out, and a path naming no folder of this run is refused.
      expect(() => artifactPath(after, { ...second!, path: `/old/runs/${id}/../../registry.sqlite` })).toThrowError(PathEscapeError)
      expect(() => artifactPath(after, { ...second!, path: `/old/runs/${id + 1}/samples/epoch-00002.png` })).toThrowError(/is not inside/)
    } finally {
      moved.close()
    }
  })
})
