/**
 * Two runs training at once in their own processes while a third process keeps reading the
 * registry (as the UI does): every process succeeds, no SQLITE_BUSY reaches anyone, and every
 * step's metrics are stored exactly once (docs/architecture.md, Durability).
 */
import path from 'node:path'
import { spawn } from 'node:child_process'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import { CLI, cli, lastJson, sets } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
let home: string
beforeAll(() => {
  t = tmpDir('gwb-concurrency-')
  home = path.join(t.dir, 'home')
})
afterAll(() => t.cleanup())

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--home', home, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('concurrent writers and a reader', () => {
  it('trains two runs at once while the registry is read continuously', async () => {
    // Create the registry first so the three processes race on data, not on the first migration.
    expect(cli(home, ['runs', 'list']).code).toBe(0)
    // 1,200 steps each: long enough, even on the native MLP step, for several reads to land while
    // both write (a read is a whole CLI start, about half a second).
    const train = (name: string) =>
      run([
        '--json',
        'train',
        '--preset',
        'mlp-2d-ring8',
        '--name',
        name,
        ...sets('training.epochs=3', 'training.stepsPerEpoch=400', 'training.logEvery=1', 'training.batchSize=64'),
      ])
    let reading = true
    const reads: { code: number | null; stderr: string }[] = []
    const reader = (async () => {
      while (reading) reads.push(await run(['--json', 'runs', 'list']))
    })()
    const [a, b] = await Promise.all([train('writer-a'), train('writer-b')])
    reading = false
    await reader
    for (const r of [a, b]) {
      expect(r.code, r.stderr).toBe(0)
      expect(lastJson<RunRecord>({ ...r, code: r.code }).status).toBe('completed')
    }
    expect(reads.length).toBeGreaterThan(3)
    expect(reads.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([])
    for (const r of [a, b, ...reads]) expect(r.stderr).not.toMatch(/SQLITE_BUSY|database is locked/)
    const list = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list']))
    expect(list.map((r) => r.step).sort()).toEqual([1200, 1200])
    // Every step's metrics stored once: for each run and each per-step key, the rows are exactly
    // steps 1…1,200, one row each, and no (key, step) of any key has two rows.
    const d = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
    try {
      for (const { id } of list) {
        for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake']) {
          const steps = (
            d.prepare('SELECT step FROM metrics WHERE run_id = ? AND key = ? ORDER BY step').all(id, key) as { step: number }[]
          ).map((r) => r.step)
          expect(steps, `run ${id} ${key}`).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1))
        }
        const twice = d
          .prepare('SELECT key, step, count(*) AS n FROM metrics WHERE run_id = ? GROUP BY key, step HAVING count(*) > 1')
          .all(id)
        expect(twice, `run ${id}: (key, step) stored more than once`).toEqual([])
      }
    } finally {
      d.close()
    }
  })
})
