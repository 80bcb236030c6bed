/**
 * The coordinator's /remote/ routes: how a worker claims a queue run, fetches its dataset and the
 * checkpoint it resumes from, and hands back metrics, samples, checkpoints and its status. The
 * coordinator is the registry's only writer; every write carries the attempt's lease, checked in
 * the same transaction as the write once the whole body has arrived, so a worker that lost its
 * job (and was replaced meanwhile, even while its request was on the wire) cannot write over its
 * successor.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import type http from 'node:http'
import type { Readable } from 'node:stream'
import type { ZodType } from 'zod'
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'
import type { RunStatusEvent } from '../../src-shared/contract'
import type { Registry } from '../registry/registry'
import { NotFoundError } from '../registry/registry'
import type { RemoteJobs } from '../registry/remote-jobs'
import type { RunManager } from '../training/run-manager'
import { runDir } from '../platform/paths'
import { ConflictError } from '../util/errors'
import { diskFullText, isDiskFull } from '../util/disk-space'
import { confinedPath } from '../util/confined-path'
import { artifactPath } from '../registry/artifact-files'
import { fsyncDir, sha256, writeFileDurable } from '../util/atomic-fs'
import { checkpointDirName } from '../training/checkpoint'
import { dropOldCheckpoints, removeCheckpointFolders } from '../training/checkpoint-retention'
import {
  ARTIFACT_NAME,
  CheckpointManifest,
  ClaimRequest,
  LIMITS,
  ProgressRequest,
  SyncRequest,
  hex64,
  issuesText,
  jobToken,
  manifestLayoutProblem,
  type ClaimResponse,
  type SyncResponse,
} from './protocol'
import { constantTimeEqual } from '../platform/constant-time'
import { HttpError, readJson, receiveFile, sendJson } from './http-body'
import { datasetOffer, sendDataset } from './dataset-shipping'

const ROUTE =
  /^\/remote\/runs\/(\d{1,12})\/(claim|sync|progress|artifact|dataset|checkpoint\/(manifest\.json|weights\.bin)|checkpoints\/(\d{1,12})\/(manifest\.json|weights\.bin))$/

export interface RouteContext {
  registry: Registry
  jobs: RemoteJobs
  runs: RunManager
  home: string
  secret: Buffer
}

function parse<T>(schema: ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new HttpError(400, issuesText(parsed.error))
  return parsed.data
}

/** A required whole-number query parameter (digits only: no `1e3`, no `-0`, no blank meaning 0). */
function intParam(url: URL, name: string): number {
  const raw = url.searchParams.get(name)
  if (raw === null || !/^\d{1,15}$/.test(raw)) throw new HttpError(400, `${name} must be a whole number`)
  return Number(raw)
}

/** The job token for the run's current job: a token for an earlier job of the run no longer opens anything. */
function authorize(ctx: RouteContext, req: http.IncomingMessage, runId: number): void {
  const job = ctx.jobs.get(runId)
  const auth = req.headers.authorization
  if (!job?.jobId || !auth?.startsWith('Bearer ') || !constantTimeEqual(jobToken(ctx.secret, runId, job.jobId), auth.slice(7))) {
    throw new HttpError(401, "not a valid token for this run's current job")
  }
}

export async function handleRemote(ctx: RouteContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  try {
    const m = ROUTE.exec(url.pathname)
    if (!m) throw new HttpError(404, 'no such route')
    const runId = Number(m[1])
    authorize(ctx, req, runId)
    const route = m[2]!
    const method = req.method ?? 'GET'
    if (route === 'claim' && method === 'POST')
      return sendJson(res, 200, await claim(ctx, runId, parse(ClaimRequest, await readJson(req, LIMITS.json))))
    const lease = intParam(url, 'lease')
    if (route.startsWith('checkpoint/') && method === 'GET') return sendCheckpointFile(ctx, res, runId, lease, m[3]!)
    if (route === 'dataset' && method === 'GET') {
      ctx.jobs.checkLease(runId, lease)
      return await sendDataset(res, ctx.registry.getRun(runId).config.dataset)
    }
    if (route === 'sync' && method === 'POST')
      return sendJson(res, 200, sync(ctx, runId, lease, parse(SyncRequest, await readJson(req, LIMITS.json))))
    if (route === 'progress' && method === 'POST') {
      const body = parse(ProgressRequest, await readJson(req, LIMITS.json))
      ctx.jobs.checkLease(runId, lease)
      ctx.runs.emit('run.progress', { ...(body.event as object), runId } as never)
      return sendJson(res, 200, {})
    }
    if (route === 'artifact' && method === 'PUT') return sendJson(res, 200, await receiveArtifact(ctx, req, url, runId, lease))
    if (route.startsWith('checkpoints/') && method === 'PUT')
      return sendJson(res, 200, await receiveCheckpoint(ctx, req, url, runId, lease, Number(m[4]), m[5]!))
    throw new HttpError(405, `${method} is not allowed on ${route}`)
  } catch (e) {
    if (res.headersSent) return void res.destroy()
    if (e instanceof HttpError) return sendJson(res, e.status, { error: e.message })
    if (e instanceof ConflictError) return sendJson(res, 409, { error: e.message })
    if (e instanceof NotFoundError) return sendJson(res, 404, { error: e.message })
    if (isDiskFull(e)) {
      // Said in words, once a request: the worker retries (5xx) and keeps its run if it must give up.
      const text = `on the coordinator, ${diskFullText(e, ctx.home)}`
      console.error(`${new Date().toISOString()} ${req.method ?? 'GET'} ${url.pathname}: ${text}`)
      return sendJson(res, 507, { error: text })
    }
    console.error(e)
    return sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) })
  }
}

/** Staging for a checkpoint's weights, one per attempt: a replaced attempt's upload never mixes with its successor's. */
function stagingDir(parent: string, step: number, lease: number): string {
  return path.join(parent, `.tmp-remote-${step}-lease-${lease}`)
}

async function claim(ctx: RouteContext, runId: number, body: { jobId: string; worker: string }): Promise<ClaimResponse> {
  const c = ctx.jobs.claim(runId, body.jobId, body.worker)
  ctx.runs.announce(runId)
  // Earlier attempts' unfinished checkpoint uploads are of no use to this one.
  const parent = path.join(runDir(ctx.home, runId), 'checkpoints')
  for (const entry of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    if (entry.startsWith('.tmp-remote-')) fs.rmSync(path.join(parent, entry), { recursive: true, force: true })
  }
  let dataset
  try {
    dataset = await datasetOffer(c.run.config.dataset)
  } catch (e) {
    // No worker can train it until its data is back: say so on the run, and let this worker go.
    const error = `its dataset cannot be shipped to a worker: ${e instanceof Error ? e.message : String(e)}`
    ctx.jobs.underLease(runId, c.lease, () => ctx.registry.setStatus(runId, 'failed', error))
    ctx.runs.emit('run.status', { runId, status: 'failed', error })
    throw new ConflictError(`run ${runId} ${error}`)
  }
  return {
    lease: c.lease,
    name: c.run.name,
    config: c.run.config,
    checkpoint: c.checkpoint && { step: c.checkpoint.step, epoch: c.checkpoint.epoch },
    dataset,
  }
}

function sync(ctx: RouteContext, runId: number, lease: number, body: SyncRequest): SyncResponse {
  if (body.lease !== lease) throw new HttpError(400, `the body's lease ${body.lease} is not the URL's ${lease}`)
  const { registry } = ctx
  const { control, changed } = ctx.jobs.underLease(runId, lease, () => {
    let changed: RunStatusEvent | null = null
    registry.writeMetrics(runId, body.metrics)
    for (const d of body.diagnoses) registry.addDiagnosis(runId, d as unknown as Diagnosis)
    registry.updateProgress(runId, body.step, body.epoch, body.samplesPerSec)
    if (body.backend) ctx.jobs.markBackend(runId, body.backend.name, body.backend.reason)
    if (body.status) {
      const current = registry.getRun(runId)
      if (current.status !== body.status.status || current.error !== body.status.error) {
        registry.setStatus(runId, body.status.status, body.status.error)
        changed = { runId, status: body.status.status, error: body.status.error }
      }
    }
    return { control: registry.control(runId), changed }
  })
  if (changed) ctx.runs.emit('run.status', changed)
  return { control }
}

function sendCheckpointFile(ctx: RouteContext, res: http.ServerResponse, runId: number, lease: number, file: string): void {
  ctx.jobs.checkLease(runId, lease)
  const last = ctx.registry.latestArtifact(runId, 'checkpoint')
  if (!last) throw new HttpError(404, `run ${runId} has no checkpoint`)
  // The row's folder confined to the run's, the file a regular one inside it (never a symlink).
  const full = confinedPath(artifactPath(ctx.home, last), file, `run ${runId}'s checkpoint file`)
  let fd: number
  try {
    fd = fs.openSync(full, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0))
  } catch (e) {
    throw new HttpError(409, `run ${runId}'s checkpoint file ${file} cannot be read (${(e as NodeJS.ErrnoException).code})`)
  }
  const stat = fs.fstatSync(fd)
  if (!stat.isFile()) {
    fs.closeSync(fd)
    throw new HttpError(409, `run ${runId}'s checkpoint file ${file} is not a regular file`)
  }
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': stat.size, 'X-Checkpoint-Step': String(last.step) })
  fs.createReadStream('', { fd }).pipe(res)
}

async function receiveArtifact(
  ctx: RouteContext,
  req: http.IncomingMessage,
  url: URL,
  runId: number,
  lease: number,
): Promise<{ id: number }> {
  const kind = url.searchParams.get('kind') ?? ''
  const name = url.searchParams.get('name') ?? ''
  const expected = url.searchParams.get('sha256') ?? ''
  if (!/^samples-[a-z0-9-]{1,40}$/.test(kind)) throw new HttpError(400, 'kind must be a samples-… artifact kind')
  if (!ARTIFACT_NAME.test(name)) throw new HttpError(400, 'name must look like epoch-00001.png')
  if (!hex64.safeParse(expected).success) throw new HttpError(400, 'sha256 must be a hex SHA-256')
  const epoch = intParam(url, 'epoch')
  const step = intParam(url, 'step')
  const dir = path.join(runDir(ctx.home, runId), 'samples')
  fs.mkdirSync(dir, { recursive: true })
  const target = path.join(dir, name)
  const tmp = `${target}.tmp-upload-${process.pid}-${crypto.randomBytes(4).toString('hex')}`
  try {
    const got = await receiveFile(req, tmp, LIMITS.file)
    if (got.sha256 !== expected) throw new HttpError(400, 'the upload does not match its sha256 (damaged in transit?)')
    return ctx.jobs.underLease(runId, lease, () => {
      fs.renameSync(tmp, target)
      fsyncDir(dir)
      // A retried upload replaces its earlier record instead of adding a second one.
      ctx.registry.repos.artifacts.remove(runId, kind, step)
      return { id: ctx.registry.addArtifact({ runId, kind, epoch, step, path: target, sha256: got.sha256, bytes: got.bytes }).id }
    })
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}

/**
 * A checkpoint arrives as weights.bin, then manifest.json, which commits it: the manifest (the
 * checkpoint schema, with its step and epoch) must name the step of the URL and the weights'
 * checksum; the folder is renamed into place and recorded, the same temp-fsync-rename-record
 * order as a local checkpoint, with the lease checked in the same transaction. Committing is
 * idempotent: a worker sends the manifest again when the answer to the first one was lost (the
 * coordinator died after renaming, before answering), and the same manifest for a committed step
 * is then a success.
 */
export async function receiveCheckpoint(
  ctx: Pick<RouteContext, 'registry' | 'home' | 'jobs'>,
  req: Readable,
  url: URL,
  runId: number,
  lease: number,
  step: number,
  file: string,
): Promise<{ committed: boolean }> {
  const parent = path.join(runDir(ctx.home, runId), 'checkpoints')
  const staging = stagingDir(parent, step, lease)
  if (file === 'weights.bin') {
    ctx.jobs.checkLease(runId, lease) // a replaced attempt does not get to fill the disk first
    fs.rmSync(staging, { recursive: true, force: true })
    fs.mkdirSync(staging, { recursive: true })
    try {
      await receiveFile(req, path.join(staging, 'weights.bin'), LIMITS.file)
      ctx.jobs.checkLease(runId, lease)
    } catch (e) {
      fs.rmSync(staging, { recursive: true, force: true })
      ctx.jobs.checkLease(runId, lease) // replaced meanwhile (its claim cleared the staging): say that, not the I/O error it caused
      throw e
    }
    return { committed: false }
  }
  const manifest = parse(CheckpointManifest, await readJson(req, LIMITS.json))
  if (manifest.step !== step) throw new HttpError(400, `the manifest is of step ${manifest.step}, not ${step}`)
  const urlEpoch = url.searchParams.get('epoch')
  if (urlEpoch !== null && intParam(url, 'epoch') !== manifest.epoch)
    throw new HttpError(400, `the manifest is of epoch ${manifest.epoch}, not ${urlEpoch}`)
  const text = JSON.stringify(manifest)
  const final = path.join(parent, checkpointDirName(step))
  const weights = path.join(staging, 'weights.bin')
  let stale: string[] = [] // checkpoints beyond training.keepCheckpoints: deleted once their rows are gone for good
  const answer = ctx.jobs.underLease(runId, lease, () => {
    const record = () => {
      const known = ctx.registry.artifacts(runId, 'checkpoint').some((a) => a.step === step)
      if (!known)
        ctx.registry.addArtifact({
          runId,
          kind: 'checkpoint',
          epoch: manifest.epoch,
          step,
          path: final,
          sha256: sha256(text),
          bytes: fs.statSync(path.join(final, 'weights.bin')).size + text.length,
        })
      stale = dropOldCheckpoints(ctx.registry, ctx.home, runId, ctx.registry.getRun(runId).config.training.keepCheckpoints)
      return { committed: true }
    }
    if (!fs.existsSync(weights)) {
      const committed = path.join(final, 'manifest.json')
      if (fs.existsSync(committed) && fs.readFileSync(committed, 'utf8') === text) return record()
      throw new HttpError(409, `send checkpoints/${step}/weights.bin before its manifest`)
    }
    const bytes = fs.readFileSync(weights)
    if (sha256(bytes) !== manifest.weightsSha256) throw new HttpError(400, "weights.bin does not match the manifest's checksum")
    const layout = manifestLayoutProblem(manifest, bytes.length)
    if (layout) throw new HttpError(400, `the manifest does not describe weights.bin: ${layout}`)
    writeFileDurable(path.join(staging, 'manifest.json'), text)
    fsyncDir(staging)
    fs.rmSync(final, { recursive: true, force: true })
    fs.renameSync(staging, final)
    fsyncDir(parent)
    return record()
  })
  removeCheckpointFolders(stale)
  return answer
}
