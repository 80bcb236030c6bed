/**
 * A full disk, told in words a user can act on, and a little space kept back for saying so. When
 * the disk fills, the registry cannot even record that the run stopped (SQLite must append to its
 * write-ahead log), and the run would stay `running` with nobody training it. A trainer keeps a
 * small reserve file beside its run and gives the space back the moment the disk is full, so the
 * status write that follows fits.
 */
import fs from 'node:fs'
import path from 'node:path'

/** Errors that mean "no space left": the file system's, a quota's, SQLite's. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL'
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`
}

/** Free space for unprivileged writers on the file system holding `where`, or null when it cannot be read. */
export function freeBytes(where: string): number | null {
  for (let dir = where; ; dir = path.dirname(dir)) {
    try {
      const s = fs.statfsSync(dir)
      return s.bavail * s.bsize
    } catch {
      if (path.dirname(dir) === dir) return null
    }
  }
}

/** "the disk is full at PATH (… free)": where the write failed (the file the error names, else `where`). */
export function diskFullText(e: unknown, where: string): string {
  const at = (e as NodeJS.ErrnoException | null)?.path ?? where
  const free = freeBytes(at)
  const detail = e instanceof Error ? e.message : String(e)
  return `the disk is full at ${at} (${free === null ? 'free space unknown' : `${humanBytes(free)} free`}; ${detail})`
}

export const RESERVE_BYTES = 256 * 1024

export class DiskReserve {
  constructor(
    readonly file: string,
    private readonly bytes = RESERVE_BYTES,
  ) {}

  /** Makes sure the reserve exists, written out (not sparse); on an already full disk there is none to take. */
  ensure(): boolean {
    try {
      if (fs.statSync(this.file).size === this.bytes) return true
    } catch {
      // not there yet
    }
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true })
      const fd = fs.openSync(this.file, 'w')
      try {
        fs.writeSync(fd, Buffer.alloc(this.bytes, 0x5a))
        fs.fsyncSync(fd)
      } finally {
        fs.closeSync(fd)
      }
      return true
    } catch (e) {
      fs.rmSync(this.file, { force: true })
      if (isDiskFull(e)) return false
      throw e
    }
  }

  /** Gives the space back (the disk is full, or the run ends). */
  release(): void {
    fs.rmSync(this.file, { force: true })
  }
}
