/**
 * Fault points for the crash and disk-full tests: named places in the write path where a test can
 * make the process die (SIGKILL itself) or a write fail as on a full disk. Armed only by the
 * GAN_WORKBENCH_FAULTS environment variable, e.g. `checkpoint-write:kill@2` (die the 2nd time the
 * point is reached) or `artifact-write:enospc@1`; with it unset this is one property read.
 */
const hits = new Map<string, number>()

export type FaultPoint = 'checkpoint-write' | 'checkpoint-commit' | 'metrics-batch' | 'artifact-write'

export function faultPoint(point: FaultPoint): void {
  const spec = process.env.GAN_WORKBENCH_FAULTS
  if (!spec) return
  const n = (hits.get(point) ?? 0) + 1
  hits.set(point, n)
  for (const rule of spec.split(',')) {
    const m = /^([a-z-]+):(kill|enospc)@(\d+)$/.exec(rule.trim())
    if (!m || m[1] !== point || Number(m[3]) !== n) continue
    if (m[2] === 'kill') process.kill(process.pid, 'SIGKILL')
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  }
}
