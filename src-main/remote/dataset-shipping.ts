/**
 * The coordinator's side of shipping a run's dataset to a worker: the claim lists the files with
 * their sizes and SHA-256 (DatasetOffer); `GET /remote/runs/ID/dataset` sends their bytes, in
 * that order, as one stream. Only the files the run's own config makes its loader read are ever
 * sent, found from the coordinator's config, never from anything in the request.
 */
import fs from 'node:fs'
import crypto from 'node:crypto'
import type http from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { DatasetConfig } from '../../src-shared/config/experiment'
import { datasetFiles } from '../datasets/dataset-files'
import { DatasetError } from '../datasets/idx'
import { LIMITS, type DatasetOffer } from './protocol'
import { HttpError } from './http-body'

async function fileSha256(file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  await pipeline(fs.createReadStream(file), hash)
  return hash.digest('hex')
}

/** The offer for a claim: every file hashed (streamed, so the server keeps answering meanwhile). */
export async function datasetOffer(config: DatasetConfig): Promise<DatasetOffer> {
  const files = datasetFiles(config)
  if (files.length > LIMITS.datasetFiles)
    throw new DatasetError(`the dataset has ${files.length} files, over the ${LIMITS.datasetFiles} a queue run can ship`)
  let total = 0
  const out: DatasetOffer['files'] = []
  for (const f of files) {
    const bytes = fs.statSync(f.path).size
    total += bytes
    if (total > LIMITS.datasetBytes)
      throw new DatasetError(`the dataset is over ${LIMITS.datasetBytes} bytes, more than a queue run can ship`)
    out.push({ name: f.name, bytes, sha256: await fileSha256(f.path) })
  }
  return { files: out }
}

/** Streams the dataset's files back to back; a file that changed size meanwhile cuts the stream (the worker then refuses it). */
export async function sendDataset(res: http.ServerResponse, config: DatasetConfig): Promise<void> {
  let files: { path: string; bytes: number }[]
  try {
    files = datasetFiles(config).map((f) => ({ ...f, bytes: fs.statSync(f.path).size }))
  } catch (e) {
    throw new HttpError(422, `the run's dataset cannot be read here: ${e instanceof Error ? e.message : String(e)}`)
  }
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': files.reduce((n, f) => n + f.bytes, 0),
    'Cache-Control': 'no-store',
  })
  // One pipeline into the response: a pipeline per file (`end: false`) leaves its listeners on the
  // response, three per file, which a folder of thousands of images piles up.
  async function* bytes() {
    for (const f of files) if (f.bytes > 0) yield* fs.createReadStream(f.path, { start: 0, end: f.bytes - 1 })
  }
  try {
    await pipeline(bytes, res)
  } catch {
    res.destroy()
  }
}
