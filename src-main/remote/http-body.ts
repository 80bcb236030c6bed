/** Request bodies with limits: JSON read whole (small), files streamed to disk (checkpoints are large). */
import fs from 'node:fs'
import crypto from 'node:crypto'
import type http from 'node:http'
import { pipeline } from 'node:stream/promises'
import { Transform, type Readable } from 'node:stream'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export async function readJson(req: Readable, limit: number): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new HttpError(413, `body over ${limit} bytes`)
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch {
    throw new HttpError(400, 'body is not JSON')
  }
}

/** Streams the body into `file` (fsynced), returning its size and SHA-256. */
export async function receiveFile(req: Readable, file: string, limit: number): Promise<{ bytes: number; sha256: string }> {
  const hash = crypto.createHash('sha256')
  let bytes = 0
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length
      if (bytes > limit) return done(new HttpError(413, `body over ${limit} bytes`))
      hash.update(chunk)
      done(null, chunk)
    },
  })
  const out = fs.createWriteStream(file)
  await pipeline(req, meter, out)
  const fd = fs.openSync(file, 'r+')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  return { bytes, sha256: hash.digest('hex') }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  res.end(JSON.stringify(body))
}
