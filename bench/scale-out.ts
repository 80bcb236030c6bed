/**
 * `npm run bench:scale`: queue throughput with 1 worker and with 2, measured in the same run.
 * Each round starts its own Redis (loopback), coordinator (`serve --queue`) and workers, queues
 * JOBS runs of the MLP ring-8 preset as one sweep, and times submission → all completed. Prints
 * jobs/min per round, the 2-vs-1 ratio, and last one JSON line to track over time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { freePort, waitForPort } from '../tests/helpers/net'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'

const ROOT = path.resolve(__dirname, '..')
const CLI = path.join(ROOT, 'out', 'main', 'cli.js')
const JOBS = Number(process.env.BENCH_JOBS ?? 8)
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 5) // 100 steps each, batch 256

async function waitFor(what: string, timeoutMs: number, probe: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

function start(args: string[], log: string[]): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (c: Buffer) => log.push(c.toString()))
  child.stderr!.on('data', (c: Buffer) => log.push(c.toString()))
  return child
}

async function round(workers: number): Promise<{ workers: number; jobs: number; seconds: number; jobsPerMin: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gwb-bench-scale-'))
  const children: ChildProcess[] = []
  try {
    const redisPort = await freePort()
    children.push(
      spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
    )
    const queue = `redis://127.0.0.1:${redisPort}`
    await waitForPort(redisPort)
    const home = path.join(dir, 'coordinator')
    const serveLog: string[] = []
    children.push(start(['--home', home, 'serve', '--port', String(await freePort()), '--queue', queue], serveLog))
    await waitFor('coordinator', 30_000, () => serveLog.join('').includes('coordinating the job queue'))
    const logs = Array.from({ length: workers }, () => [] as string[])
    // Each worker is enrolled with the coordinator's worker key (it takes only jobs signed with it).
    const key = path.join(dir, 'worker.key')
    const enrol = spawnSync(process.execPath, [CLI, '--home', home, 'worker-key', '--out', key], { encoding: 'utf8' })
    if (enrol.status !== 0) throw new Error(`worker-key failed: ${enrol.stderr}`)
    for (let i = 0; i < workers; i++)
      children.push(start(['--home', path.join(dir, `worker-${i}`), 'worker', '--queue', queue, '--key-file', key], logs[i]!))
    await waitFor('workers', 60_000, () => logs.every((l) => l.join('').includes('takes jobs')))
    const values = Array.from({ length: JOBS }, (_, i) => String(42 + i)).join(',')
    const t0 = Date.now()
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        '--home',
        home,
        'sweep',
        '-p',
        'mlp-2d-ring8',
        '-s',
        `training.epochs=${EPOCHS}`,
        '-g',
        `training.seed=${values}`,
        '--target',
        'queue',
      ],
      { encoding: 'utf8' },
    )
    if (r.status !== 0) throw new Error(`sweep failed: ${r.stderr}`)
    const db = new Database(path.join(home, 'registry.sqlite'), { readonly: true, timeout: 5000 })
    try {
      await waitFor('all runs completed', 30 * 60_000, () => {
        const rows = db.prepare('SELECT status FROM runs').all() as { status: string }[]
        const bad = rows.find((x) => ['failed', 'interrupted', 'diverged'].includes(x.status))
        if (bad) throw new Error(`a run ended ${bad.status}`)
        return rows.length === JOBS && rows.every((x) => x.status === 'completed')
      })
    } finally {
      db.close()
    }
    const seconds = (Date.now() - t0) / 1000
    return { workers, jobs: JOBS, seconds, jobsPerMin: (JOBS * 60) / seconds }
  } finally {
    for (const c of children) c.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
    console.log('bench:scale needs redis-server (Debian: apt-get install redis-server)')
    process.exit(1)
  }
  console.log(`queue throughput: ${JOBS} runs of mlp-2d-ring8 (${EPOCHS * 100} steps, batch 256) on ${os.cpus().length} cores`)
  const results = []
  for (const workers of [1, 2]) {
    const r = await round(workers)
    console.log(`${workers} worker${workers > 1 ? 's' : ' '}: ${r.seconds.toFixed(1)} s, ${r.jobsPerMin.toFixed(2)} jobs/min`)
    results.push(r)
  }
  const ratio = results[1]!.jobsPerMin / results[0]!.jobsPerMin
  console.log(`2 workers / 1 worker: ${ratio.toFixed(2)}×`)
  console.log(JSON.stringify({ scaleOut: { cores: os.cpus().length, jobs: JOBS, steps: EPOCHS * 100, rounds: results, ratio2to1: ratio } }))
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
