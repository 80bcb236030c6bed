/**
 * The worker key: what enrols a worker with a coordinator's queue. Derived from the coordinator's
 * secret (HMAC-SHA-256 of a fixed label), printed by `gan-workbench worker-key` on the coordinator,
 * and given to each worker as a 0600 file (`--key-file`, or `worker.key` in the worker's data dir)
 * or in GAN_WORKBENCH_WORKER_KEY. It signs jobs; it opens none of the coordinator's routes.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { writeFileAtomic } from '../util/atomic-fs'

const KEY_LABEL = 'gan-workbench worker key v1'
/** How a worker key is written: a version prefix, then 32 bytes as base64url. */
const KEY_TEXT = /^gwk1\.([A-Za-z0-9_-]{43})$/
export const WORKER_KEY_ENV = 'GAN_WORKBENCH_WORKER_KEY'
export const WORKER_KEY_FILE = 'worker.key'

export class WorkerKeyError extends Error {
  override name = 'WorkerKeyError'
}

export function workerKeyFromSecret(secret: Buffer): Buffer {
  return crypto.createHmac('sha256', secret).update(KEY_LABEL).digest()
}

export function formatWorkerKey(key: Buffer): string {
  return `gwk1.${key.toString('base64url')}`
}

export function parseWorkerKey(text: string, where: string): Buffer {
  const m = KEY_TEXT.exec(text.trim())
  if (!m)
    throw new WorkerKeyError(
      `${where} does not hold a worker key (gwk1. and 43 characters, as \`gan-workbench worker-key\` prints it on the coordinator)`,
    )
  return Buffer.from(m[1]!, 'base64url')
}

/** A key file must be the owner's alone (like an SSH key): anyone who reads it can sign jobs. */
function readKeyFile(file: string): Buffer {
  let st: fs.Stats
  try {
    st = fs.statSync(file)
  } catch {
    throw new WorkerKeyError(`no worker key at ${file}`)
  }
  if (!st.isFile()) throw new WorkerKeyError(`${file} is not a file`)
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new WorkerKeyError(`${file} can be read by other users (mode ${(st.mode & 0o777).toString(8)}): \`chmod 600 ${file}\``)
  }
  return parseWorkerKey(fs.readFileSync(file, 'utf8'), file)
}

/** The worker's key: --key-file, else the environment, else `worker.key` in its data dir; a clear error when none. */
export function loadWorkerKey(options: { keyFile?: string; home: string; env?: NodeJS.ProcessEnv }): Buffer {
  if (options.keyFile) return readKeyFile(options.keyFile)
  const fromEnv = (options.env ?? process.env)[WORKER_KEY_ENV]
  if (fromEnv) return parseWorkerKey(fromEnv, WORKER_KEY_ENV)
  const inHome = path.join(options.home, WORKER_KEY_FILE)
  if (fs.existsSync(inHome)) return readKeyFile(inHome)
  throw new WorkerKeyError(
    `a worker takes only jobs signed by its coordinator, and needs that queue's worker key: on the coordinator run \`gan-workbench worker-key --out worker.key\`, copy the file here (chmod 600) and give it with --key-file, put it at ${inHome}, or set ${WORKER_KEY_ENV}`,
  )
}

/**
 * Writes the key for a worker, readable by its owner only. Atomically: a worker starting while the
 * key is written again (a second `worker-key --out` to the same file) reads the whole old key or
 * the whole new one, never an empty file (CI of 2026-12-06, `bcda241`).
 */
export function writeWorkerKeyFile(file: string, key: Buffer): void {
  writeFileAtomic(file, `${formatWorkerKey(key)}\n`, 0o600)
  fs.chmodSync(file, 0o600) // the umask may have taken bits away; never adds any
}
