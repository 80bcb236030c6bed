/**
 * The coordinator's /remote/ write routes under a claim race, over real HTTP: a worker's request
 * body is held open half sent, another worker claims the run (the lease goes up), then the body
 * is finished. The synchronisation point is the server starting to read the body (its `read`),
 * never a sleep. Every write of the replaced attempt must be refused whole: no metric, no status,
 * no sample, no checkpoint. And a checkpoint manifest without its epoch is refused, not committed
 * as epoch 0. Plus generated hostile uploads (fast-check, fixed seed): never a 5xx, never a
 * committed checkpoint or a file outside the run's folder.
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import crypto from 'node:crypto'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Registry } from '../../src-main/registry/registry'
import { RemoteJobs } from '../../src-main/registry/remote-jobs'
import { RunManager } from '../../src-main/training/run-manager'
import { handleRemote, type RouteContext } from '../../src-main/remote/coordinator-routes'
import { jobToken } from '../../src-main/remote/protocol'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'
import { thisProcess } from '../../src-main/util/process-identity'

const config = () => validateExperiment(requirePreset('mlp-2d-ring8').config).config
const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex')

const races = triedCounter('lease races')
const uploads = triedCounter('hostile uploads from a worker')

let t: ReturnType<typeof tmpDir>
let ctx: RouteContext
let server: http.Server
let base: string
/** Resolvers for "the server started reading the body of the request tagged X". */
const reading = new Map<string, () => void>()

beforeEach(async () => {
  t = tmpDir('gwb-leases-')
  const registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
  ctx = {
    registry,
    jobs: new RemoteJobs(registry),
    home: t.dir,
    secret: crypto.randomBytes(32),
    runs: new RunManager(registry, t.dir, () => {
      throw new Error('no trainer here')
    }),
  }
  server = http.createServer((req, res) => {
    const tag = req.headers['x-test-tag']
    if (typeof tag === 'string') {
      // The route reads its body through read(): its first call is the moment the server reads on.
      const read = req.read.bind(req)
      let told = false
      req.read = (n?: number) => {
        if (!told) {
          told = true
          reading.get(tag)?.()
        }
        return read(n)
      }
    }
    void handleRemote(ctx, req, res, new URL(req.url!, 'http://coordinator'))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()))
  ctx.registry.close()
  t.cleanup()
})

/** A queue run with its job on the queue; `token` opens its routes. */
function queueRun(keepCheckpoints = 0) {
  const c = config()
  const run = ctx.registry.createRun({
    config: { ...c, training: { ...c.training, keepCheckpoints } },
    totalSteps: 1000,
    placement: 'queue',
  })
  const jobId = ctx.jobs.assignJob(run.id, 'test')
  return { runId: run.id, jobId, token: jobToken(ctx.secret, run.id, jobId) }
}

async function claim(q: ReturnType<typeof queueRun>, worker: string): Promise<number> {
  const res = await fetch(`${base}/remote/runs/${q.runId}/claim`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${q.token}` },
    body: JSON.stringify({ jobId: q.jobId, worker }),
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { lease: number }).lease
}

async function send(
  q: ReturnType<typeof queueRun>,
  method: string,
  route: string,
  body: Buffer | string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/remote/runs/${q.runId}/${route}`, {
    method,
    headers: { Authorization: `Bearer ${q.token}` },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
  return { status: res.status, text: await res.text() }
}

/**
 * Sends the first half of `body`, waits until the server reads it, runs `meanwhile` (another
 * claim), then sends the rest; resolves with the answer.
 */
async function racedRequest(
  q: ReturnType<typeof queueRun>,
  method: string,
  route: string,
  body: Buffer,
  meanwhile: () => Promise<unknown>,
): Promise<{ status: number; text: string }> {
  const tag = crypto.randomBytes(6).toString('hex')
  const started = new Promise<void>((r) => reading.set(tag, r))
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      `${base}/remote/runs/${q.runId}/${route}`,
      {
        method,
        headers: { Authorization: `Bearer ${q.token}`, 'Content-Length': body.length, 'x-test-tag': tag },
      },
      (res) => {
        let text = ''
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode!, text }))
      },
    )
    req.on('error', reject)
    const half = body.length >> 1
    req.write(body.subarray(0, half))
    void started.then(meanwhile).then(() => req.end(body.subarray(half)), reject)
  })
  return answer
}

function checkpointFiles(step: number, epoch: number | undefined) {
  const weights = crypto.randomBytes(64)
  const manifest = {
    format: 1,
    step,
    ...(epoch === undefined ? {} : { epoch }),
    weightsSha256: sha(weights),
    tensors: [{ group: 'generator', name: 'w', shape: [16], dtype: 'float32', offset: 0, length: 64 }],
  }
  return { weights, manifest: Buffer.from(JSON.stringify(manifest)) }
}

describe("a worker's checkpoints on the coordinator", () => {
  it('training.keepCheckpoints holds there too: each committed checkpoint deletes the oldest beyond N, row and folder', async () => {
    const q = queueRun(2)
    const lease = await claim(q, 'w/1')
    for (const [step, epoch] of [
      [100, 1],
      [200, 2],
      [300, 3],
    ] as const) {
      const { weights, manifest } = checkpointFiles(step, epoch)
      expect((await send(q, 'PUT', `checkpoints/${step}/weights.bin?lease=${lease}`, weights)).status).toBe(200)
      const answer = await send(q, 'PUT', `checkpoints/${step}/manifest.json?lease=${lease}`, manifest)
      expect(answer.status, answer.text).toBe(200)
    }
    expect(ctx.registry.artifacts(q.runId, 'checkpoint').map((a) => a.step)).toEqual([200, 300])
    expect(fs.readdirSync(path.join(t.dir, 'runs', String(q.runId), 'checkpoints')).sort()).toEqual(['step-000000200', 'step-000000300'])
  })
})

describe('a full disk on the coordinator', () => {
  it("answers a worker's sync with 507 and the words, logs one line, not a stack", async () => {
    const q = queueRun()
    const lease = await claim(q, 'w/1')
    ctx.registry.writeMetrics = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    }
    const logged: unknown[][] = []
    const log = console.error
    console.error = (...args: unknown[]) => void logged.push(args)
    try {
      const body = { lease, metrics: [], diagnoses: [], step: 5, epoch: 1, samplesPerSec: null }
      const answer = await send(q, 'POST', `sync?lease=${lease}`, JSON.stringify(body))
      expect(answer.status, answer.text).toBe(507)
      expect(JSON.parse(answer.text).error).toMatch(/^on the coordinator, the disk is full at .+ free; database or disk is full\)$/)
    } finally {
      console.error = log
    }
    expect(logged).toHaveLength(1)
    expect(logged[0]).toHaveLength(1)
    expect(logged[0]![0]).toMatch(/POST \/remote\/runs\/\d+\/sync: on the coordinator, the disk is full at /)
  })
})

describe("a replaced attempt's writes, raced against the claim that replaced it", () => {
  it('sync: the half-sent metrics and status of lease N are refused once lease N+1 is issued', async () => {
    const q = queueRun()
    const old = await claim(q, 'w/1')
    const body = Buffer.from(
      JSON.stringify({
        lease: old,
        metrics: [{ key: 'dLoss', step: 5, epoch: 1, value: 123.5, wallTime: 0 }],
        diagnoses: [],
        step: 5,
        epoch: 1,
        samplesPerSec: null,
        status: { status: 'completed', error: null },
      }),
    )
    let next = 0
    const answer = await racedRequest(q, 'POST', `sync?lease=${old}`, body, async () => (next = await claim(q, 'w/2')))
    expect(next).toBe(old + 1)
    expect(answer.status, answer.text).toBe(409)
    races.add()
    expect(ctx.registry.metrics(q.runId).dLoss ?? []).toEqual([])
    expect(ctx.registry.getRun(q.runId)).toMatchObject({ status: 'running', worker: 'w/2' })
  })

  it('checkpoint manifest: a commit half sent when the next claim came is not committed', async () => {
    const q = queueRun()
    const old = await claim(q, 'w/1')
    const { weights, manifest } = checkpointFiles(100, 1)
    expect((await send(q, 'PUT', `checkpoints/100/weights.bin?lease=${old}`, weights)).status).toBe(200)
    const answer = await racedRequest(q, 'PUT', `checkpoints/100/manifest.json?lease=${old}`, manifest, () => claim(q, 'w/2'))
    expect(answer.status, answer.text).toBe(409)
    races.add()
    expect(ctx.registry.artifacts(q.runId, 'checkpoint')).toEqual([])
    expect(fs.existsSync(path.join(t.dir, 'runs', String(q.runId), 'checkpoints', 'step-000000100'))).toBe(false)
  })

  it('checkpoint weights: an upload that was still arriving is refused and leaves nothing staged', async () => {
    const q = queueRun()
    const old = await claim(q, 'w/1')
    const { weights } = checkpointFiles(100, 1)
    const answer = await racedRequest(q, 'PUT', `checkpoints/100/weights.bin?lease=${old}`, weights, () => claim(q, 'w/2'))
    expect(answer.status, answer.text).toBe(409)
    races.add()
    const dir = path.join(t.dir, 'runs', String(q.runId), 'checkpoints')
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([])
  })

  it('sample grid: an upload that was still arriving is neither recorded nor put in place', async () => {
    const q = queueRun()
    const old = await claim(q, 'w/1')
    const png = crypto.randomBytes(2000)
    const answer = await racedRequest(
      q,
      'PUT',
      `artifact?lease=${old}&kind=samples-2d&epoch=1&step=100&name=epoch-00001.png&sha256=${sha(png)}`,
      png,
      () => claim(q, 'w/2'),
    )
    expect(answer.status, answer.text).toBe(409)
    races.add()
    expect(ctx.registry.artifacts(q.runId)).toEqual([])
    const dir = path.join(t.dir, 'runs', String(q.runId), 'samples')
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([])
  })

  it('the current attempt still writes: the same requests with the new lease are taken', async () => {
    const q = queueRun()
    await claim(q, 'w/1')
    const lease = await claim(q, 'w/2')
    const sync = {
      lease,
      metrics: [{ key: 'dLoss', step: 5, epoch: 1, value: 1, wallTime: 0 }],
      diagnoses: [],
      step: 5,
      epoch: 1,
      samplesPerSec: null,
    }
    expect((await send(q, 'POST', `sync?lease=${lease}`, JSON.stringify(sync))).status).toBe(200)
    const { weights, manifest } = checkpointFiles(100, 1)
    expect((await send(q, 'PUT', `checkpoints/100/weights.bin?lease=${lease}`, weights)).status).toBe(200)
    expect((await send(q, 'PUT', `checkpoints/100/manifest.json?lease=${lease}`, manifest)).status).toBe(200)
    expect(ctx.registry.metrics(q.runId).dLoss!.map((p) => p.step)).toEqual([5])
    expect(ctx.registry.artifacts(q.runId, 'checkpoint').map((a) => [a.step, a.epoch])).toEqual([[100, 1]])
  })
})

describe('diagnoses from a worker', () => {
  it("a mode collapse's recovery is stored; a malformed one is refused, naming the field, and stores nothing", async () => {
    const q = queueRun()
    const lease = await claim(q, 'w/1')
    const collapse = {
      kind: 'mode-collapse',
      step: 200,
      detectedAt: 300,
      title: 'Mode collapse',
      explanation: '',
      remedies: [],
      evidence: 'e',
    }
    const sync = (diagnoses: object[]) =>
      send(q, 'POST', `sync?lease=${lease}`, JSON.stringify({ lease, metrics: [], diagnoses, step: 5, epoch: 1, samplesPerSec: null }))
    const bad = await sync([{ ...collapse, recovered: true }])
    expect(bad.status).toBe(400)
    expect(bad.text).toMatch(/recovered/)
    expect(ctx.registry.diagnoses(q.runId)).toEqual([])
    expect((await sync([collapse])).status).toBe(200)
    expect((await sync([{ ...collapse, recovered: { step: 400, detectedAt: 500, evidence: 'back' } }])).status).toBe(200)
    expect(ctx.registry.diagnoses(q.runId)).toEqual([{ ...collapse, recovered: { step: 400, detectedAt: 500, evidence: 'back' } }])
  })
})

describe('checkpoint manifests', () => {
  it('refuses a manifest without its epoch (it was committed as epoch 0), naming the field', async () => {
    const q = queueRun()
    const lease = await claim(q, 'w/1')
    const { weights, manifest } = checkpointFiles(200, undefined)
    expect((await send(q, 'PUT', `checkpoints/200/weights.bin?lease=${lease}`, weights)).status).toBe(200)
    const answer = await send(q, 'PUT', `checkpoints/200/manifest.json?lease=${lease}`, manifest)
    expect(answer.status).toBe(400)
    expect(answer.text).toMatch(/epoch/)
    uploads.add()
    expect(ctx.registry.artifacts(q.runId, 'checkpoint')).toEqual([])
  })

  it('generated hostile manifests and upload parameters: never a 5xx, never a commit, nothing outside the run folder', async () => {
    const q = queueRun()
    const lease = await claim(q, 'w/1')
    const runFolder = path.join(t.dir, 'runs', String(q.runId))
    const outside = () =>
      fs.readdirSync(t.dir).filter((f) => !['runs', 'registry.sqlite', 'registry.sqlite-wal', 'registry.sqlite-shm'].includes(f))
    const before = outside()
    const weights = crypto.randomBytes(64)
    expect((await send(q, 'PUT', `checkpoints/300/weights.bin?lease=${lease}`, weights)).status).toBe(200)
    const good = {
      format: 1,
      step: 300,
      epoch: 3,
      weightsSha256: sha(weights),
      tensors: [{ group: 'g', name: 'w', shape: [16], dtype: 'float32', offset: 0, length: 64 }],
    }
    const hostileValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constant('../../../x'),
      fc.constant('300'),
      fc.constant(-1),
      fc.constant(3.5),
      fc.constant(1e300),
      fc.constant([]),
      fc.constant({}),
      fc.string(),
      fc.jsonValue({ maxDepth: 3 }),
    )
    const field = fc.constantFrom('format', 'step', 'epoch', 'weightsSha256', 'tensors', 'extra')
    const tensorField = fc.constantFrom('group', 'name', 'shape', 'dtype', 'offset', 'length')
    const manifest = fc
      .oneof(
        fc.tuple(field, hostileValue).map(([k, v]) => ({ ...good, [k]: v })),
        fc.tuple(tensorField, hostileValue).map(([k, v]) => ({ ...good, tensors: [{ ...good.tensors[0], [k]: v }] })),
        fc.jsonValue({ maxDepth: 4 }),
      )
      .filter((m) => JSON.stringify(m) !== JSON.stringify(good))
    const params = fc.record({
      lease: fc.oneof(
        fc.constant(String(lease)),
        fc.constant(''),
        fc.constant('1e0'),
        fc.constant('-1'),
        fc.constant(' 1'),
        fc.constant('0x1'),
      ),
    })
    const mark = uploads.total
    await fc.assert(
      fc.asyncProperty(manifest, params, async (m, p) => {
        uploads.add()
        const answer = await send(
          q,
          'PUT',
          `checkpoints/300/manifest.json?lease=${encodeURIComponent(p.lease)}`,
          JSON.stringify(m) ?? 'null',
        )
        expect(answer.status, answer.text).toBeGreaterThanOrEqual(400)
        expect(answer.status, answer.text).toBeLessThan(500)
      }),
      { seed: 22, numRuns: 200 },
    )
    uploads.expectSince(mark, 200)
    const name = fc.oneof(
      fc.constant('../../x.png'),
      fc.constant('/etc/x.png'),
      fc.constant('epoch-1.png/../../y'),
      fc.string(),
      fc.constant('epoch-00001.png\u0000'),
    )
    const kind = fc.oneof(fc.constant('samples-2d'), fc.constant('../checkpoint'), fc.constant('checkpoint'), fc.string())
    const mark2 = uploads.total
    await fc.assert(
      fc.asyncProperty(name, kind, fc.string(), async (n, k, step) => {
        uploads.add()
        const png = Buffer.from('not really a png')
        const query = new URLSearchParams({ lease: String(lease), kind: k, name: n, epoch: '1', step, sha256: sha(png) })
        const answer = await send(q, 'PUT', `artifact?${query}`, png)
        expect(answer.status, answer.text).toBeLessThan(500)
      }),
      { seed: 22, numRuns: 150 },
    )
    uploads.expectSince(mark2, 150)
    expect(ctx.registry.artifacts(q.runId, 'checkpoint')).toEqual([])
    expect(outside()).toEqual(before)
    // Whatever was accepted went into the run's own folder.
    for (const a of ctx.registry.artifacts(q.runId)) expect(path.resolve(a.path).startsWith(runFolder + path.sep)).toBe(true)
  })
})
