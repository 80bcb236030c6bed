/**
 * Deleting a run is refused while anything trains it, in any process (pid and start time on this
 * machine, another machine, the job queue); a paused run only with force. Run ids are never
 * issued twice, so a trainer of a deleted run can never write into a new one.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import os from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { useTempRegistry } from '../helpers/temp-registry'
import { processStartToken } from '../../src-main/util/process-identity'

const config = validateExperiment(requirePreset('mlp-2d-ring8').config).config
const ctx = useTempRegistry()
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
})

/** A real process that stands in for a trainer in another process (it only sleeps). */
async function otherProcess(): Promise<{ pid: number; token: string | null }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  children.push(child)
  await new Promise((r) => child.once('spawn', r))
  return { pid: child.pid!, token: processStartToken(child.pid!) }
}

function runOwnedBy(
  status: 'running' | 'paused' | 'queued',
  owner: { pid: number | null; token: string | null; host?: string },
  placement: 'local' | 'queue' = 'local',
) {
  const r = ctx.registry
  const run = r.createRun({ config, totalSteps: 10, placement })
  r.db
    .prepare('UPDATE runs SET status = ?, pid = ?, pid_started = ?, host = ? WHERE id = ?')
    .run(status, owner.pid, owner.token, owner.host ?? os.hostname(), run.id)
  return run.id
}

describe('deleting a run', () => {
  it('is refused while another process trains it, and allowed once that process is gone', async () => {
    const other = await otherProcess()
    const id = runOwnedBy('running', other)
    expect(() => ctx.registry.deleteRun(id)).toThrow(`run ${id} is training (pid ${other.pid}); stop it first`)
    expect(() => ctx.registry.deleteRun(id, { force: true })).toThrow(/is training/) // force is for paused runs only
    expect(ctx.registry.getRun(id).status).toBe('running')
    const child = children.pop()!
    const exited = new Promise((r) => child.once('exit', r)) // reaped: no zombie that kill(pid, 0) still finds
    child.kill('SIGKILL')
    await exited
    ctx.registry.deleteRun(id)
    expect(ctx.registry.findRun(id)).toBeUndefined()
  })

  it('a paused run only with force: its trainer waits idle and ends without writing', async () => {
    const other = await otherProcess()
    const id = runOwnedBy('paused', other)
    expect(() => ctx.registry.deleteRun(id)).toThrow(
      /is paused: its trainer \(pid \d+\) holds it in memory, waiting to resume; stop it first .*--force/,
    )
    expect(ctx.registry.whyNotDelete(id)).toMatch(/is paused/)
    expect(ctx.registry.whyNotDelete(id, { force: true })).toBeNull()
    ctx.registry.deleteRun(id, { force: true })
    expect(ctx.registry.runControl(id)).toBeUndefined() // what its trainer polls: gone
  })

  it('a pid now used by another process is not the trainer (pid and start time)', async () => {
    const other = await otherProcess()
    const id = runOwnedBy('running', { pid: other.pid, token: 'another-boot:123' })
    expect(ctx.registry.whyNotDelete(id)).toBeNull()
    // ...and the orphan sweep says so too.
    expect(ctx.registry.markOrphansInterrupted(() => true)).toEqual([id])
  })

  it('is refused for a run of another machine or of the job queue, whatever force says', () => {
    const remote = runOwnedBy('running', { pid: 1234, token: null, host: 'elsewhere.example' })
    expect(() => ctx.registry.deleteRun(remote, { force: true })).toThrow(
      `run ${remote} is running on another machine (elsewhere.example, pid 1234); stop it there first`,
    )
    const queued = runOwnedBy('queued', { pid: null, token: null }, 'queue')
    expect(() => ctx.registry.deleteRun(queued, { force: true })).toThrow(`run ${queued} is queued on the job queue; stop it first`)
  })

  it('is allowed for finished runs, and says so for unknown ones', () => {
    const id = ctx.registry.createRun({ config, totalSteps: 10 }).id
    ctx.registry.setStatus(id, 'completed')
    ctx.registry.deleteRun(id)
    expect(() => ctx.registry.deleteRun(id)).toThrow(`no run with id ${id}`)
  })
})

describe('run ids', () => {
  it('are never issued twice, even after the newest run is deleted', () => {
    const r = ctx.registry
    const ids = [1, 2, 3].map(() => r.createRun({ config, totalSteps: 10 }).id)
    for (const id of ids) r.setStatus(id, 'stopped')
    r.deleteRun(ids[2]!)
    const next = r.createRun({ config, totalSteps: 10 })
    expect(next.id).toBe(ids[2]! + 1)
    expect(next.name).toBe(`run-${next.id}`)
    r.setStatus(next.id, 'stopped')
    r.deleteRun(next.id)
    r.deleteRun(ids[1]!)
    expect(r.createRun({ config, totalSteps: 10 }).id).toBe(next.id + 1)
  })
})
