/**
 * The coordinator's /remote/ routes: how a worker claims a queue run, fetches the checkpoint it
 * resumes from, and hands back metrics, samples, checkpoints and its status. The coordinator is
 * the registry's only writer; every write carries the attempt's lease, so a worker that lost its
 * job (and was replaced) cannot write over its successor.
 */
import fs from 'node:fs'
import path from 'node:path'
import type http from 'node:http'
import type { Readable } from 'node:stream'
import { ZodError, type ZodType } from 'zod'
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'
import type { Registry } from '../registry/registry'
import { NotFoundError } from '../registry/registry'
import type { RemoteJobs } from '../registry/remote-jobs'
import type { RunManager } from '../training/run-manager'
import { runDir } from '../app/paths'
import { safeEqual } from '../server/auth'
import { ConflictError } from '../util/errors'
import { confinedPath } from '../util/confined-path'
import { artifactPath } from '../registry/artifact-files'
import { fsyncDir, sha256, writeFileDurable } from '../util/atomic-fs'
import { ARTIFACT_NAME, ClaimRequest, ProgressRequest, SyncRequest, jobToken, type ClaimResponse, type SyncResponse } from './protocol'
import { HttpError, readJson, receiveFile, sendJson } from './http-body'
import { checkpointDirName, type CheckpointManifest } from '../training/checkpoint'

const MAX_JSON = 64 * 1024 ** 2
const MAX_FILE = 4 * 1024 ** 3
const ROUTE = /^\/remote\/runs\/(\d{1,12})\/(claim|sync|progress|artifact|checkpoint\/(manifest\.json|weights\.bin)|checkpoints\/(\d{1,12})\/(manifest\.json|weights\.bin))$/

export interface RouteContext {
  registry: Registry
  jobs: RemoteJobs
  runs: RunManager
  home: string
  secret: Buffer
}

function parse<T>(schema: ZodType<T>, value: unknown): T {
  try {
    return schema.parse(value)
  } catch (e) {
    if (e instanceof ZodError) throw new HttpError(400, e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '))
    throw e
  }
}

function intParam(url: URL, name: string): number {
  const v = Number(url.searchParams.get(name))
  if (!Number.isInteger(v) || v < 0) throw new HttpError(400, `${name} must be a whole number`)
  return v
}

/** The job token for the run's current job: a token for an earlier job of the run no longer opens anything. */
function authorize(ctx: RouteContext, req: http.IncomingMessage, runId: number): void {
  const job = ctx.jobs.get(runId)
  const auth = req.headers.authorization
  if (!job?.jobId || !auth?.startsWith('Bearer ') || !safeEqual(jobToken(ctx.secret, runId, job.jobId), auth.slice(7))) {
    throw new HttpError(401, 'not a valid token for this run\'s current job')
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
    if (route === 'claim' && method === 'POST') return sendJson(res, 200, claim(ctx, runId, parse(ClaimRequest, await readJson(req, MAX_JSON))))
    if (route.startsWith('checkpoint/') && method === 'GET') return sendCheckpointFile(ctx, res, runId, intParam(url, 'lease'), m[3]!)
    ctx.jobs.checkLease(runId, intParam(url, 'lease'))
    if (route === 'sync' && method === 'POST') return sendJson(res, 200, sync(ctx, runId, parse(SyncRequest, await readJson(req, MAX_JSON))))
    if (route === 'progress' && method === 'POST') {
      const body = parse(ProgressRequest, await readJson(req, MAX_JSON))
      ctx.runs.emit('run.progress', { ...(body.event as object), runId } as never)
      return sendJson(res, 200, {})
    }
    if (route === 'artifact' && method === 'PUT') return sendJson(res, 200, await receiveArtifact(ctx, req, url, runId))
    if (route.startsWith('checkpoints/') && method === 'PUT') return sendJson(res, 200, await receiveCheckpoint(ctx, req, url, runId, Number(m[4]), m[5]!))
    throw new HttpError(405, `${method} is not allowed on ${route}`)
  } catch (e) {
    if (e instanceof HttpError) return sendJson(res, e.status, { error: e.message })
    if (e instanceof ConflictError) return sendJson(res, 409, { error: e.message })
    if (e instanceof NotFoundError) return sendJson(res, 404, { error: e.message })
    console.error(e)
    return sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) })
  }
}

function claim(ctx: RouteContext, runId: number, body: { jobId: string; worker: string }): ClaimResponse {
  const c = ctx.jobs.claim(runId, body.jobId, body.worker)
  ctx.runs.announce(runId)
  return { lease: c.lease, name: c.run.name, config: c.run.config, checkpoint: c.checkpoint && { step: c.checkpoint.step, epoch: c.checkpoint.epoch } }
}

function sync(ctx: RouteContext, runId: number, body: SyncRequest): SyncResponse {
  const { registry } = ctx
  registry.writeMetrics(runId, body.metrics)
  for (const d of body.diagnoses) registry.addDiagnosis(runId, d as unknown as Diagnosis)
  registry.updateProgress(runId, body.step, body.epoch, body.samplesPerSec)
  if (body.backend) ctx.jobs.markBackend(runId, body.backend.name, body.backend.reason)
  if (body.status) {
    const current = registry.getRun(runId)
    if (current.status !== body.status.status || current.error !== body.status.error) {
      registry.setStatus(runId, body.status.status, body.status.error)
      ctx.runs.emit('run.status', { runId, status: body.status.status, error: body.status.error })
    }
  }
  return { control: registry.control(runId) }
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

async function receiveArtifact(ctx: RouteContext, req: http.IncomingMessage, url: URL, runId: number): Promise<{ id: number }> {
  const kind = url.searchParams.get('kind') ?? ''
  const name = url.searchParams.get('name') ?? ''
  const expected = url.searchParams.get('sha256') ?? ''
  if (!/^samples-[a-z0-9-]{1,40}$/.test(kind)) throw new HttpError(400, 'kind must be a samples-… artifact kind')
  if (!ARTIFACT_NAME.test(name)) throw new HttpError(400, 'name must look like epoch-00001.png')
  const epoch = intParam(url, 'epoch')
  const step = intParam(url, 'step')
  const dir = path.join(runDir(ctx.home, runId), 'samples')
  fs.mkdirSync(dir, { recursive: true })
  const target = path.join(dir, name)
  const tmp = `${target}.tmp-upload-${process.pid}-${Date.now()}`
  try {
    const got = await receiveFile(req, tmp, MAX_FILE)
    if (got.sha256 !== expected) throw new HttpError(400, 'the upload does not match its sha256 (damaged in transit?)')
    fs.renameSync(tmp, target)
    fsyncDir(dir)
    // A retried upload replaces its earlier record instead of adding a second one.
    ctx.registry.db.prepare('DELETE FROM artifacts WHERE run_id = ? AND kind = ? AND step = ?').run(runId, kind, step)
    return { id: ctx.registry.addArtifact({ runId, kind, epoch, step, path: target, sha256: got.sha256, bytes: got.bytes }).id }
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}

/**
 * A checkpoint arrives as weights.bin, then manifest.json, which commits it: the manifest must
 * name the step and the weights' checksum; the folder is renamed into place and recorded, the
 * same temp-fsync-rename-record order as a local checkpoint. Committing is idempotent: a worker
 * sends the manifest again when the answer to the first one was lost (the coordinator died after
 * renaming, before answering), and the same manifest for a committed step is then a success.
 */
export async function receiveCheckpoint(ctx: Pick<RouteContext, 'registry' | 'home'>, req: Readable, url: URL, runId: number, step: number, file: string): Promise<{ committed: boolean }> {
  const parent = path.join(runDir(ctx.home, runId), 'checkpoints')
  const staging = path.join(parent, `.tmp-remote-${step}`)
  if (file === 'weights.bin') {
    fs.rmSync(staging, { recursive: true, force: true })
    fs.mkdirSync(staging, { recursive: true })
    await receiveFile(req, path.join(staging, 'weights.bin'), MAX_FILE)
    return { committed: false }
  }
  const text = JSON.stringify(await readJson(req, MAX_JSON))
  const manifest = JSON.parse(text) as CheckpointManifest
  if (manifest.step !== step) throw new HttpError(400, `the manifest is of step ${manifest.step}, not ${step}`)
  const epoch = intParam(url, 'epoch') // refused before anything moves
  const final = path.join(parent, checkpointDirName(step))
  const weights = path.join(staging, 'weights.bin')
  const record = () => {
    const known = ctx.registry.artifacts(runId, 'checkpoint').some((a) => a.step === step)
    if (!known) ctx.registry.addArtifact({ runId, kind: 'checkpoint', epoch, step, path: final, sha256: sha256(text), bytes: fs.statSync(path.join(final, 'weights.bin')).size + text.length })
    return { committed: true }
  }
  if (!fs.existsSync(weights)) {
    const committed = path.join(final, 'manifest.json')
    if (fs.existsSync(committed) && fs.readFileSync(committed, 'utf8') === text) return record()
    throw new HttpError(409, `send checkpoints/${step}/weights.bin before its manifest`)
  }
  if (sha256(fs.readFileSync(weights)) !== manifest.weightsSha256) throw new HttpError(400, 'weights.bin does not match the manifest\'s checksum')
  writeFileDurable(path.join(staging, 'manifest.json'), text)
  fsyncDir(staging)
  fs.rmSync(final, { recursive: true, force: true })
  fs.renameSync(staging, final)
  fsyncDir(parent)
  return record()
}
