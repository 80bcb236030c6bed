/**
 * Reading a file that someone else named (a dataset, an artifact, a checkpoint): regular files
 * only, and never more than a cap. The file is opened with O_NONBLOCK, so a FIFO does not block
 * the open, then checked with fstat on that same descriptor (no race with a swap after a stat):
 * a FIFO, socket or device (/dev/zero, /dev/stdin) is refused before a byte is read, and so is a
 * file larger than the cap; a file that grows past the cap while being read is refused too.
 * `noFollow` also refuses a symlink as the last component (O_NOFOLLOW), for paths that were
 * confined to a folder (see confined-path.ts).
 */
import fs from 'node:fs'

export interface RegularFileOptions {
  maxBytes: number
  /** What the cap is about, for the message (e.g. "the CSV size cap"). */
  capName?: string
  noFollow?: boolean
  /** Builds the error to throw from a problem (the caller names the file its own way). */
  fail: (problem: string) => Error
}

const NONBLOCK = fs.constants.O_NONBLOCK ?? 0
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0

export function describeKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a FIFO (named pipe)'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isSocket()) return 'a socket'
  if (stat.isSymbolicLink()) return 'a symlink'
  return 'not a regular file'
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 === 0 ? 0 : 1)} GiB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 === 0 ? 0 : 1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`
  return `${n} bytes`
}

function openProblem(file: string, e: unknown, noFollow: boolean): string {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'ENXIO' || code === 'EOPNOTSUPP') {
    // A socket (or a device with nothing behind it) cannot be opened at all: say what it is.
    const stat = fs.statSync(file, { throwIfNoEntry: false })
    if (stat && !stat.isFile()) return `is ${describeKind(stat)}, not a regular file`
  }
  if (code === 'ELOOP' && noFollow) return 'is a symlink (refused here: it could lead outside its folder)'
  if (code === 'EACCES' || code === 'EPERM') return `cannot be read (${code}: permission denied)`
  return `cannot be read (${code ?? String(e)})`
}

/** The whole file, or `fail(problem)` for a missing, special, oversized or unreadable one. */
export function readRegularFile(file: string, options: RegularFileOptions): Buffer {
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NONBLOCK | (options.noFollow ? NOFOLLOW : 0))
  } catch (e) {
    throw options.fail(openProblem(file, e, options.noFollow ?? false))
  }
  const io = <T>(op: () => T): T => {
    try {
      return op()
    } catch (e) {
      throw options.fail(`cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
    }
  }
  try {
    const stat = io(() => fs.fstatSync(fd))
    if (!stat.isFile()) throw options.fail(`is ${describeKind(stat)}, not a regular file`)
    const cap = options.capName ? ` (${options.capName})` : ''
    if (stat.size > options.maxBytes)
      throw options.fail(`is ${formatBytes(stat.size)}, over the ${formatBytes(options.maxBytes)} limit${cap}`)
    const buf = Buffer.allocUnsafe(stat.size)
    let total = 0
    while (total < buf.length) {
      const n = io(() => fs.readSync(fd, buf, total, buf.length - total, null))
      if (n === 0) return buf.subarray(0, total) // shrank meanwhile
      total += n
    }
    // Read on past the size fstat gave: the file may have grown meanwhile (or, under /proc,
    // report 0). One byte past the cap is enough to know it is over.
    const more: Buffer[] = []
    const chunk = Buffer.allocUnsafe(64 * 1024)
    for (;;) {
      const n = io(() => fs.readSync(fd, chunk, 0, Math.min(chunk.length, options.maxBytes + 1 - total), null))
      if (n === 0) break
      more.push(Buffer.from(chunk.subarray(0, n)))
      total += n
      if (total > options.maxBytes) throw options.fail(`grew past the ${formatBytes(options.maxBytes)} limit while being read${cap}`)
    }
    return more.length === 0 ? buf : Buffer.concat([buf, ...more], total)
  } finally {
    fs.closeSync(fd)
  }
}
