/**
 * Sweeps (grid and seeded random expansion, validation before anything is recorded) and the
 * registry's side of queue runs: job naming, claims, leases, requeue, orphan sweeps leaving
 * queue runs to the job engine.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import crypto from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Registry } from '../../src-main/registry/registry'
import { RemoteJobs } from '../../src-main/registry/remote-jobs'
import { RunManager } from '../../src-main/training/run-manager'
import { startSweep } from '../../src-main/sweeps/sweep-service'
import { redactRedisUrl, redisConnection } from '../../src-main/remote/redis-url'
import { jobToken } from '../../src-main/remote/protocol'
import { receiveCheckpoint } from '../../src-main/remote/coordinator-routes'
import { parseAxis, sweepMembers, SweepError } from '../../src-shared/config/sweep'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { ConfigError } from '../../src-shared/config/errors'
import { tmpDir } from '../helpers/tmp'
import { thisProcess } from '../../src-main/util/process-identity'
import { createHandlers, type ServiceContext } from '../../src-main/app/services'
import { REPRODUCTIONS } from '../../src-shared/reproductions/catalog'
import { useTempRegistry } from '../helpers/temp-registry'

const config = () => validateExperiment(requirePreset('mlp-2d-ring8').config).config
const noSpawn = () => {
  throw new Error('these tests never start a trainer')
}

describe('sweep expansion', () => {
  it('takes every grid combination, last axis fastest', () => {
    expect(sweepMembers({ grid: [parseAxis('a.b=1,2'), parseAxis('c=x,y,z')] })).toEqual([
      ['a.b=1', 'c=x'],
      ['a.b=1', 'c=y'],
      ['a.b=1', 'c=z'],
      ['a.b=2', 'c=x'],
      ['a.b=2', 'c=y'],
      ['a.b=2', 'c=z'],
    ])
  })

  it('draws distinct random combinations, the same ones for the same seed', () => {
    const grid = [parseAxis('a=1,2,3,4,5'), parseAxis('b=1,2,3,4,5')]
    const one = sweepMembers({ grid, random: 10, seed: 7 })
    expect(new Set(one.map((m) => m.join())).size).toBe(10)
    expect(sweepMembers({ grid, random: 10, seed: 7 })).toEqual(one)
    expect(sweepMembers({ grid, random: 10, seed: 8 })).not.toEqual(one)
    expect(
      sweepMembers({ grid, random: 25, seed: 1 })
        .map((m) => m.join())
        .sort(),
    ).toEqual(
      sweepMembers({ grid })
        .map((m) => m.join())
        .sort(),
    )
  })

  it('refuses what cannot be meant: a field twice, more draws than combinations, a huge grid, a bad axis', () => {
    expect(() => sweepMembers({ grid: [parseAxis('a=1'), parseAxis('a=2')] })).toThrow(/varies a twice/)
    expect(() => sweepMembers({ grid: [parseAxis('a=1,2')], random: 3 })).toThrow(SweepError)
    const big = Array.from({ length: 30 }, (_, i) => String(i)).join(',')
    expect(() => sweepMembers({ grid: [parseAxis(`a=${big}`), parseAxis(`b=${big}`)] })).toThrow(/900 combinations, over the limit/)
    expect(() => parseAxis('nothing')).toThrow(/path=v1,v2/)
    expect(() => parseAxis('a..b=1')).toThrow(SweepError)
  })
})

describe('sweeps and queue runs in the registry', () => {
  let t: ReturnType<typeof tmpDir>
  let registry: Registry
  let runs: RunManager
  beforeEach(async () => {
    t = tmpDir()
    registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
    runs = new RunManager(registry, t.dir, noSpawn)
  })
  afterEach(() => {
    registry.close()
    t.cleanup()
  })

  it("a worker's checkpoint upload commits on the manifest, and takes the same manifest again as done (a retry whose first answer was lost)", async () => {
    const run = registry.createRun({ config: config(), totalSteps: 100, placement: 'queue' })
    const jobs = new RemoteJobs(registry)
    const { lease } = jobs.claim(run.id, jobs.assignJob(run.id), 'w/1')
    const ctx = { registry, home: t.dir, jobs }
    const weights = crypto.randomBytes(64)
    const tensors = [{ group: 'generator', name: 'w', shape: [16], dtype: 'float32', offset: 0, length: 64 }]
    const manifest = Buffer.from(
      JSON.stringify({ format: 1, step: 300, epoch: 3, weightsSha256: crypto.createHash('sha256').update(weights).digest('hex'), tensors }),
    )
    const url = new URL('http://coordinator/remote/runs/1/checkpoints/300/manifest.json')
    const put = (file: string, body: Buffer) => receiveCheckpoint(ctx, Readable.from([body]), url, run.id, lease, 300, file)
    await expect(put('manifest.json', manifest)).rejects.toThrow(/send checkpoints\/300\/weights.bin before its manifest/)
    expect(await put('weights.bin', weights)).toEqual({ committed: false })
    expect(await put('manifest.json', manifest)).toEqual({ committed: true })
    expect(await put('manifest.json', manifest)).toEqual({ committed: true })
    const recorded = registry.artifacts(run.id, 'checkpoint')
    expect(recorded.map((a) => [a.step, a.epoch])).toEqual([[300, 3]])
    expect(fs.readFileSync(path.join(recorded[0]!.path, 'weights.bin'))).toEqual(weights)
    // Another manifest for that step without its weights is still refused.
    const other = Buffer.from(JSON.stringify({ format: 1, step: 300, epoch: 3, weightsSha256: '0'.repeat(64), tensors }))
    await expect(put('manifest.json', other)).rejects.toThrow(/before its manifest/)
  })

  it('records a queue sweep as one group of queued runs, each with its overrides in its notes', () => {
    const { sweep, runs: members } = startSweep(registry, runs, {
      preset: 'mlp-2d-ring8',
      grid: [parseAxis('training.batchSize=64,128'), parseAxis('optimizers.discriminator.learningRate=1e-4,2e-4')],
      target: 'queue',
      name: 'lr',
    })
    expect(members.map((r) => [r.name, r.status, r.placement, r.sweepId, r.config.training.batchSize])).toEqual([
      ['lr-1', 'queued', 'queue', sweep.id, 64],
      ['lr-2', 'queued', 'queue', sweep.id, 64],
      ['lr-3', 'queued', 'queue', sweep.id, 128],
      ['lr-4', 'queued', 'queue', sweep.id, 128],
    ])
    expect(members[3]!.notes).toBe('training.batchSize=128\noptimizers.discriminator.learningRate=2e-4')
    expect(registry.repos.sweeps.list()).toEqual([
      expect.objectContaining({ name: 'lr', runIds: members.map((r) => r.id), statuses: { queued: 4 } }),
    ])
  })

  it('refuses a sweep with one invalid member before recording any of it, naming the member', () => {
    expect(() =>
      startSweep(registry, runs, { preset: 'mlp-2d-ring8', grid: [parseAxis('training.batchSize=64,-1')], target: 'queue' }),
    ).toThrow(ConfigError)
    try {
      startSweep(registry, runs, { preset: 'mlp-2d-ring8', grid: [parseAxis('training.batchSize=64,-1')], target: 'queue' })
    } catch (e) {
      expect((e as ConfigError).errors[0]!.message).toMatch(/^training\.batchSize=-1: /)
    }
    expect(registry.listRuns()).toEqual([])
    expect(registry.repos.sweeps.list()).toEqual([])
  })

  it('names one job per dispatch, bumps the lease per claim, and refuses superseded attempts', () => {
    const jobs = new RemoteJobs(registry)
    const run = registry.createRun({ config: config(), totalSteps: 100, placement: 'queue' })
    expect(jobs.undispatched()).toEqual([run.id])
    const job = jobs.assignJob(run.id, 'c0ffee')
    expect(job).toBe(`c0ffee-run-${run.id}-g1`)
    expect(jobs.undispatched()).toEqual([])
    expect(jobs.dispatched()).toEqual([{ runId: run.id, jobId: job }])
    expect(() => jobs.claim(run.id, 'run-1-g0', 'w/1')).toThrow(/no longer carries/)
    const first = jobs.claim(run.id, job, 'host-a/1')
    expect(first).toMatchObject({ lease: 1, checkpoint: null, run: { status: 'running', worker: 'host-a/1' } })
    registry.writeMetrics(run.id, [
      { key: 'dLoss', step: 10, epoch: 1, value: 1, wallTime: 1 },
      { key: 'dLoss', step: 60, epoch: 1, value: 1, wallTime: 1 },
    ])
    registry.addArtifact({ runId: run.id, kind: 'checkpoint', epoch: 1, step: 50, path: '/x', sha256: 'a', bytes: 1 })
    registry.addArtifact({ runId: run.id, kind: 'samples-2d', epoch: 1, step: 60, path: '/y', sha256: 'b', bytes: 1 })
    // The worker is lost; the queue hands the same job to another, which resumes from step 50.
    const second = jobs.claim(run.id, job, 'host-b/2')
    expect(second).toMatchObject({ lease: 2, checkpoint: { step: 50 }, run: { step: 50, worker: 'host-b/2' } })
    expect(registry.metrics(run.id).dLoss!.map((p) => p.step)).toEqual([10])
    expect(registry.artifacts(run.id).map((a) => a.kind)).toEqual(['checkpoint'])
    expect(() => jobs.checkLease(run.id, 1)).toThrow(/superseded by attempt 2/)
    jobs.checkLease(run.id, 2)
    // Stopped meanwhile: a worker taking the job finds nothing to train; resumed: a new job.
    registry.setStatus(run.id, 'stopped')
    expect(() => jobs.claim(run.id, job, 'host-c/3')).toThrow(/is stopped/)
    jobs.requeue(run.id)
    expect(jobs.undispatched()).toEqual([run.id])
    expect(jobs.assignJob(run.id, 'c0ffee')).toBe(`c0ffee-run-${run.id}-g2`)
  })

  it('leaves queue runs to the job engine when sweeping orphans', () => {
    const local = registry.createRun({ config: config(), totalSteps: 100 })
    const queued = registry.createRun({ config: config(), totalSteps: 100, placement: 'queue' })
    registry.db.prepare('UPDATE runs SET pid = 999999999').run()
    expect(registry.markOrphansInterrupted(() => false)).toEqual([local.id])
    expect(registry.getRun(queued.id).status).toBe('queued')
  })

  it('stops a queue run that has not started without any worker, and puts a stopped one back on the queue', async () => {
    const run = runs.start({ preset: 'mlp-2d-ring8', target: 'queue' })
    expect(run).toMatchObject({ status: 'queued', placement: 'queue' })
    expect(runs.stop(run.id).status).toBe('stopped')
    const jobs = new RemoteJobs(registry)
    expect(jobs.undispatched()).toEqual([])
    // A pause step is for a trainer here, never silently dropped on the way to the queue.
    await expect(runs.resume(run.id, { pauseAtStep: 5 })).rejects.toThrow(
      `run ${run.id} trains on the job queue: a pause step is for runs trained on this machine`,
    )
    expect(jobs.undispatched()).toEqual([])
    expect((await runs.resume(run.id)).status).toBe('queued')
    expect(jobs.undispatched()).toEqual([run.id])
  })
})

describe('queue requests where no coordinator runs', () => {
  const ctx = useTempRegistry()
  const handlers = (remote: ServiceContext['remote']) =>
    createHandlers({ registry: ctx.registry, runs: new RunManager(ctx.registry, ctx.dir, noSpawn), home: ctx.dir, mode: 'server', remote })

  it('a host without --queue refuses them, since nothing there would hand them out', async () => {
    const host = handlers({ coordinator: null })
    const noQueue = /has no job queue: start it with `gan-workbench serve --queue/
    await expect(async () => host['runs.start']({ preset: 'mlp-2d-ring8', target: 'queue' })).rejects.toThrow(noQueue)
    await expect(async () =>
      host['sweeps.start']({ preset: 'mlp-2d-ring8', grid: [parseAxis('training.batchSize=64,128')], target: 'queue' }),
    ).rejects.toThrow(noQueue)
    await expect(async () => host['reproductions.start']({ name: REPRODUCTIONS[0]!.name, target: 'queue' })).rejects.toThrow(noQueue)
    expect(ctx.registry.listRuns({})).toEqual([])
  })

  it("the CLI's `train` and `sweep --target queue` (the same runs.start, sweeps.start) record queued runs for a `serve --queue` on the data directory, training nothing here", async () => {
    const cli = handlers({ coordinator: null, leftForServe: true })
    const run = await cli['runs.start']({ preset: 'mlp-2d-ring8', overrides: ['training.epochs=3'], name: 'q', target: 'queue' })
    expect(run).toMatchObject({ name: 'q', status: 'queued', placement: 'queue' })
    expect(run.config.training.epochs).toBe(3)
    // What a coordinator's dispatch reads from the registry (noSpawn would have thrown had a trainer started).
    expect(new RemoteJobs(ctx.registry).undispatched()).toEqual([run.id])
    // The same checks as the UI's: a bad config is refused before anything is recorded.
    await expect(async () =>
      cli['runs.start']({ preset: 'mlp-2d-ring8', overrides: ['training.batchSize=-1'], target: 'queue' }),
    ).rejects.toThrow(ConfigError)
    expect(ctx.registry.listRuns({}).map((r) => r.id)).toEqual([run.id])
    // `sweep --target queue` likewise (sweeps.start).
    const sweep = await cli['sweeps.start']({ preset: 'mlp-2d-ring8', grid: [parseAxis('training.seed=1,2')], target: 'queue' })
    expect(sweep.runs.map((r) => [r.status, r.placement])).toEqual([
      ['queued', 'queue'],
      ['queued', 'queue'],
    ])
    expect(new RemoteJobs(ctx.registry).undispatched()).toEqual([run.id, ...sweep.sweep.runIds])
  })

  it('a pause step is refused for a run that does not start training here at once, before anything is recorded', async () => {
    const cli = handlers({ coordinator: null, leftForServe: true })
    const why = 'a pause step is for a run that starts training on this machine at once (not on the job queue, not lined up)'
    await expect(async () => cli['runs.start']({ preset: 'mlp-2d-ring8', target: 'queue', pauseAtStep: 5 })).rejects.toThrow(why)
    await expect(async () => cli['runs.start']({ preset: 'mlp-2d-ring8', lineUp: true, pauseAtStep: 5 })).rejects.toThrow(why)
    expect(ctx.registry.listRuns({})).toEqual([])
  })
})

describe('lining runs up on this machine', () => {
  it('starts a lined-up run only when nothing else trains here, in order; a stopped one never starts', async () => {
    const t = tmpDir()
    const registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
    const exits: ((code: number | null) => void)[] = []
    const started: number[] = []
    const runs = new RunManager(registry, t.dir, () => ({
      pid: 1,
      send: (m) => {
        if (m.type === 'start') started.push(m.runId)
      },
      onMessage: () => {},
      onExit: (l) => exits.push(l),
      kill: () => {},
    }))
    try {
      const a = runs.start({ preset: 'mlp-2d-ring8' })
      const b = runs.start({ preset: 'mlp-2d-ring8', lineUp: true })
      const c = runs.start({ preset: 'mlp-2d-ring8', lineUp: true })
      const d = runs.start({ preset: 'mlp-2d-ring8', lineUp: true })
      expect(started).toEqual([a.id])
      expect(runs.stop(c.id).status).toBe('stopped')
      const finish = async (i: number, id: number) => {
        registry.setStatus(id, 'completed')
        exits[i]!(0)
        await new Promise((r) => setImmediate(r))
      }
      await finish(0, a.id)
      expect(started).toEqual([a.id, b.id])
      await finish(1, b.id)
      expect(started).toEqual([a.id, b.id, d.id])
    } finally {
      registry.close()
      t.cleanup()
    }
  })
})

describe('runs trained side by side', () => {
  /** The wasm threads each of two runs started one after the other is given, on a host meaning to run `sideBySide` at once. */
  async function threadsOfTwoRuns(sideBySide?: number): Promise<number[]> {
    const t = tmpDir()
    const registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
    const threads: number[] = []
    const runs = new RunManager(registry, t.dir, () => ({
      pid: 1,
      send: (m) => {
        if (m.type === 'start') threads.push(m.wasmThreads ?? 0)
      },
      onMessage: () => {},
      onExit: () => {},
      kill: () => {},
    }))
    if (sideBySide !== undefined) runs.sideBySide = sideBySide
    try {
      runs.start({ preset: 'mlp-2d-ring8' })
      runs.start({ preset: 'mlp-2d-ring8' })
      return threads
    } finally {
      registry.close()
      t.cleanup()
    }
  }
  const share = Math.max(1, Math.floor(os.availableParallelism() / 2))

  it('share the cores for wasm threads: a run started alone gets them all, the next one a share', async () => {
    expect(await threadsOfTwoRuns()).toEqual([os.availableParallelism(), share])
  })

  it("a host that means to run several at once (a worker's --concurrency) gives its first run a share too", async () => {
    expect(await threadsOfTwoRuns(2)).toEqual([share, share])
  })
})

describe('queue URLs and job tokens', () => {
  it('reads redis:// URLs and refuses others; never shows the password', () => {
    expect(redisConnection('redis://10.0.0.5:6380/2')).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, maxRetriesPerRequest: null })
    expect(redisConnection('rediss://u:p%40ss@h')).toMatchObject({ host: 'h', port: 6379, username: 'u', password: 'p@ss', tls: {} })
    expect(() => redisConnection('http://h:6379')).toThrow(/redis:\/\/ or rediss:\/\//)
    expect(() => redisConnection('not a url')).toThrow(/not a URL/)
    expect(redactRedisUrl('redis://u:secret@h:1')).not.toContain('secret')
  })

  it('derives a token per run and job: another job or run gets another token', () => {
    const secret = Buffer.alloc(32, 1)
    const t = jobToken(secret, 5, 'run-5-g1')
    expect(jobToken(secret, 5, 'run-5-g1')).toBe(t)
    expect(jobToken(secret, 5, 'run-5-g2')).not.toBe(t)
    expect(jobToken(secret, 6, 'run-5-g1')).not.toBe(t)
    expect(jobToken(Buffer.alloc(32, 2), 5, 'run-5-g1')).not.toBe(t)
  })
})
