/**
 * Whether the process that started this one still exists. A trainer whose host (the CLI, the
 * server, the desktop app) was killed must notice by itself: the IPC channel's 'disconnect' only
 * arrives when the event loop gets to it, and Node's `process.ppid` is read once at start-up.
 */
import fs from 'node:fs'
import { isProcessAlive } from './process-identity'

function currentParentPid(): number | null {
  try {
    // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    const stat = fs.readFileSync('/proc/self/stat', 'latin1')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return Number.isInteger(ppid) ? ppid : null
  } catch {
    return null // not Linux
  }
}

/** A check, cheap enough for every training step (it reads at most every `intervalMs`), that turns true once the parent is gone. */
export function watchParent(intervalMs = 250): { parentPid: number; gone: () => boolean } {
  const parentPid = process.ppid
  let gone = false
  let checkedAt = 0
  return {
    parentPid,
    gone: () => {
      if (gone) return true
      const now = Date.now()
      if (now - checkedAt < intervalMs) return false
      checkedAt = now
      // Orphans are re-parented (to init or a subreaper): the parent pid changes. Elsewhere, ask
      // whether the pid still exists.
      const current = currentParentPid()
      gone = current !== null ? current !== parentPid : !isProcessAlive(parentPid)
      return gone
    },
  }
}
