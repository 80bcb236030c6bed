/**
 * Rows that name the process owning them (runs, reproductions, transfer experiments): whether
 * that owner is gone. The registry never asks the OS who *it* is: its own identity (pid, start
 * time, host) is passed in when it is opened (util/process-identity.ts `thisProcess()`).
 */
import { sameProcessAlive } from '../util/process-identity'

/** The owner columns of such a row. */
export interface OwnerRow {
  id: number
  pid: number | null
  pid_started: string | null
  host: string | null
}

/** No owner, or one on `host` (ours) that is dead or whose pid now names another process (pids are reused). */
export function ownerGone(r: OwnerRow, host: string, isAlive: (pid: number) => boolean): boolean {
  return r.pid === null || (r.host === host && !sameProcessAlive(r.pid, r.pid_started, isAlive))
}
