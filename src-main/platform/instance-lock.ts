/**
 * One app instance (desktop window or server) per data directory: a second one would race the
 * first for the same runs. The CLI's short commands don't take the lock; SQLite handles them.
 */
import fs from 'node:fs'
import os from 'node:os'
import { writePrivateFileExclusive } from '../util/private-files'
import { isProcessAlive } from '../util/process-identity'

export interface LockInfo {
  pid: number
  host: string
  mode: string
  startedAt: string
  url?: string
}

export class InstanceLockedError extends Error {
  override name = 'InstanceLockedError'
  constructor(
    readonly holder: LockInfo,
    lockFile: string,
  ) {
    super(
      `another GAN Workbench (${holder.mode}${holder.url ? ` at ${holder.url.replace(/token=[^&]+/, 'token=…')}` : ''}, pid ${holder.pid}, ` +
        `started ${holder.startedAt}) is already using this data directory. Close it first, or use another --home. (lock: ${lockFile})`,
    )
  }
}

export interface InstanceLock {
  update(patch: Partial<LockInfo>): void
  release(): void
}

export function acquireInstanceLock(file: string, mode: string): InstanceLock {
  const info: LockInfo = { pid: process.pid, host: os.hostname(), mode, startedAt: new Date().toISOString() }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // 0600: once serving, it holds the server's URL with its token.
      writePrivateFileExclusive(file, JSON.stringify(info))
      let released = false
      return {
        update(patch) {
          Object.assign(info, patch)
          fs.writeFileSync(file, JSON.stringify(info))
        },
        release() {
          if (released) return
          released = true
          fs.rmSync(file, { force: true })
        },
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      let holder: LockInfo | undefined
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo
      } catch {
        holder = undefined // unreadable: a writer died mid-write; treat as stale
      }
      const sameHost = holder?.host === os.hostname()
      // A lock from another host (shared drive) cannot be checked, so it is respected.
      if (holder && (!sameHost || (holder.pid !== process.pid && isProcessAlive(holder.pid)))) {
        throw new InstanceLockedError(holder, file)
      }
      fs.rmSync(file, { force: true }) // stale lock from a process that no longer runs
    }
  }
  throw new Error(`cannot take the instance lock ${file}`)
}
