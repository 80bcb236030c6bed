/**
 * A real queue worker (`gan-workbench worker`, the CLI's own code path) against hostile peers:
 * Debian's redis-server on a loopback port, and a fake, malicious coordinator (an HTTP server in
 * this test) answering claims, checkpoints and dataset downloads with generated hostile payloads
 * (fast-check, fixed seed). Also jobs forged straight into Redis by someone without the worker key.
 *
 * What must hold after every case: the job is refused (failed, never retried), a forged job
 * reaches no coordinator at all, nothing is written outside the worker's data dir, no byte of a
 * local secret file the configs point at leaves the worker (requests, statuses, queue failures,
 * logs), the worker records no run, and the worker is still alive and trains a good job at the end
 * (on the dataset the coordinator shipped, not on the path its config names).
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import crypto from 'node:crypto'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import Database from 'better-sqlite3'
import { Queue, QueueEvents } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, cli } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'
import { freePort, waitForPort } from '../helpers/net'
import { requirePreset } from '../../src-shared/config/presets'
import { validateExperiment } from '../../src-shared/config/validate'
import { signJob } from '../../src-main/remote/job-signature'
import { formatWorkerKey } from '../../src-main/remote/worker-key'
import { QUEUE_NAME, WORKER_KEY_PREFIX } from '../../src-main/remote/protocol'
import { Coordinator } from '../../src-main/remote/coordinator'
import { Registry } from '../../src-main/registry/registry'
import { RunManager } from '../../src-main/training/run-manager'
import { available } from '../helpers/requirements'
import { thisProcess } from '../../src-main/util/process-identity'

const redisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim()
const NO_REDIS = 'no redis-server here (Debian: apt-get install redis-server; .ci/run installs it)'
available('redis', redisServer ? undefined : `hostile-remote test: ${NO_REDIS}`)

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex')
const preset = (name: string) => validateExperiment(requirePreset(name).config).config
const CANARY = `CANARY-${crypto.randomBytes(8).toString('hex')}`

interface Scenario {
  /** The claim answer (a JSON value), or raw bytes for a body that is not JSON. */
  claim: unknown
  rawClaim?: string
  manifest?: Buffer
  weights?: Buffer
  dataset?: Buffer
}

const fromCoordinator = triedCounter('a malicious coordinator against a real worker')
const forgedJobs = triedCounter('jobs forged into Redis against a real worker')
const forgedAnnouncements = triedCounter('worker announcements forged into Redis')

let t: ReturnType<typeof tmpDir>
let redis: ChildProcess | undefined
let worker: ChildProcess | undefined
let workerLog = ''
let fake: http.Server
let fakeUrl: string
let queue: Queue
let events: QueueEvents
let key: Buffer
const scenarios = new Map<number, Scenario>()
/** Everything the fake coordinator received: method, URL, headers and body, as text. */
const seen: { runId: number; route: string; text: string }[] = []
let nextRunId = 1

function answer(res: http.ServerResponse, status: number, body: Buffer | string, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

beforeAll(async () => {
  t = tmpDir('gwb-hostile-remote-')
  // What a worker must never read or send: a "secret" folder, and an empty folder it must never write to.
  const secret = path.join(t.dir, 'secret')
  fs.mkdirSync(path.join(secret, 'A'), { recursive: true })
  fs.mkdirSync(path.join(secret, 'B'), { recursive: true })
  // Like /etc/passwd: a first line a CSV reader takes for a header, then lines it quotes in its error.
  fs.writeFileSync(
    path.join(secret, 'passwd.csv'),
    `root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:${CANARY},,,:/nonexistent:/usr/sbin/nologin\n`,
    { mode: 0o600 },
  )
  for (const f of [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
    'x.png',
    'A/x.png',
    'B/x.png',
  ]) {
    fs.writeFileSync(path.join(secret, f), `${CANARY} ${f}`)
  }
  fs.mkdirSync(path.join(t.dir, 'outside'))

  fake = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const m = /^\/remote\/runs\/(\d+)\/(.+?)(\?.*)?$/.exec(req.url ?? '')
      const runId = Number(m?.[1])
      const route = m?.[2] ?? req.url ?? ''
      seen.push({
        runId,
        route,
        text: `${req.method} ${req.url} ${JSON.stringify(req.headers)} ${Buffer.concat(chunks).toString('latin1')}`,
      })
      const s = scenarios.get(runId)
      if (!s) return answer(res, 404, JSON.stringify({ error: 'no such run' }))
      if (route === 'claim') return answer(res, 200, s.rawClaim ?? JSON.stringify(s.claim))
      if (route === 'checkpoint/manifest.json') return answer(res, 200, s.manifest ?? '', 'application/octet-stream')
      if (route === 'checkpoint/weights.bin') return answer(res, 200, s.weights ?? '', 'application/octet-stream')
      if (route === 'dataset') return answer(res, 200, s.dataset ?? '', 'application/octet-stream')
      if (route === 'sync') return answer(res, 200, JSON.stringify({ control: null }))
      if (route.startsWith('checkpoints/')) return answer(res, 200, JSON.stringify({ committed: route.endsWith('manifest.json') }))
      return answer(res, 200, '{}')
    })
  })
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()))
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
  if (!redisServer) return

  const port = await freePort()
  redis = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  await waitForPort(port)
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null }
  queue = new Queue(QUEUE_NAME, { connection })
  events = new QueueEvents(QUEUE_NAME, { connection })
  await events.waitUntilReady()

  key = crypto.randomBytes(32)
  const keyFile = path.join(t.dir, 'worker.key')
  fs.writeFileSync(keyFile, formatWorkerKey(key), { mode: 0o600 })
  worker = spawn(
    process.execPath,
    [CLI, '--home', path.join(t.dir, 'worker'), 'worker', '--queue', `redis://127.0.0.1:${port}`, '--key-file', keyFile],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  worker.stdout!.on('data', (c) => (workerLog += c))
  worker.stderr!.on('data', (c) => (workerLog += c))
  const end = Date.now() + 60_000
  while (!/takes jobs/.test(workerLog)) {
    if (worker.exitCode !== null || Date.now() > end) throw new Error(`the worker did not start: ${workerLog}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}, 90_000)

afterAll(async () => {
  worker?.kill('SIGKILL')
  await events?.close()
  await queue?.close()
  redis?.kill('SIGKILL')
  await new Promise<void>((r) => fake.close(() => r()))
  t.cleanup()
})

/** Adds a job (signed unless `data` is given) and waits for its end: its state and reason or return value. */
async function runCase(scenario: Scenario | null, data?: unknown, jobId = `case-${crypto.randomBytes(6).toString('hex')}`) {
  const runId = nextRunId++
  if (scenario) scenarios.set(runId, scenario)
  const payload = data ?? signJob(key, jobId, { runId, coordinator: fakeUrl, token: crypto.randomBytes(32).toString('base64url') })
  const job = await queue.add('train', payload, { jobId, attempts: 1 })
  try {
    return { runId, state: 'completed' as const, value: (await job.waitUntilFinished(events, 120_000)) as unknown, reason: '' }
  } catch (e) {
    return { runId, state: 'failed' as const, value: null, reason: (e as Error).message }
  }
}

/** Everything that left the worker or that it left behind, checked after each case. */
function expectNothingLeaked(reason: string) {
  for (const s of seen) expect(s.text, `request ${s.route}`).not.toContain(CANARY)
  expect(reason).not.toContain(CANARY)
  expect(workerLog).not.toContain(CANARY)
  expect(fs.readdirSync(path.join(t.dir, 'outside'))).toEqual([])
  expect(fs.readdirSync(t.dir).sort()).toEqual(['outside', 'secret', 'worker', 'worker.key'])
  expect(worker!.exitCode, workerLog).toBeNull()
}

const weights = crypto.randomBytes(64)
const goodManifest = {
  format: 1,
  step: 100,
  epoch: 1,
  weightsSha256: sha(weights),
  tensors: [{ group: 'generator', name: 'w', shape: [16], dtype: 'float32', offset: 0, length: 64 }],
}
const secretDir = () => path.join(t.dir, 'secret')

/** A claim that would train, before one hostile change is made to it. */
function baseClaim(config: unknown = preset('mlp-2d-ring8')): Record<string, unknown> {
  return { lease: 1, name: 'hostile', config, checkpoint: null, dataset: { files: [] } }
}

/** Configs whose dataset names a path of the worker's disk (a file the worker must never open). */
const pathConfigs = () => [
  { ...preset('mlp-2d-ring8'), dataset: { kind: 'csv', file: path.join(secretDir(), 'passwd.csv') } },
  { ...preset('dcgan-mnist'), dataset: { kind: 'folder', dir: secretDir() } },
  { ...preset('dcgan-mnist'), dataset: { kind: 'image', name: 'mnist-idx', dir: secretDir() } },
  { ...preset('dcgan-fashion-mnist'), dataset: { kind: 'image', name: 'fashion-mnist', dir: secretDir() } },
  { ...preset('pix2pix-mnist-edges'), dataset: { kind: 'paired', dir: secretDir() } },
  { ...preset('cyclegan-mnist-edges'), dataset: { kind: 'unpaired', dir: secretDir() } },
]

// Escapes climb at most to this test's folder (t.dir/outside): were the checks broken, nothing would land elsewhere.
const badNumber = fc.oneof(
  fc.integer({ min: 1, max: 5 }).map((k) => `${'../'.repeat(k)}outside/pwn`),
  fc.constantFrom<unknown>(-1, 1.5, 1e300, '100', null, true, [], {}, '/tmp/x'),
  fc.string(),
)
const hostileName = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map((k) => `${'../'.repeat(k)}outside/pwn.png`),
  fc.constantFrom('/etc/passwd', 'A/../../../outside/x.png', 'a\\..\\x', '.hidden', '', '.', 'A/./x.png', 'x\u0000.png', 'A//x.png', 'A/'),
  fc.string({ maxLength: 40 }),
)

/** Whether a generated value for one claim field happens to be a sound one (then it is no hostile case). */
function stillSound(field: string, v: unknown): boolean {
  if (field === 'lease') return Number.isSafeInteger(v) && (v as number) >= 1
  if (field === 'name') return typeof v === 'string' && v.length >= 1 && v.length <= 500
  if (field === 'checkpoint') return v === null
  return JSON.stringify(v) === JSON.stringify({ files: [] })
}

/** One claim, changed in one hostile way (each family is hostile by construction: none of them may train). */
const hostileScenario: fc.Arbitrary<Scenario> = fc.oneof(
  // The claim itself: any JSON, not JSON, a bad lease or name, an unknown field.
  fc.jsonValue({ maxDepth: 4 }).map((claim) => ({ claim })),
  fc.constantFrom('not json', '{"lease":', '', '[]').map((raw) => ({ claim: null, rawClaim: raw })),
  fc
    .tuple(fc.constantFrom('lease', 'name', 'checkpoint', 'dataset'), fc.oneof(badNumber, fc.jsonValue({ maxDepth: 2 })))
    .filter(([k, v]) => !stillSound(k, v))
    .map(([k, v]) => ({ claim: { ...baseClaim(), [k]: v } })),
  fc.constant({ claim: { ...baseClaim(), name: 'x'.repeat(100_000) } }),
  fc.constant({ claim: { ...baseClaim(), extra: true } }),
  // Checkpoints: a step or epoch that is not a whole number (a string step made folders anywhere).
  fc.tuple(badNumber, fc.oneof(fc.constant<unknown>(1), badNumber)).map(([step, epoch]) => ({
    claim: { ...baseClaim(), checkpoint: { step, epoch } },
    manifest: Buffer.from(JSON.stringify({ ...goodManifest, step, epoch })),
    weights,
  })),
  // A sound claim of step 100 with a manifest that is not: wrong step or epoch, no epoch, damaged weights, a layout past the end.
  fc
    .oneof(
      fc.constant({ ...goodManifest, step: 101 }),
      fc.constant({ ...goodManifest, epoch: 2 }),
      fc.constant((({ epoch: _e, ...m }) => m)(goodManifest)),
      fc.constant({ ...goodManifest, weightsSha256: sha('other') }),
      fc.constant({ ...goodManifest, tensors: [{ ...goodManifest.tensors[0], offset: 1_000_000 }] }),
      fc.constant({ ...goodManifest, format: 2 }),
      fc.jsonValue({ maxDepth: 3 }),
      fc.constant('not json'),
    )
    .map((m) => ({
      claim: { ...baseClaim(), checkpoint: { step: 100, epoch: 1 } },
      manifest: Buffer.from(typeof m === 'string' ? m : JSON.stringify(m)),
      weights,
    })),
  // Configs: anything, and the experiment schema's edges (deep nesting).
  fc.jsonValue({ maxDepth: 5 }).map((config) => ({ claim: baseClaim(config) })),
  fc.constant({
    claim: null,
    rawClaim: `{"lease":1,"name":"deep","checkpoint":null,"dataset":{"files":[]},"config":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
  }),
  fc.constant({
    claim: null,
    rawClaim: `{"lease":1,"name":"deep","checkpoint":null,"dataset":{"files":[]},"config":{"generator":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}}`,
  }),
  // Datasets at a path of the worker's disk, with no files shipped, or with hostile or lying listings.
  fc
    .tuple(
      fc.integer({ min: 0, max: 5 }),
      fc.oneof(
        fc.constant({ files: [] as unknown[] }),
        fc.tuple(hostileName, fc.nat({ max: 100 })).map(([name, bytes]) => ({ files: [{ name, bytes, sha256: sha('x') }] })),
        fc.constant({ files: [{ name: 'points.csv', bytes: 10, sha256: sha('0,0\n1,1\n2,2') }] }), // listed hash is not what comes
        fc.constant({ files: [{ name: 'points.csv', bytes: -1, sha256: sha('') }] }),
        fc.constant({
          files: [
            { name: 'A/x.png', bytes: 3, sha256: sha('abc') },
            { name: 'A/x.png', bytes: 3, sha256: sha('abc') },
          ],
        }),
        fc.constant({
          files: [
            { name: 'A', bytes: 3, sha256: sha('abc') },
            { name: 'A/x.png', bytes: 3, sha256: sha('abc') },
          ],
        }),
      ),
    )
    .map(([i, dataset]) => ({
      claim: { ...baseClaim(pathConfigs()[i]), dataset },
      dataset: Buffer.from('0,0\n1,1\n2,2\nand more than was listed'),
    })),
  // A built-in dataset with files shipped anyway.
  fc.constant({
    claim: { ...baseClaim(), dataset: { files: [{ name: 'points.csv', bytes: 3, sha256: sha('abc') }] } },
    dataset: Buffer.from('abc'),
  }),
)

describe('a real queue worker against a malicious coordinator and forged jobs', () => {
  it('refuses every generated hostile claim, checkpoint and dataset listing: nothing written outside its data dir, nothing of a local file sent back', async (ctx) => {
    if (!redisServer) ctx.skip(NO_REDIS)
    let cases = 0
    await fc.assert(
      fc.asyncProperty(hostileScenario, async (scenario) => {
        const r = await runCase(scenario)
        cases++
        fromCoordinator.add()
        expectNothingLeaked(r.reason)
        expect(r.state, `${JSON.stringify(r.value)} ${workerLog.slice(-2000)}`).toBe('failed')
        expect(r.reason).toMatch(/refused the job/)
      }),
      { seed: 22, numRuns: 150 },
    )
    expect(cases).toBe(150)
    const db = new Database(path.join(t.dir, 'worker', 'registry.sqlite'), { readonly: true })
    expect(db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 })
    db.close()
    const store = path.join(t.dir, 'worker', 'datasets')
    expect(fs.existsSync(store) ? fs.readdirSync(store) : []).toEqual([]) // no half-received dataset left behind
  }, 600_000)

  it('refuses jobs forged into Redis without the worker key before contacting anyone, and stays up', async (ctx) => {
    if (!redisServer) ctx.skip(NO_REDIS)
    const before = seen.length
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)
    const fields = fc.record({ runId: fc.integer({ min: 1, max: 1e9 }), coordinator: fc.constant(fakeUrl), token })
    const otherKey = crypto.randomBytes(32)
    const forged = fc.oneof(
      fields, // unsigned
      fc.tuple(fields, token).map(([f, sig]) => ({ ...f, sig })), // a made-up signature
      fields.map((f) => signJob(otherKey, 'whatever', f)), // another queue's key
      fields.map((f) => ({ ...signJob(key, 'another-job', f) })), // a real signature, for another job id
      fc.tuple(fields, fc.constantFrom('runId', 'coordinator', 'token')).map(([f, k]) => {
        const signed = signJob(key, 'x', f) // changed after signing (the job id below differs too)
        return { ...signed, [k]: k === 'runId' ? f.runId + 1 : k === 'coordinator' ? `${fakeUrl}/evil` : `${f.token.slice(1)}A` }
      }),
      fc.jsonValue({ maxDepth: 3 }),
    )
    let cases = 0
    await fc.assert(
      fc.asyncProperty(forged, async (data) => {
        const r = await runCase(null, data ?? 0)
        cases++
        forgedJobs.add()
        expect(r.state).toBe('failed')
        expect(r.reason).toMatch(/^refused: /)
        expect(seen.length, 'a forged job reached a coordinator').toBe(before)
        expect(worker!.exitCode).toBeNull()
      }),
      { seed: 22, numRuns: 100 },
    )
    expect(cases).toBe(100)
    expect(workerLog).toMatch(/refused, not a job of this queue's coordinator/)

    // Written into Redis by hand, around the queue library: a job whose data is not JSON at all.
    const raw = new Redis({ host: '127.0.0.1', port: Number((queue.opts.connection as { port: number }).port), maxRetriesPerRequest: null })
    try {
      const prefix = `bull:${QUEUE_NAME}`
      await raw.hset(`${prefix}:raw-garbage`, {
        name: 'train',
        data: '{not json',
        opts: '{"attempts":1}',
        timestamp: Date.now(),
        delay: 0,
        priority: 0,
      })
      await raw.lpush(`${prefix}:wait`, 'raw-garbage')
      await raw.zadd(`${prefix}:marker`, 0, '0')
    } finally {
      raw.disconnect()
    }
    // The worker neither crashes nor stops taking work: a good job after all that is taken and claimed.
    const after = await runCase({ claim: { nonsense: true } })
    expect(after.reason).toMatch(/refused the job/)
    forgedJobs.add() // the raw garbage job, held once the good job after it is taken
    // The only request since the forged jobs began is the good job's claim: the garbage job reached no coordinator.
    expect(seen.slice(before).map((s) => [s.runId, s.route])).toEqual([[after.runId, 'claim']])
    expect(workerLog).toMatch(/queue error: .*JSON/) // the queue library met the garbage (taken before the good job), and the worker went on
    expect(worker!.exitCode, workerLog).toBeNull()
  }, 300_000)

  it('trains a good job on the dataset the coordinator shipped by hash, never on the path in its config', async (ctx) => {
    if (!redisServer) ctx.skip(NO_REDIS)
    const csv = Buffer.from(Array.from({ length: 200 }, (_, i) => `${Math.cos(i)},${Math.sin(i)}`).join('\n'))
    const config = { ...preset('mlp-2d-ring8'), dataset: { kind: 'csv', file: path.join(t.dir, 'nowhere', 'points.csv') } }
    config.training = { ...config.training, epochs: 1, stepsPerEpoch: 20, checkpointEvery: 1, evalSamples: 100 }
    const r = await runCase({
      claim: { ...baseClaim(config), dataset: { files: [{ name: 'points.csv', bytes: csv.length, sha256: sha(csv) }] } },
      dataset: csv,
    })
    expect(r.state, `${r.reason}\n${workerLog.slice(-3000)}`).toBe('completed')
    expect(r.value).toEqual({ status: 'completed' })
    const statuses = seen.filter((s) => s.runId === r.runId && s.route === 'sync').map((s) => s.text)
    expect(statuses.at(-1)).toContain('"status":"completed"')
    // The worker's copy: in its store, keyed by the listing's hash, holding exactly the shipped bytes.
    const db = new Database(path.join(t.dir, 'worker', 'registry.sqlite'), { readonly: true })
    const run = db.prepare('SELECT config_json FROM runs').get() as { config_json: string }
    const dataset = db.prepare('SELECT sha256 FROM datasets').get() as { sha256: string }
    db.close()
    const file = (JSON.parse(run.config_json) as { dataset: { file: string } }).dataset.file
    expect(file.startsWith(path.join(t.dir, 'worker', 'datasets') + path.sep)).toBe(true)
    expect(fs.readFileSync(file)).toEqual(csv)
    expect(dataset.sha256).toBe(sha(csv)) // the registry's content hash of the data it trained on
  }, 180_000)
})

describe('worker announcements forged into Redis', () => {
  it("the coordinator's Workers view leaves out every malformed announcement, never fails, and still lists the real worker", async (ctx) => {
    if (!redisServer) ctx.skip(NO_REDIS)
    const port = Number((queue.opts.connection as { port: number }).port)
    const home = tmpDir('gwb-hostile-announce-')
    const registry = await Registry.open(path.join(home.dir, 'registry.sqlite'), { owner: thisProcess() })
    const runs = new RunManager(registry, home.dir, () => {
      throw new Error('no trainer in this test')
    })
    const coordinator = await Coordinator.start({
      registry,
      runs,
      home: home.dir,
      queueUrl: `redis://127.0.0.1:${port}`,
      publicUrl: 'http://127.0.0.1:1',
    })
    const raw = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null })
    try {
      // The real worker of this file announces itself: the honest entry every view must keep.
      const honest = (await coordinator.workers()).workers
      expect(honest.map((w) => w.pid)).toEqual([worker!.pid])
      const real = honest[0]!
      // Values no field of an announcement takes (each field is a bounded string, an integer, a list or an object).
      const neverValid = fc.constantFrom<unknown>(true, -1.5, { nested: true }, 'x'.repeat(5000), [[1]])
      const forged = fc.oneof(
        fc
          .jsonValue({ maxDepth: 3 })
          .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
          .map((v) => JSON.stringify(v)), // JSON, not an object
        fc.string({ maxLength: 200 }).map((v) => `{${v}`), // not JSON
        fc.tuple(fc.constantFrom(...Object.keys(real)), neverValid).map(([k, v]) => JSON.stringify({ ...real, id: 'forged', [k]: v })),
        fc
          .constantFrom(...Object.keys(real).filter((k) => k !== 'lastJob'))
          .map((k) => JSON.stringify(Object.fromEntries(Object.entries({ ...real, id: 'forged' }).filter(([f]) => f !== k)))),
        fc.constant(JSON.stringify({ ...real, id: 'forged', admin: true })), // an unknown field
        fc.constant(
          JSON.stringify({
            ...real,
            id: 'forged',
            jobs: Array.from({ length: 1001 }, (_, i) => ({ runId: i + 1, jobId: 'j', step: 0, totalSteps: 1 })),
          }),
        ),
        fc.constant(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), // nested past any parser's comfort
      )
      const mark = forgedAnnouncements.total
      await fc.assert(
        fc.asyncProperty(fc.array(forged, { minLength: 1, maxLength: 4 }), async (values) => {
          forgedAnnouncements.add(values.length)
          const keys = values.map((_v, i) => `${WORKER_KEY_PREFIX}forged-${i}`)
          await raw.mset(...keys.flatMap((k, i) => [k, values[i]!]))
          try {
            const view = await coordinator.workers()
            expect(view.workers.map((w) => w.id)).toEqual([real.id])
          } finally {
            await raw.del(...keys)
          }
        }),
        { seed: 22, numRuns: 100 },
      )
      expect(forgedAnnouncements.total - mark).toBeGreaterThanOrEqual(100)
      // An honest announcement of another worker is listed: the view is not simply empty of forgeries.
      await raw.set(`${WORKER_KEY_PREFIX}other`, JSON.stringify({ ...real, id: 'other/1' }), 'EX', 60)
      expect((await coordinator.workers()).workers.map((w) => w.id)).toEqual([real.id, 'other/1'].sort())
      await raw.del(`${WORKER_KEY_PREFIX}other`)
    } finally {
      raw.disconnect()
      await coordinator.close()
      registry.close()
      home.cleanup()
    }
  }, 120_000)
})

describe('enrolling a worker', () => {
  it("a worker without its queue's key does not start, and says how to get one; `worker-key --out` writes it 0600", () => {
    const home = path.join(t.dir, 'no-key-worker')
    const r = cli(home, ['worker', '--queue', 'redis://127.0.0.1:1'], { GAN_WORKBENCH_WORKER_KEY: '' })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/needs that queue's worker key: on the coordinator run `gan-workbench worker-key --out worker.key`/)
    const coordinator = path.join(t.dir, 'key-coordinator')
    const file = path.join(t.dir, 'key-coordinator.key')
    expect(cli(coordinator, ['worker-key', '--out', file]).code).toBe(0)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(cli(coordinator, ['worker-key']).stdout.trim()).toBe(fs.readFileSync(file, 'utf8').trim())
    fs.rmSync(home, { recursive: true, force: true })
    fs.rmSync(coordinator, { recursive: true, force: true })
    fs.rmSync(file)
  })
})
