/**
 * Durable file writes: write into a temporary sibling, fsync it, rename over the target, fsync the
 * directory. A crash at any point leaves either the old content or the new, never half a file.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'

export function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** `mode` applies from creation (a key file is never readable by others, even for a moment). */
export function writeFileDurable(file: string, data: Uint8Array | string, mode = 0o666): void {
  const fd = fs.openSync(file, 'w', mode)
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

export function writeFileAtomic(file: string, data: Uint8Array | string, mode = 0o666): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`
  try {
    writeFileDurable(tmp, data, mode)
    fs.renameSync(tmp, file)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw e
  }
  fsyncDir(path.dirname(file))
}

export function sha256(data: Uint8Array | string): string {
  return crypto.createHash('sha256').update(data).digest('hex')
}
