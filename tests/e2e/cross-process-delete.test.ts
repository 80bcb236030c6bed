/**
 * Deleting a run that another process trains: a `train` command trains run 1 while a server (the
 * UI's door) and a second terminal try to delete it. Refused while it trains; refused while it is
 * paused unless forced (the UI's confirmation); once forced, the waiting trainer ends by itself
 * without writing anything, and the next run gets a new id, never the deleted one.
 *
 * No timing: the run is far too long to finish during the test (5,000 steps); the test acts once
 * the registry shows it training, or paused.
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServerFrame } from '../../src-shared/contract'
import type { RunRecord } from '../../src-shared/domain/run'
import { CLI, cli, lastJson, serve, sets } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { isAlive, runRow, until } from '../helpers/registry-read'

let t: ReturnType<typeof tmpDir>
let home: string
let server: Awaited<ReturnType<typeof serve>>
let ws: WebSocket
const pids: number[] = []

beforeAll(async () => {
  t = tmpDir('gwb-xdelete-')
  home = path.join(t.dir, 'home')
  server = await serve(home)
  ws = new WebSocket(`ws://127.0.0.1:${new URL(server.url).port}/ws`, { headers: { Authorization: `Bearer ${server.token}` } })
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
})
afterAll(async () => {
  ws?.close()
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  await server?.stop()
  t.cleanup()
})

let nextId = 0
function call(
  name: string,
  payload: unknown,
): Promise<{ ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }> {
  const id = ++nextId
  return new Promise((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const frame = JSON.parse(raw.toString()) as ServerFrame
      if (frame.type !== 'response' || frame.id !== id) return
      ws.off('message', onMessage)
      resolve(frame.result as never)
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ type: 'request', id, name, payload }))
  })
}

describe('deleting a run another process trains', () => {
  it('is refused while it trains and while paused; forced, the trainer ends without writing; the id is never reused', async () => {
    const train = spawn(
      process.execPath,
      [
        CLI,
        '--home',
        home,
        'train',
        '--preset',
        'mlp-2d-ring8',
        ...sets('training.epochs=100', 'training.stepsPerEpoch=50', 'training.evalSamples=0'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    pids.push(train.pid!)
    let stderr = ''
    train.stderr!.on('data', (c) => (stderr += c))
    const exited = new Promise<number | null>((r) => train.once('exit', (code) => r(code)))
    const row = await until('run 1 training in the `train` process', () => {
      const r = runRow(home, 1)
      return r?.status === 'running' && r.pid && r.step > 0 ? r : undefined
    })
    const trainer = row.pid!
    pids.push(trainer)

    // Training: the server and another terminal both refuse.
    const viaServer = await call('runs.delete', { id: 1 })
    expect(viaServer).toEqual({
      ok: false,
      error: { code: 'conflict', message: `run 1 is training (pid ${trainer}); stop it first (\`gan-workbench stop 1\`)` },
    })
    const viaCli = cli(home, ['runs', 'rm', '1', '--yes'])
    expect(viaCli.code).toBe(1)
    expect(viaCli.stderr).toContain(`run 1 is training (pid ${trainer})`)
    expect(runRow(home, 1)!.status).toBe('running')
    expect(fs.existsSync(path.join(home, 'runs', '1'))).toBe(true)

    // Paused: refused without force, in both doors.
    expect(cli(home, ['pause', '1']).code).toBe(0)
    expect(runRow(home, 1)!.status).toBe('paused')
    const paused = await call('runs.delete', { id: 1 })
    expect(paused).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/^run 1 is paused: its trainer \(pid \d+\) holds it in memory/) },
    })
    const pausedCli = cli(home, ['runs', 'rm', '1', '--yes'])
    expect(pausedCli.code).toBe(1)
    expect(pausedCli.stderr).toMatch(/delete it anyway with --force/)

    // Forced (the UI's confirmation dialog sends force): deleted; the trainer notices and ends.
    expect(await call('runs.delete', { id: 1, force: true })).toEqual({ ok: true, value: { deleted: 1 } })
    await until('the paused trainer to end by itself', () => !isAlive(trainer), 30_000)
    expect(await exited).toBe(1)
    expect(stderr).toContain('run 1 was deleted while it was paused; its trainer ended without saving')
    expect(runRow(home, 1)).toBeUndefined()
    expect(fs.existsSync(path.join(home, 'runs', '1'))).toBe(false) // nothing written back after the delete

    // The next run is run 2: id 1 is never issued again.
    const next = cli(home, ['--json', 'train', '--preset', 'mlp-2d-ring8', ...sets('training.epochs=1', 'training.stepsPerEpoch=5')])
    expect(next.code, next.stderr).toBe(0)
    expect(lastJson<RunRecord>(next)).toMatchObject({ id: 2, status: 'completed' })
  })
})
