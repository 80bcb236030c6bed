/**
 * Whether a process still runs on this host. The instance lock asks it of a lock's holder; each
 * start-up (desktop, server, CLI, queue worker) asks it of the runs the registry says are
 * training, to mark the orphans interrupted.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it runs, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
