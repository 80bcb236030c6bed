/**
 * A worker's side of the /remote/ routes, for one job: retries what can be retried (the
 * coordinator restarting, a network blip) with backoff, and stops at once on what cannot
 * (the job was handed to another worker, or the run was stopped or deleted). Every answer is
 * read up to a size limit and parsed with the protocol's schemas before anything uses it.
 */
import fs from 'node:fs'
import type { ZodType } from 'zod'
import { ClaimResponse, LIMITS, SyncResponse, issuesText, type SyncRequest } from './protocol'

/** The coordinator refused for good: another attempt owns the run, or the job no longer carries it. */
export class JobLostError extends Error {
  override name = 'JobLostError'
}

export class CoordinatorUnreachableError extends Error {
  override name = 'CoordinatorUnreachableError'
}

/** The coordinator answered something the protocol does not allow: the job is refused, not retried. */
export class BadAnswerError extends Error {
  override name = 'BadAnswerError'
}

/** A response body chunk by chunk; leaving the loop early cancels the rest. */
async function* bodyChunks(res: Response): AsyncGenerator<Uint8Array> {
  if (!res.body) return
  const reader = res.body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
}

/** A response body, refused past `limit` bytes (whatever Content-Length claims). */
export async function readCapped(res: Response, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of bodyChunks(res)) {
    size += chunk.length
    if (size > limit) throw new BadAnswerError(`${what} is over ${limit} bytes`)
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

async function readAnswer<T>(res: Response, schema: ZodType<T>, what: string): Promise<T> {
  let value: unknown
  try {
    value = JSON.parse((await readCapped(res, LIMITS.json, what)).toString('utf8'))
  } catch (e) {
    if (e instanceof BadAnswerError) throw e
    throw new BadAnswerError(`${what} is not JSON`)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new BadAnswerError(`${what} breaks the protocol: ${issuesText(parsed.error, 'answer')}`)
  return parsed.data
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class CoordinatorClient {
  lease = 0

  constructor(
    private readonly base: string,
    private readonly runId: number,
    private readonly token: string,
    /** How long one call keeps retrying before it gives up (the caller decides what then). */
    private readonly patienceMs = 60_000,
  ) {}

  private url(route: string, params: Record<string, string | number> = {}): string {
    const q = new URLSearchParams({
      lease: String(this.lease),
      ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
    })
    return `${this.base.replace(/\/$/, '')}/remote/runs/${this.runId}/${route}?${q}`
  }

  /** `timeoutMs` bounds one attempt, its body included (a dataset download may take long). */
  private async call(url: string, init: RequestInit = {}, patienceMs = this.patienceMs, timeoutMs = 120_000): Promise<Response> {
    const until = Date.now() + patienceMs
    let delay = 500
    for (;;) {
      let failure: string
      try {
        const res = await fetch(url, {
          ...init,
          headers: { ...init.headers, Authorization: `Bearer ${this.token}` },
          signal: AbortSignal.timeout(timeoutMs),
        })
        if (res.ok) return res
        const text = (await readCapped(res, 64 * 1024, 'an error answer').catch(() => Buffer.alloc(0))).toString('utf8')
        const message = (() => {
          try {
            const error = (JSON.parse(text) as { error?: unknown }).error
            return typeof error === 'string' ? error : text
          } catch {
            return text
          }
        })().slice(0, LIMITS.message)
        if (res.status === 401 || res.status === 404 || res.status === 409) throw new JobLostError(message)
        if (res.status >= 400 && res.status < 500) throw new Error(`the coordinator refused ${new URL(url).pathname}: ${message}`)
        failure = `HTTP ${res.status}: ${message}`
      } catch (e) {
        if (
          e instanceof JobLostError ||
          e instanceof BadAnswerError ||
          (e instanceof Error && e.message.startsWith('the coordinator refused'))
        )
          throw e
        failure = e instanceof Error ? e.message : String(e)
      }
      if (Date.now() + delay > until) throw new CoordinatorUnreachableError(`cannot reach the coordinator at ${this.base}: ${failure}`)
      await sleep(delay)
      delay = Math.min(delay * 2, 10_000)
    }
  }

  private json(body: unknown): RequestInit {
    return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
  }

  async claim(jobId: string, worker: string): Promise<ClaimResponse> {
    const res = await this.call(this.url('claim'), this.json({ jobId, worker }))
    const claim = await readAnswer(res, ClaimResponse, 'the claim answer')
    this.lease = claim.lease
    return claim
  }

  async downloadCheckpoint(file: 'manifest.json' | 'weights.bin'): Promise<Buffer> {
    const res = await this.call(this.url(`checkpoint/${file}`))
    return readCapped(res, file === 'weights.bin' ? LIMITS.weights : LIMITS.json, `the checkpoint's ${file}`)
  }

  /** The run's dataset files back to back, as the claim listed them (dataset-store.ts checks them). */
  async downloadDataset(): Promise<AsyncIterable<Uint8Array>> {
    return bodyChunks(await this.call(this.url('dataset'), {}, this.patienceMs, 6 * 3600_000))
  }

  async sync(body: Omit<SyncRequest, 'lease'>, patienceMs?: number): Promise<SyncResponse> {
    const res = await this.call(this.url('sync'), this.json({ lease: this.lease, ...body }), patienceMs)
    return readAnswer(res, SyncResponse, 'the sync answer')
  }

  /** Live progress for the coordinator's UIs: best effort, never retried (the next one supersedes it). */
  async progress(event: object): Promise<void> {
    await this.call(this.url('progress'), this.json({ lease: this.lease, event }), 0).catch((e: unknown) => {
      if (e instanceof JobLostError) throw e
    })
  }

  async uploadArtifact(file: string, meta: { kind: string; epoch: number; step: number; name: string; sha256: string }): Promise<void> {
    await this.call(this.url('artifact', meta), { method: 'PUT', body: fs.readFileSync(file) })
  }

  /** Weights first, then the manifest (which names the step and epoch), which commits the checkpoint on the coordinator. */
  async uploadCheckpoint(dir: string, step: number): Promise<void> {
    await this.call(this.url(`checkpoints/${step}/weights.bin`), { method: 'PUT', body: fs.readFileSync(`${dir}/weights.bin`) })
    await this.call(this.url(`checkpoints/${step}/manifest.json`), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: fs.readFileSync(`${dir}/manifest.json`),
    })
  }
}
