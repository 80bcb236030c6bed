/**
 * Which process owns a run, beyond its pid: pids are reused, so a registry row that says "pid
 * 4242 trains this" must also say which 4242. On Linux a process is named by the boot it runs in
 * and its start time in clock ticks (/proc/PID/stat field 22); elsewhere the pid alone.
 */
import fs from 'node:fs'
import os from 'node:os'

let bootId: string | null | undefined

function currentBoot(): string | null {
  if (bootId === undefined) {
    try {
      bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    } catch {
      bootId = null
    }
  }
  return bootId
}

/** A token naming this incarnation of process `pid` (null where the platform cannot tell, or the process is gone). */
export function processStartToken(pid: number): string | null {
  const boot = currentBoot()
  if (boot === null) return null
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
    // "pid (comm) state ppid ... starttime": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const start = fields[19] // field 22 counted from the state, which is field 3
    return start ? `${boot}:${start}` : null
  } catch {
    return null
  }
}

let own: string | null | undefined

/** This process's token, read once. */
export function ownStartToken(): string | null {
  if (own === undefined) own = processStartToken(process.pid)
  return own
}

/**
 * Whether a process still runs on this host (EPERM: it runs, under another user). The instance
 * lock asks it of a lock's holder; each start-up asks it of the runs the registry says are
 * training, to mark the orphans interrupted.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Whether process `pid` is still the one recorded with `token`: false once it ended, and false
 * when the pid now belongs to another process started since.
 */
export function sameProcessAlive(pid: number, token: string | null, exists: (pid: number) => boolean = isProcessAlive): boolean {
  if (!exists(pid)) return false
  if (token === null) return true
  const current = processStartToken(pid)
  return current === null || current === token
}

/**
 * The process a registry row names as its owner: what a queued run, a trainer, a reproduction or
 * a transfer experiment records, so a later start-up can tell a live owner from a dead one.
 */
export interface ProcessOwner {
  pid: number
  /** processStartToken(pid): null where the platform cannot tell. */
  startToken: string | null
  host: string
}

/** This process as a registry owner: what each process's entry point hands the registry it opens. */
export function thisProcess(): ProcessOwner {
  return { pid: process.pid, startToken: ownStartToken(), host: os.hostname() }
}
