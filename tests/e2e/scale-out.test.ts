/**
 * Scaling out: Redis on loopback, a coordinator (`serve --queue`) and two `worker` processes, each
 * with its own data dir. A 4-member sweep goes on the queue; one worker is SIGKILLed mid-run. Its
 * job stalls, BullMQ hands it to the other worker, which resumes from the last checkpoint the
 * coordinator holds. The coordinator itself is then SIGKILLed and restarted: the workers keep
 * training and hand back what piled up. At the end all 4 runs are completed in the coordinator's
 * registry with every metric step exactly once, and a late upload from the lost attempt is refused.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, cli, serve } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { freePort, waitForPort } from '../helpers/net'
import { withUi } from '../helpers/ui'
import { screenshotPath } from '../helpers/browser'
import { itFull } from '../helpers/full'
import { available } from '../helpers/requirements'
import { rowPath } from '../helpers/registry-read'

const redisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim()
available(
  'redis',
  redisServer ? undefined : 'scale-out test: no redis-server here (Debian: apt-get install redis-server; .ci/run installs it)',
)

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | false, detail?: () => string): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = probe()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${detail ? `\n${detail()}` : ''}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/**
 * How long a worker may take to say it takes jobs. It probes every training backend first (WebGPU
 * on lavapipe among them); alone that takes seconds, but with the whole suite on 2 cores two
 * workers starting at once went past 60 s (CI of 2026-12-06, `17ebb95`). A bound on a hang, not a
 * speed target.
 */
const WORKER_READY_MS = 180_000

// The sweep's runs: 6 epochs of 300 steps, a checkpoint every epoch, a metric row every 5 steps. After
// the second checkpoint a run has 1,200 steps (seconds) left, far more than the 250 ms poll and the
// kill take, so the victim is still training when it dies. Workers train them on the generic step
// (GWB_NATIVE_MLP=0): the native MLP step runs 1,200 steps in about a second, and a run could then
// finish between the coordinator hearing of its second checkpoint and the poll (CI of 2026-12-06,
// `46e669f`: no run of worker 1 was ever seen mid-run).
const STEPS_PER_EPOCH = 300
const STEPS = 6 * STEPS_PER_EPOCH
let t: ReturnType<typeof tmpDir>
let redis: ChildProcess
let redisUrl: string
const children: ChildProcess[] = []

beforeAll(async () => {
  t = tmpDir('gwb-scale-')
  if (!redisServer) return
  const port = await freePort()
  redis = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  redisUrl = `redis://127.0.0.1:${port}`
  await waitForPort(port)
})

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  redis?.kill('SIGKILL')
  t.cleanup()
})

/** The coordinator's worker key, as a worker is enrolled: `worker-key --out` on the coordinator, the file given to the worker. */
function workerKey(coordinatorHome: string): string {
  const file = `${coordinatorHome}.worker.key`
  const r = cli(coordinatorHome, ['worker-key', '--out', file])
  expect(r.code, r.stderr).toBe(0)
  return file
}

function startWorker(
  home: string,
  coordinatorHome: string,
  extra: string[] = ['--stall-timeout', '3'],
): ChildProcess & { log: () => string } {
  const child = spawn(
    process.execPath,
    [CLI, '--home', home, 'worker', '--queue', redisUrl, '--key-file', workerKey(coordinatorHome), ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GWB_NATIVE_MLP: '0' } },
  )
  let log = ''
  child.stdout!.on('data', (c) => (log += c))
  child.stderr!.on('data', (c) => (log += c))
  children.push(child)
  return Object.assign(child, { log: () => log })
}

describe.skipIf(!redisServer)('coordinator + 2 queue workers on Redis', () => {
  it('finishes a 4-run sweep through a worker SIGKILLed mid-run and a coordinator restart: all completed, every metric step once', async () => {
    const home = path.join(t.dir, 'coordinator')
    const port = String(await freePort()) // fixed: the workers' jobs name it, and the restarted coordinator keeps it
    let server = await serve(home, ['--queue', redisUrl, '--port', port])
    try {
      const w1 = startWorker(path.join(t.dir, 'worker-1'), home)
      const w2 = startWorker(path.join(t.dir, 'worker-2'), home)
      await until(
        'both workers ready',
        WORKER_READY_MS,
        () => /takes jobs/.test(w1.log()) && /takes jobs/.test(w2.log()),
        () => `worker 1:\n${w1.log()}\nworker 2:\n${w2.log()}`,
      )

      const sweep = cli(home, [
        '--json',
        'sweep',
        '-p',
        'mlp-2d-ring8',
        '-s',
        'training.epochs=6',
        '-s',
        `training.stepsPerEpoch=${STEPS_PER_EPOCH}`,
        '-s',
        'training.checkpointEvery=1',
        '-g',
        'optimizers.discriminator.learningRate=1e-4,2e-4',
        '-g',
        'training.batchSize=64,128',
        '--target',
        'queue',
        '-n',
        'scale',
      ])
      expect(sweep.code, sweep.stderr).toBe(0)
      const ids = (JSON.parse(sweep.stdout) as { sweep: { runIds: number[] } }).sweep.runIds
      expect(ids).toHaveLength(4)

      const db = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
      try {
        const w1Id = `${(await import('node:os')).hostname()}/${w1.pid}`
        // Kill worker 1 once a run of its own is past its second checkpoint on the coordinator.
        const victim = await until('worker 1 mid-run', 120_000, () => {
          const row = db
            .prepare(
              `SELECT r.id, r.step FROM runs r WHERE r.worker = ? AND r.status = 'running'
            AND (SELECT COUNT(*) FROM artifacts a WHERE a.run_id = r.id AND a.kind = 'checkpoint') >= 2`,
            )
            .get(w1Id) as { id: number; step: number } | undefined
          return row
        })
        const trainerPids = spawnSync('pgrep', ['-P', String(w1.pid)], { encoding: 'utf8' })
          .stdout.trim()
          .split('\n')
          .filter(Boolean)
          .map(Number)
        w1.kill('SIGKILL')
        const atKill = db.prepare('SELECT status FROM runs WHERE id = ?').get(victim.id) as { status: string }
        expect(atKill.status, 'the victim finished before worker 1 was killed: the runs are too short for this machine').not.toBe(
          'completed',
        )
        const checkpointAtKill = (
          db.prepare("SELECT MAX(step) AS s FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'").get(victim.id) as { s: number }
        ).s

        // The coordinator dies too, and comes back a few seconds later on the same port.
        process.kill(server.pid, 'SIGKILL')
        await new Promise((r) => setTimeout(r, 3000))
        server = await serve(home, ['--queue', redisUrl, '--port', port])

        await until('all 4 runs completed', 240_000, () => {
          const rows = db.prepare(`SELECT status FROM runs WHERE id IN (${ids.join(',')})`).all() as { status: string }[]
          const bad = rows.find((r) => r.status === 'failed' || r.status === 'interrupted')
          if (bad)
            throw new Error(
              `a run ended ${bad.status}: ${JSON.stringify(db.prepare(`SELECT id, status, error FROM runs`).all())}\n${w2.log()}`,
            )
          return rows.every((r) => r.status === 'completed')
        })

        // The lost worker's trainer noticed its parent was gone and ended too: nothing trains unattended.
        for (const pid of trainerPids) expect(() => process.kill(pid, 0)).toThrow()
        const w2Id = `${(await import('node:os')).hostname()}/${w2.pid}`
        const killed = db.prepare('SELECT worker FROM runs WHERE id = ?').get(victim.id) as { worker: string }
        expect(killed.worker).toBe(w2Id)
        expect(
          (db.prepare('SELECT lease FROM remote_jobs WHERE run_id = ?').get(victim.id) as { lease: number }).lease,
        ).toBeGreaterThanOrEqual(2)
        // Worker 2 resumed from the coordinator's checkpoint, not from scratch.
        const w2db = new Database(path.join(t.dir, 'worker-2', 'registry.sqlite'), { readonly: true })
        const copy = w2db
          .prepare(`SELECT MIN(a.step) AS s FROM runs r JOIN artifacts a ON a.run_id = r.id AND a.kind = 'checkpoint' WHERE r.name LIKE ?`)
          .get(`%#${victim.id}`) as { s: number }
        w2db.close()
        expect(copy.s).toBeGreaterThan(0)
        expect(copy.s).toBeLessThanOrEqual(checkpointAtKill)

        for (const id of ids) {
          const steps = (
            db.prepare("SELECT step FROM metrics WHERE run_id = ? AND key = 'dLoss' ORDER BY step").all(id) as { step: number }[]
          ).map((r) => r.step)
          expect(steps, `run ${id}`).toEqual(Array.from({ length: STEPS / 5 }, (_, i) => (i + 1) * 5))
          const epochs = (
            db.prepare("SELECT step FROM metrics WHERE run_id = ? AND key = 'modesCaptured' ORDER BY step").all(id) as { step: number }[]
          ).map((r) => r.step)
          expect(epochs, `run ${id}`).toEqual([1, 2, 3, 4, 5, 6].map((e) => e * STEPS_PER_EPOCH))
          const samples = db
            .prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT step) AS d FROM artifacts WHERE run_id = ? AND kind = 'samples-2d'")
            .get(id) as { n: number; d: number }
          expect(samples).toEqual({ n: 6, d: 6 })
          for (const a of db.prepare('SELECT path FROM artifacts WHERE run_id = ?').all(id) as { path: string }[])
            expect(fs.existsSync(rowPath(home, id, a.path))).toBe(true)
        }
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok')

        // A late upload from the lost attempt (lease 1) is refused; a token for another run opens nothing.
        const secret = fs.readFileSync(path.join(home, 'coordinator.secret'))
        const job = db.prepare('SELECT job_id FROM remote_jobs WHERE run_id = ?').get(victim.id) as { job_id: string }
        const token = crypto.createHmac('sha256', secret).update(`${victim.id}:${job.job_id}`).digest('base64url')
        const body = JSON.stringify({
          lease: 1,
          metrics: [{ key: 'dLoss', step: 5, epoch: 1, value: 99, wallTime: 0 }],
          diagnoses: [],
          step: 5,
          epoch: 1,
          samplesPerSec: null,
        })
        const stale = await fetch(`${server.origin}/remote/runs/${victim.id}/sync?lease=1`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
          body,
        })
        expect(stale.status).toBe(409)
        const other = ids.find((id) => id !== victim.id)!
        const wrong = await fetch(`${server.origin}/remote/runs/${other}/sync?lease=1`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
          body,
        })
        expect(wrong.status).toBe(401)
        expect(
          (db.prepare("SELECT value FROM metrics WHERE run_id = ? AND key = 'dLoss' AND step = 5").get(victim.id) as { value: number })
            .value,
        ).not.toBe(99)
      } finally {
        db.close()
      }
    } finally {
      await server.stop()
      for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
    }
  }, 420_000)

  it('in the UI: the Workers view shows the worker and its job; a sweep launched onto the queue trains there and compares as one', async () => {
    const home = path.join(t.dir, 'ui-coordinator')
    const worker = startWorker(path.join(t.dir, 'ui-worker'), home)
    await until(
      'the worker ready',
      WORKER_READY_MS,
      () => /takes jobs/.test(worker.log()),
      () => worker.log(),
    )
    const workerId = `${(await import('node:os')).hostname()}/${worker.pid}`
    await withUi(
      home,
      '/workers',
      async (page) => {
        const row = page.locator(`[data-worker="${workerId}"]`)
        await row.waitFor({ timeout: 15_000 })
        await expect.poll(() => row.textContent()).toContain('idle')
        expect(await page.getByTestId('queue-url').textContent()).toBe(`${redisUrl}`)

        await page.goto(page.url().replace(/#.*$/, '#/new'))
        await page.locator('[data-preset="mlp-2d-ring8"]').click()
        await page.getByTestId('epochs').fill('2')
        await page.getByTestId('sweep-add').click()
        await page.getByTestId('sweep-path-0').fill('training.seed')
        await page.getByTestId('sweep-values-0').fill('1, 2')
        await expect.poll(() => page.getByTestId('sweep-count').textContent()).toContain('2 runs')
        await page.getByTestId('target').selectOption('queue')
        await page.getByTestId('sweep').screenshot({ path: screenshotPath('ui-sweep-launcher.png') })
        await page.getByTestId('start-run').click()
        await page.waitForURL(/#\/compare\?ids=\d+,\d+/, { timeout: 15_000 })
        const sweepIds = /ids=(\d+),(\d+)/.exec(page.url())!.slice(1)

        // The worker links the run it trains, or once idle the run it trained last: either holds
        // however quickly the short runs finish.
        await page.goto(page.url().replace(/#.*$/, '#/workers'))
        await row.locator('a', { hasText: 'run' }).first().waitFor({ timeout: 20_000 })
        await page.screenshot({ path: screenshotPath('ui-workers.png') })

        await page.goto(page.url().replace(/#.*$/, '#/runs'))
        const table = page.getByTestId('runs-table')
        await expect.poll(async () => await table.locator('text=completed').count(), { timeout: 90_000, interval: 1000 }).toBe(2)
        expect(await table.getByTestId('run-worker').first().textContent()).toContain(workerId)
        // Both done, the worker is idle and names the run it trained last.
        await page.goto(page.url().replace(/#.*$/, '#/workers'))
        await expect
          .poll(() => row.getByTestId('worker-idle').textContent(), { timeout: 15_000 })
          .toMatch(new RegExp(`last run (${sweepIds.join('|')})`))
        await row.screenshot({ path: screenshotPath('ui-workers-idle.png') })
        await page.goto(page.url().replace(/#.*$/, '#/runs'))
        await page.getByTestId('pick-sweep').selectOption({ index: 1 })
        await expect.poll(() => page.getByTestId('compare-runs').textContent()).toContain('2')
        await page.screenshot({ path: screenshotPath('ui-queue-runs.png') })
      },
      ['--queue', redisUrl],
    ).finally(() => {
      for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
    })
  }, 360_000)

  it('a queue run stopped before any worker took it leaves the queue (the engine removes its job)', async () => {
    const home = path.join(t.dir, 'cancel-coordinator')
    const server = await serve(home, ['--queue', redisUrl])
    const { Queue } = await import('bullmq')
    const queue = new Queue('gan-workbench-runs', {
      connection: { host: '127.0.0.1', port: Number(new URL(redisUrl).port), maxRetriesPerRequest: null },
    })
    try {
      // No worker may take the job first: pause the queue (waiting jobs stay, none is handed out).
      await queue.pause()
      const queued = cli(home, ['--json', 'train', '-p', 'mlp-2d-ring8', '--target', 'queue'])
      expect(queued.code, queued.stderr).toBe(0)
      const run = JSON.parse(queued.stdout.trim().split('\n').at(-1)!) as { id: number }
      const db = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
      const jobId = await until(
        'the run dispatched',
        15_000,
        () => (db.prepare('SELECT job_id FROM remote_jobs WHERE run_id = ?').get(run.id) as { job_id: string | null }).job_id ?? undefined,
      )
      db.close()
      await expect.poll(async () => (await queue.getJob(jobId))?.id, { timeout: 15_000 }).toBe(jobId)
      expect(cli(home, ['stop', String(run.id)]).code).toBe(0)
      await expect.poll(async () => (await queue.getJob(jobId)) ?? null, { timeout: 15_000 }).toBeNull()
      expect(
        JSON.parse(
          cli(home, ['--json', 'runs', 'show', String(run.id)])
            .stdout.trim()
            .split('\n')
            .at(-1)!,
        ),
      ).toMatchObject({ status: 'stopped' })
    } finally {
      await queue.resume()
      await queue.close()
      await server.stop()
    }
  }, 60_000)

  itFull(
    'Ctrl-C on a worker checkpoints its run and puts it back on the queue without using an attempt; the next worker finishes it',
    async () => {
      const home = path.join(t.dir, 'sigint-coordinator')
      const server = await serve(home, ['--queue', redisUrl])
      try {
        const first = startWorker(path.join(t.dir, 'sigint-worker-1'), home)
        await until(
          'worker ready',
          WORKER_READY_MS,
          () => /takes jobs/.test(first.log()),
          () => first.log(),
        )
        const queued = cli(home, [
          '--json',
          'train',
          '-p',
          'mlp-2d-ring8',
          '-s',
          'training.epochs=6',
          '-s',
          'training.checkpointEvery=1',
          '--target',
          'queue',
        ])
        expect(queued.code, queued.stderr).toBe(0)
        const id = (JSON.parse(queued.stdout.trim().split('\n').at(-1)!) as { id: number }).id
        const db = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
        try {
          await until(
            'the run past step 150',
            60_000,
            () => (db.prepare('SELECT step FROM runs WHERE id = ?').get(id) as { step: number }).step >= 150,
          )
          first.kill('SIGINT')
          await until('worker 1 gone', 60_000, () => first.exitCode !== null)
          const back = db.prepare('SELECT status, error FROM runs WHERE id = ?').get(id) as { status: string; error: string }
          expect(back.status).toBe('queued')
          expect(back.error).toMatch(/shut down; another worker resumes the run from its last checkpoint/)
          const stoppedAt = (
            db.prepare("SELECT MAX(step) AS s FROM artifacts WHERE run_id = ? AND kind = 'checkpoint'").get(id) as { s: number }
          ).s
          expect(stoppedAt).toBeGreaterThanOrEqual(150) // the stop checkpoint reached the coordinator

          const second = startWorker(path.join(t.dir, 'sigint-worker-2'), home)
          await until(
            'the run completed',
            120_000,
            () => (db.prepare('SELECT status FROM runs WHERE id = ?').get(id) as { status: string }).status === 'completed',
          )
          expect(second.log()).toMatch(/\(attempt 1\)/) // not a retry: shutting down is no failure of the run
          const steps = (
            db.prepare("SELECT step FROM metrics WHERE run_id = ? AND key = 'dLoss' ORDER BY step").all(id) as { step: number }[]
          ).map((r) => r.step)
          expect(steps).toEqual(Array.from({ length: 120 }, (_, i) => (i + 1) * 5))
        } finally {
          db.close()
        }
      } finally {
        await server.stop()
        for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
      }
    },
    240_000,
  )

  itFull(
    'a run that ends while the coordinator stays away is kept as a bundle; the coordinator says where, and the bundle imports',
    async () => {
      const home = path.join(t.dir, 'offline-coordinator')
      const port = String(await freePort())
      let server = await serve(home, ['--queue', redisUrl, '--port', port])
      const worker = startWorker(path.join(t.dir, 'offline-worker'), home, ['--offline-patience', '3'])
      const log = () => worker.log()
      try {
        await until('worker ready', WORKER_READY_MS, () => /takes jobs/.test(log()), log)
        const queued = cli(home, ['--json', 'train', '-p', 'mlp-2d-ring8', '-s', 'training.epochs=3', '--target', 'queue'])
        const id = (JSON.parse(queued.stdout.trim().split('\n').at(-1)!) as { id: number }).id
        await until('the run training', 60_000, () => /job .*run-\d+-g1: run \d+/.test(log()))
        process.kill(server.pid, 'SIGKILL')
        const bundle = await until('the run kept as a bundle', 120_000, () => /"bundle":"([^"]+)"/.exec(log())?.[1])
        expect(fs.existsSync(bundle)).toBe(true)
        server = await serve(home, ['--queue', redisUrl, '--port', port])
        const db = new Database(path.join(home, 'registry.sqlite'), { readonly: true })
        try {
          const run = await until('the coordinator told', 30_000, () => {
            const r = db.prepare('SELECT status, error FROM runs WHERE id = ?').get(id) as { status: string; error: string | null }
            return r.status === 'interrupted' ? r : undefined
          })
          expect(run.error).toContain(bundle)
        } finally {
          db.close()
        }
        const imported = cli(home, ['--json', 'import', bundle])
        expect(imported.code, imported.stderr).toBe(0)
        expect(JSON.parse(imported.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'completed', step: 300 })
      } finally {
        await server.stop()
        for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
      }
    },
    240_000,
  )
})
