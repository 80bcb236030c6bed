/**
 * SIGKILL of the server while a run trains: the trainer notices its host is gone, checkpoints and
 * stops; a restarted server shows the run as resumable (never stuck at `running`), and it resumes
 * to the end.
 */
import path from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import type { ServerFrame } from '../../src-shared/contract'
import { serve } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
let home: string
beforeAll(() => {
  t = tmpDir('gwb-server-kill-')
  home = path.join(t.dir, 'home')
})
afterAll(() => t.cleanup())

async function connect(server: { origin: string; token: string }) {
  const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/ws?token=${server.token}`, { headers: { Origin: server.origin } })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  let id = 0
  const call = <T>(name: string, payload: unknown) =>
    new Promise<T>((resolve, reject) => {
      const mine = ++id
      const onMessage = (raw: WebSocket.RawData) => {
        const frame = JSON.parse(raw.toString()) as ServerFrame
        if (frame.type !== 'response' || frame.id !== mine) return
        ws.off('message', onMessage)
        if (frame.result.ok) resolve(frame.result.value as T)
        else reject(new Error(frame.result.error.message))
      }
      ws.on('message', onMessage)
      ws.send(JSON.stringify({ type: 'request', id: mine, name, payload }))
    })
  return { ws, call }
}

const until = async (fn: () => Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('SIGKILL of the server while a run trains', () => {
  it('leaves the run resumable, and it resumes to completion', async () => {
    const first = await serve(home)
    const a = await connect(first)
    const run = await a.call<RunRecord>('runs.start', {
      preset: 'mlp-2d-ring8',
      overrides: ['training.epochs=8', 'training.stepsPerEpoch=50'],
      name: 'killed-host',
    })
    await until(async () => (await a.call<RunRecord>('runs.get', { id: run.id })).step >= 100)
    a.ws.terminate()
    process.kill(first.pid, 'SIGKILL')
    await first.stop()

    const second = await serve(home)
    try {
      const b = await connect(second)
      // The orphaned trainer stops by itself (checkpoint first); the run never stays "running".
      await until(async () => (await b.call<RunRecord>('runs.get', { id: run.id })).status !== 'running')
      const after = await b.call<RunRecord>('runs.get', { id: run.id })
      expect(['stopped', 'interrupted']).toContain(after.status)
      await b.call('runs.resume', { id: run.id })
      await until(async () => (await b.call<RunRecord>('runs.get', { id: run.id })).status === 'completed', 120_000)
      const metrics = await b.call<Record<string, { step: number }[]>>('runs.metrics', { id: run.id })
      const steps = metrics.dLoss!.map((p) => p.step)
      expect(new Set(steps).size).toBe(steps.length)
      expect(steps.at(-1)).toBe(400)
      b.ws.close()
    } finally {
      await second.stop()
    }
  })
})
