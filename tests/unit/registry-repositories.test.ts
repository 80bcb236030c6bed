/**
 * The registry's repositories, one per table, each over a bare database handle (no Registry
 * facade): a hand-checked insert / read / update per table, and the owner a row records coming
 * from the identity the repositories were given, never from this process (`process.pid`,
 * `os.hostname()`).
 */
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { REPRODUCTIONS } from '../../src-shared/reproductions/catalog'
import { newReproduction } from '../helpers/new-reproduction'
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'
import { openDatabase, type Db } from '../../src-main/registry/database'
import { Registry, repositories, type Repositories } from '../../src-main/registry/registry'
import { RemoteJobs } from '../../src-main/registry/remote-jobs'
import type { ProcessOwner } from '../../src-main/util/process-identity'
import { tmpDir } from '../helpers/tmp'

const config = validateExperiment(requirePreset('mlp-2d-ring8').config).config

/** An owner that is not this process: another pid, start token and host. */
const STRANGER: ProcessOwner = { pid: process.pid + 100_000, startToken: 'boot-x:4242', host: 'not-this-host.example' }

let db: Db
let repos: Repositories
let cleanup: () => void

beforeEach(async () => {
  const t = tmpDir()
  cleanup = t.cleanup
  db = await openDatabase(path.join(t.dir, 'registry.sqlite'))
  repos = repositories(db, STRANGER)
})
afterEach(() => {
  db.close()
  cleanup()
})

const ownerOf = (table: string, id: number) =>
  db.prepare(`SELECT pid, pid_started, host FROM ${table} WHERE id = ?`).get(id) as {
    pid: number | null
    pid_started: string | null
    host: string | null
  }
const STRANGER_ROW = { pid: STRANGER.pid, pid_started: STRANGER.startToken, host: STRANGER.host }

describe('process identity comes from the argument', () => {
  it('a queued run, a started run, a re-queued run, a transfer and a reproduction record the given owner, not this process', () => {
    const id = repos.runs.create({ config, totalSteps: 10 })
    expect(ownerOf('runs', id)).toEqual(STRANGER_ROW)
    repos.runs.setStatus(id, 'completed')
    expect(ownerOf('runs', id)).toEqual({ pid: null, pid_started: null, host: null })
    repos.runs.markStarted(id, 'cpu', 'test')
    expect(ownerOf('runs', id)).toEqual(STRANGER_ROW)
    repos.runs.setStatus(id, 'queued')
    expect(ownerOf('runs', id)).toEqual(STRANGER_ROW)

    const transfer = repos.transfers.create(id, 0, {
      labelsPerClass: [1],
      steps: 1,
      batchSize: 1,
      learningRate: 0.1,
      freeze: true,
      seed: 1,
    })
    expect(ownerOf('transfer_runs', transfer.id)).toEqual(STRANGER_ROW)
    const repro = repos.reproductions.create(newReproduction())
    expect(ownerOf('reproductions', repro.id)).toEqual(STRANGER_ROW)
  })

  it('orphan checks and delete refusals compare with the given host: a row of this OS host is "another machine" to a stranger registry', () => {
    const mine = repositories(db, { pid: process.pid, startToken: null, host: 'here' })
    const id = mine.runs.create({ config, totalSteps: 10 })
    mine.runs.markStarted(id, 'cpu', 'test')
    // Owned by a live pid on 'here': 'here' keeps it (alive) and refuses to delete it while it trains.
    expect(mine.runs.interruptOrphans(() => true)).toEqual([])
    expect(mine.runs.whyNotDelete(id, { isAlive: () => true })).toMatch(/is training \(pid /)
    // The stranger's registry is on another host: it never calls that run an orphan, and says where it trains.
    expect(repos.runs.interruptOrphans(() => false)).toEqual([])
    expect(repos.runs.whyNotDelete(id)).toMatch(/on another machine \(here, pid /)
    // Back on 'here', with the pid dead, the run is an orphan.
    expect(mine.runs.interruptOrphans(() => false)).toEqual([id])
    expect(mine.runs.get(id).status).toBe('interrupted')
  })
})

describe('one repository per table', () => {
  it('runs: insert, read (with its experiment, name and tags), update status, progress, notes and control', () => {
    const id = repos.runs.create({ config, totalSteps: 40, experiment: 'exp-a' })
    expect(repos.runs.get(id)).toMatchObject({
      id,
      name: `run-${id}`,
      experiment: 'exp-a',
      status: 'queued',
      gan: config.gan,
      dataset: 'toy2d:ring8',
      step: 0,
      totalSteps: 40,
      tags: [],
    })
    repos.runs.markStarted(id, 'cpu', 'asked for')
    repos.runs.updateProgress(id, 12, 3, 250)
    repos.runs.tag(id, ['b', 'a'])
    repos.runs.setNotes(id, 'hello')
    expect(repos.runs.requestControl(id, 'pause')).toMatchObject({
      status: 'running',
      step: 12,
      epoch: 3,
      samplesPerSec: 250,
      backend: 'cpu',
      tags: ['a', 'b'],
      notes: 'hello',
    })
    expect(repos.runs.control(id)).toEqual({ control: 'pause' })
    repos.runs.setStatus(id, 'stopped')
    expect(repos.runs.control(id)).toEqual({ control: null }) // a final status answers the request
    expect(repos.runs.list({ tag: 'a' }).map((r) => r.id)).toEqual([id])
    repos.runs.delete(id)
    expect(repos.runs.find(id)).toBeUndefined()
    expect(repos.runs.control(id)).toBeUndefined()
  })

  it('metrics: a batch written, a step rewritten, the last values, rows after a step, and a truncation', () => {
    const id = repos.runs.create({ config, totalSteps: 40 })
    const row = (key: string, step: number, value: number) => ({ key, step, epoch: 0, value, wallTime: step })
    repos.metrics.write(id, [row('dLoss', 1, 0.5), row('dLoss', 2, 0.4), row('gLoss', 1, 1.5), row('gLoss', 2, Number.NaN)])
    repos.metrics.write(id, [row('dLoss', 2, 0.3)]) // rewriting a step replaces it
    expect(repos.metrics.series(id)).toEqual({
      dLoss: [
        { step: 1, epoch: 0, value: 0.5, wallTime: 1 },
        { step: 2, epoch: 0, value: 0.3, wallTime: 2 },
      ],
      gLoss: [{ step: 1, epoch: 0, value: 1.5, wallTime: 1 }], // NaN is not stored
    })
    expect(repos.metrics.lastOf([id]).get(id)).toEqual({ dLoss: 0.3, gLoss: 1.5 })
    expect(repos.metrics.rowsAfter(id, 1)).toEqual([row('dLoss', 2, 0.3)])
    repos.metrics.truncate(id, 1)
    expect(repos.metrics.lastOf([id]).get(id)).toEqual({ dLoss: 0.5, gLoss: 1.5 })
    expect(repos.runs.get(id).lastMetrics).toEqual({ dLoss: 0.5, gLoss: 1.5 })
  })

  it('artifacts: one per run, kind and step (a second replaces it), the latest of a kind, truncation keeping a kind', () => {
    const id = repos.runs.create({ config, totalSteps: 40 })
    const art = (kind: string, step: number, sha256: string) => ({
      runId: id,
      kind,
      epoch: 0,
      step,
      path: `/x/${kind}-${step}`,
      sha256,
      bytes: 3,
    })
    const first = repos.artifacts.add(art('samples', 10, 'aa'))
    const again = repos.artifacts.add(art('samples', 10, 'bb'))
    expect(again.id).toBe(first.id)
    repos.artifacts.add(art('checkpoint', 20, 'cc'))
    repos.artifacts.add(art('samples', 20, 'dd'))
    expect(repos.artifacts.list(id, 'samples').map((a) => [a.step, a.sha256])).toEqual([
      [10, 'bb'],
      [20, 'dd'],
    ])
    expect(repos.artifacts.latest(id, 'samples')?.sha256).toBe('dd')
    repos.artifacts.truncate(id, 10, 'checkpoint')
    expect(repos.artifacts.list(id).map((a) => [a.kind, a.step])).toEqual([
      ['samples', 10],
      ['checkpoint', 20],
    ])
    repos.artifacts.remove(id, 'checkpoint', 20)
    expect(repos.artifacts.list(id).map((a) => [a.kind, a.step])).toEqual([['samples', 10]])
  })

  it('diagnoses: one of each kind per run (the first stands), dropped past a step', () => {
    const id = repos.runs.create({ config, totalSteps: 40 })
    const d = (kind: Diagnosis['kind'], detectedAt: number): Diagnosis => ({
      kind,
      step: detectedAt - 1,
      detectedAt,
      title: kind,
      explanation: '',
      remedies: [],
      evidence: `at ${detectedAt}`,
    })
    repos.diagnoses.add(id, d('mode-collapse', 10))
    repos.diagnoses.add(id, d('mode-collapse', 30))
    repos.diagnoses.add(id, d('discriminator-dominates', 20))
    expect(repos.diagnoses.list(id).map((x) => [x.kind, x.detectedAt])).toEqual([
      ['mode-collapse', 10],
      ['discriminator-dominates', 20],
    ])
    repos.diagnoses.truncate(id, 15)
    expect(repos.diagnoses.list(id).map((x) => x.kind)).toEqual(['mode-collapse'])
  })

  it('datasets: one row per hash, shared by the runs that train on it, counted', () => {
    const a = repos.runs.create({ config, totalSteps: 10 })
    const b = repos.runs.create({ config, totalSteps: 10 })
    const first = repos.datasets.register(a, config, { sha256: 'f00d', content: false, count: null })
    const second = repos.datasets.register(b, config, { sha256: 'f00d', content: false, count: null })
    expect(second.id).toBe(first.id)
    expect(repos.datasets.list()).toMatchObject([
      { id: first.id, sha256: 'f00d', contentHash: false, label: 'toy2d:ring8', runs: 2, count: null },
    ])
  })

  it('transfers: created running, finished with results or an error, listed by GAN run', () => {
    const gan = repos.runs.create({ config, totalSteps: 10 })
    const options = { labelsPerClass: [1, 5], steps: 3, batchSize: 2, learningRate: 0.1, freeze: false, seed: 7 }
    const ok = repos.transfers.create(gan, 10, options)
    expect(ok).toMatchObject({ ganRunId: gan, status: 'running', checkpointStep: 10, options, results: null })
    const results = { dataset: 'mnist', testCount: 100, featureShape: [4], rows: [] }
    expect(repos.transfers.finish(ok.id, { results })).toMatchObject({ status: 'completed', results })
    const bad = repos.transfers.create(gan, 10, options)
    expect(repos.transfers.finish(bad.id, { error: 'boom' })).toMatchObject({ status: 'failed', error: 'boom' })
    expect(repos.transfers.list(gan).map((t) => t.status)).toEqual(['completed', 'failed'])
    expect(() => repos.transfers.get(9999)).toThrowError(/no transfer experiment 9999/)
  })

  it("sweeps: created, renamed, read with their runs' statuses", () => {
    const id = repos.sweeps.create('s', { grid: [{ path: 'training.seed', values: ['1', '2'] }], base: {} })
    repos.sweeps.rename(id, 'renamed')
    const a = repos.runs.create({ config, totalSteps: 10, sweepId: id })
    repos.runs.create({ config, totalSteps: 10, sweepId: id })
    repos.runs.setStatus(a, 'completed')
    expect(repos.sweeps.get(id)).toMatchObject({
      id,
      name: 'renamed',
      grid: [{ path: 'training.seed', values: ['1', '2'] }],
      random: null,
      statuses: { completed: 1, queued: 1 },
    })
    expect(repos.sweeps.list().map((s) => s.id)).toEqual([id])
  })

  it('templates: saved, replaced by name, deleted', () => {
    const { generator, discriminator } = requirePreset('mlp-2d-ring8').config
    repos.templates.save({ name: 't', generator, discriminator, basePreset: null })
    const again = repos.templates.save({ name: 't', generator, discriminator, basePreset: 'mlp-2d-ring8' })
    expect(repos.templates.list()).toEqual([again])
    expect(again.basePreset).toBe('mlp-2d-ring8')
    repos.templates.delete('t')
    expect(repos.templates.list()).toEqual([])
    expect(() => repos.templates.delete('t')).toThrowError(/no template named t/)
  })

  it('reproductions: created running, results saved, finished, the latest per name', () => {
    const entry = REPRODUCTIONS[0]!
    const make = () => repos.reproductions.create(newReproduction({ entry, seeds: 2, command: 'c', commit: 'abc', steps: 5, samples: 6 }))
    const first = make()
    const second = make()
    const results = [{ seed: 1, runId: null, status: 'completed', values: { x: 1 } }] as unknown as Parameters<
      Repositories['reproductions']['saveResults']
    >[1]
    expect(repos.reproductions.saveResults(second.id, results).results).toEqual(results)
    expect(repos.reproductions.finish(second.id, 'completed')).toMatchObject({ status: 'completed', error: null })
    expect(repos.reproductions.get(first.id)).toMatchObject({ status: 'running', name: entry.name, quick: true, seeds: 2, commit: 'abc' })
    expect(repos.reproductions.latest(true).get(entry.name)?.id).toBe(second.id)
    expect(repos.reproductions.latest(false).size).toBe(0)
    expect(repos.reproductions.list(entry.name).map((r) => r.id)).toEqual([second.id, first.id])
  })
})

describe('remote jobs (remote-jobs.ts, over the facade)', () => {
  it("a queue run gets a job, is active until it ends, and a claim records the coordinator's host from the owner given", async () => {
    const t = tmpDir()
    const registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: STRANGER })
    try {
      const jobs = new RemoteJobs(registry)
      const run = registry.createRun({ config, totalSteps: 10, placement: 'queue' })
      expect(jobs.active()).toEqual([])
      const jobId = jobs.assignJob(run.id, 'p')
      expect(jobs.active()).toEqual([{ runId: run.id, jobId }])
      jobs.claim(run.id, jobId, 'worker-1')
      expect(registry.db.prepare('SELECT host, worker FROM runs WHERE id = ?').get(run.id)).toEqual({
        host: STRANGER.host,
        worker: 'worker-1',
      })
      registry.setStatus(run.id, 'completed')
      expect(jobs.active()).toEqual([])
    } finally {
      registry.close()
      t.cleanup()
    }
  })
})
