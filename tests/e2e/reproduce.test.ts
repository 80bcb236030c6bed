/**
 * `gan-workbench reproduce` end to end, with the catalog's quick budgets: the table of a 2D
 * reproduction over two seeds, failed seeds shown as failed, Ctrl-C stopping cleanly, an image
 * reproduction, docs/reproductions.md written from the stored results, and another program's
 * samples scored by `eval --samples-file` exactly as a run's.
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli, CLI, lastJson } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import type { ReproductionRecord } from '../../src-shared/domain/reproduction'
import type { ReproductionSummary } from '../../src-shared/reproductions/summary'
import type { RunRecord } from '../../src-shared/domain/run'
import { findReproduction, recipeSteps } from '../../src-shared/reproductions/catalog'

type Outcome = ReproductionRecord & { summary: ReproductionSummary }

let t: ReturnType<typeof tmpDir>
let home: string
beforeAll(() => {
  t = tmpDir('gwb-reproduce-')
  home = path.join(t.dir, 'home')
})
afterAll(() => t.cleanup())

/** A .npy (version 1) of float32 images or int64 labels. */
function npy(descr: '<f4' | '<i8', shape: number[], data: Float32Array | BigInt64Array): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n'
  const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0])
  head.writeUInt16LE(header.length, 8)
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)])
}

describe('gan-workbench reproduce', () => {
  it('--list shows the catalog', () => {
    const r = cli(home, ['reproduce', '--list'])
    expect(r.code, r.stderr).toBe(0)
    // The steps column is the catalog's own budget for the entry (its preset with its overrides).
    const steps = recipeSteps(findReproduction('pacgan-ring8')!).toLocaleString('en-US')
    expect(steps).toBe('10,000')
    expect(r.stdout).toMatch(new RegExp(`pacgan-ring8 +Lin 2018 +mlp-2d-pacgan-ring8-codes +${steps} +mode-coverage`))
    expect(r.stdout).toMatch(/infogan-mnist +Chen 2016/)
  })

  it('a quick 2D reproduction over two seeds: progress on stderr, the table side by side, stored, runs tagged', () => {
    const r = cli(home, ['reproduce', 'pacgan-ring8', '--quick', '--seeds', '2'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/\[pacgan-ring8 1\/2\] seed 1: training run \d+/)
    expect(r.stderr).toMatch(/\[pacgan-ring8 2\/2\] seed 2: scoring run \d+ \(mode-coverage, 2500 samples\)/)
    expect(r.stdout).toMatch(/GOAL ROW +PAPER +SEED 1 +SEED 2 +MEAN ± SD \(MIN–MAX\) +GOAL +RESULT/)
    expect(r.stdout).toMatch(
      /modes captured \(of 8\) +GAN 6\.3 · PacGAN3 7\.8 · PacGAN4 7\.8 · no code: .*? 8\.0 +\d+ +\d+ +[\d.]+ ± [\d.]+ \(\d+–\d+\) +8 of 8 on every seed +(PASS|FAIL)/,
    )
    expect(r.stdout).toMatch(/high-quality samples +GAN 98\.2 % · PacGAN3 97\.7 % · PacGAN4 95\.9 %/)
    expect(r.stdout).toMatch(/seed 1: run \d+ completed\n +seed 2: run \d+ completed/)

    const again = cli(home, ['--json', 'reproduce', 'pacgan-ring8', '--quick', '--seeds', '1'])
    expect(again.code, again.stderr).toBe(0)
    const [outcome] = lastJson<{ reproductions: Outcome[] }>(again).reproductions
    expect(outcome!.results.map((s) => s.status)).toEqual(['completed'])
    expect(outcome!.summary.rows.map((row) => row.row.metric)).toEqual(['pacganModes', 'pacganHighQuality', 'recall'])
    // Seed 1 trains the same run again: the same figures (same seed, the protocol's fixed z).
    const seed1 = /modes captured \(of 8\) +\S.*?PacGAN4 7\.8 · no code: .*? 8\.0 +(\d+)/.exec(r.stdout)![1]
    expect(outcome!.results[0]!.values.pacganModes).toBe(Number(seed1))
    const tagged = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list', '--tag', 'reproduction:pacgan-ring8']))
    expect(tagged).toHaveLength(3)
    expect(tagged.every((run) => run.experiment === 'reproduction:pacgan-ring8' && run.status === 'completed')).toBe(true)
    expect(tagged.map((run) => run.seed).sort()).toEqual([1, 1, 2])
  })

  it('a seed whose run does not finish shows how it ended and fails the goal rows (here every run hits a full disk: interrupted)', () => {
    const r = cli(home, ['--json', 'reproduce', 'toy-ring8', '--quick', '--seeds', '2'], {
      GAN_WORKBENCH_FAULTS: 'artifact-write:enospc@1',
    })
    expect(r.code, r.stderr).toBe(0)
    const [outcome] = lastJson<{ reproductions: Outcome[] }>(r).reproductions
    expect(outcome!.results.map((s) => s.status)).toEqual(['interrupted', 'interrupted'])
    expect(outcome!.results[0]!.error).toMatch(/the disk is full/)
    expect(outcome!.summary.rows.map((row) => [row.verdict, row.why])).toEqual([
      ['fail', 'seeds 1 (interrupted), 2 (interrupted) did not finish'],
      ['fail', 'seeds 1 (interrupted), 2 (interrupted) did not finish'],
      ['info', undefined],
    ])
    expect(outcome!.summary.failedSeeds).toEqual([1, 2])
    const text = cli(home, ['reproduce', 'toy-ring8', '--quick', '--seeds', '1'], { GAN_WORKBENCH_FAULTS: 'artifact-write:enospc@1' })
    expect(text.stdout).toMatch(
      /modes captured \(of 8\) +no code: .*? 7\.6 +interrupted +— +8 of 8 on every seed +FAIL \(seed 1 \(interrupted\) did not finish\)/,
    )
  })

  it.skipIf(!fs.existsSync('/dev/full'))(
    'its log on a full disk (stdout and stderr to /dev/full): the reproduction still completes',
    async () => {
      const logHome = path.join(t.dir, 'full-log')
      const full = fs.openSync('/dev/full', 'w')
      try {
        const child = spawn(process.execPath, [CLI, '--home', logHome, 'reproduce', 'toy-ring8', '--quick', '--seeds', '1'], {
          stdio: ['ignore', full, full],
        })
        expect(await new Promise((resolve) => child.on('exit', (code) => resolve(code)))).toBe(0)
      } finally {
        fs.closeSync(full)
      }
      const runs = lastJson<RunRecord[]>(cli(logHome, ['--json', 'runs', 'list', '--tag', 'reproduction:toy-ring8']))
      expect(runs.map((r) => r.status)).toEqual(['completed'])
    },
  )

  it('Ctrl-C stops cleanly: the run training checkpoints, no more start, exit 130, the record says stopped', async () => {
    const total = recipeSteps(findReproduction('toy-spiral')!)
    const child = spawn(process.execPath, [CLI, '--home', home, '--json', 'reproduce', 'toy-spiral', '--seeds', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    let stdout = ''
    child.stdout.on('data', (c) => (stdout += c))
    const code = await new Promise<number | null>((resolve) => {
      let sent = false
      child.stderr.on('data', (c) => {
        stderr += c
        if (!sent && new RegExp(`run \\d+ step \\d+/${total} `).test(stderr)) {
          sent = true
          child.kill('SIGINT')
        }
      })
      child.on('exit', (c) => resolve(c))
    })
    expect(code, stderr).toBe(130)
    expect(stderr).toMatch(/stopping: the current run checkpoints/)
    // --json: the reproductions document, then (last) the error for scripts.
    const doc = stdout
      .trim()
      .split('\n')
      .find((l) => l.startsWith('{"reproductions"'))!
    const record = (JSON.parse(doc) as { reproductions: Outcome[] }).reproductions[0]!
    expect(lastJson<{ error: { message: string } }>({ code, stdout, stderr }).error.message).toMatch(/stopped \(Ctrl-C\)/)
    expect(record.status).toBe('stopped')
    expect(record.results.map((s) => s.status)).toEqual(['stopped', 'not-run', 'not-run'])
    const run = lastJson<RunRecord>(cli(home, ['--json', 'runs', 'show', String(record.results[0]!.runId)]))
    expect(run.status).toBe('stopped')
    expect(run.step).toBeLessThan(total)
  })

  it("the image protocols (quick): AC-GAN's label accuracy over the classifier's own, InfoGAN's matched code error, DCGAN's Fréchet distance against its peer's", () => {
    const r = cli(home, ['--json', 'reproduce', 'acgan-mnist', 'infogan-mnist', 'dcgan-mnist', '--quick', '--seeds', '1'])
    expect(r.code, r.stderr).toBe(0)
    const [acgan, infogan, dcgan] = lastJson<{ reproductions: Outcome[] }>(r).reproductions
    const a = acgan!.results[0]!.values
    expect(a.classifierAccuracy).toBeGreaterThan(0.95)
    expect(a.relativeAccuracy).toBeCloseTo(a.labelAccuracy! / a.classifierAccuracy!, 12)
    expect(acgan!.summary.rows[0]!.verdict).toBe('fail') // three steps of training are far from 95 %
    const i = infogan!.results[0]!.values
    // 10 codes matched one-to-one to 10 digits: at worst all but a tenth disagree.
    expect(i.codeError).toBeGreaterThanOrEqual(0)
    expect(i.codeError).toBeLessThanOrEqual(0.9)
    expect(i.codeAccuracy).toBeCloseTo(1 - i.codeError!, 12)
    const d = dcgan!.results[0]!.values
    expect(d.frechetDistance).toBeGreaterThan(1)
    expect(Number.isInteger(d.classesPresent) && d.classesPresent! >= 0 && d.classesPresent! <= 10).toBe(true)
    // A few steps' Fréchet distance is far above the PyTorch rebuild's, whose figure per seed is shown beside it.
    expect(dcgan!.summary.rows.map((row) => [row.row.metric, row.verdict])).toEqual([
      ['frechetDistance', 'fail'],
      ['peer.frechetDistance', 'info'],
      ['classesPresent', 'fail'],
      ['inceptionScore', 'info'],
    ])
    expect(dcgan!.summary.rows[1]!.perSeed).toEqual([findReproduction('dcgan-mnist')!.peer!.perSeed![0]])
  })

  it("eval --samples-file scores a run's own samples, written as .npy, exactly as `eval` scores the run", () => {
    const run = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list', '--tag', 'reproduction:acgan-mnist']))[0]!
    const n = 200
    const out = path.join(t.dir, 'acgan.json')
    expect(cli(home, ['sample', String(run.id), '--n', String(n), '--seed', '1234', '--out', out]).code).toBe(0)
    const images = (JSON.parse(fs.readFileSync(out, 'utf8')) as { images: number[][] }).images
    const file = path.join(t.dir, 'acgan.npy')
    fs.writeFileSync(file, npy('<f4', [n, 28, 28], Float32Array.from(images.flat())))
    const labels = path.join(t.dir, 'labels.npy')
    fs.writeFileSync(
      labels,
      npy(
        '<i8',
        [n],
        BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 10)),
      ),
    )
    const external = cli(home, ['--json', 'eval', '--samples-file', file, '--dataset', 'mnist', '--labels', labels])
    expect(external.code, external.stderr).toBe(0)
    // Scored on the host's backend: no tfjs banner telling the user to install tfjs-node.
    expect(external.stdout + external.stderr).not.toMatch(/looks like you are running TensorFlow\.js/)
    const ours = lastJson<{ metrics: Record<string, number> }>(cli(home, ['--json', 'eval', String(run.id), '--samples', String(n)]))
    const theirs = lastJson<{ samples: number; metrics: Record<string, number> }>(external)
    expect(theirs.samples).toBe(n)
    // The JSON rounds pixels to 1e-4: the same figures to well under a percent.
    expect(Math.abs(theirs.metrics.frechetDistance! - ours.metrics.frechetDistance!) / ours.metrics.frechetDistance!).toBeLessThan(0.005)
    expect(theirs.metrics.labelAccuracy).toBeCloseTo(ours.metrics.labelAccuracy!, 2)
    expect(cli(home, ['eval', '--samples-file', file]).stderr).toMatch(/--samples-file needs --dataset \(mnist or fashion-mnist\)/)
    expect(cli(home, ['eval', String(run.id), '--samples-file', file, '--dataset', 'mnist']).stderr).toMatch(
      /a run id or --samples-file, not both/,
    )
  })

  it('--write-docs writes the stored results as Markdown: date, commit, machine and command per table', () => {
    const file = path.join(t.dir, 'docs', 'reproductions.md')
    const r = cli(home, ['reproduce', '--write-docs', file, '--quick'])
    expect(r.code, r.stderr).toBe(0)
    const doc = fs.readFileSync(file, 'utf8')
    expect(doc).toMatch(/^# Reproductions\n\nGenerated by `gan-workbench reproduce --write-docs --quick` on \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    expect(doc).toMatch(/\| \[pacgan-ring8\]\(#pacgan-ring8\) \| Lin 2018 \| 1 \| (PASSED|NOT REACHED) \| \d{4}-\d\d-\d\d \|/)
    expect(doc).toMatch(/\| dcgan-fashion-mnist \| Radford 2016 \| — \| not run \|/)
    expect(doc).toMatch(/\| \[dcgan-mnist\]\(#dcgan-mnist\) \| Radford 2016 \| 1 \| NOT REACHED \|/) // its Fréchet and classes rows fail
    expect(doc).toMatch(/- run: \S+, commit \S+, \d+ cores \(/)
    expect(doc).toContain('- command: `gan-workbench reproduce pacgan-ring8 --seeds 1 --quick`')
    expect(doc).toMatch(/\| goal row \| paper \| seed 1 \| mean ± sd \(min–max\) \| goal \| result \|/)
  })

  it('bad input: an unknown name, a bad seed count or target, nothing named', () => {
    expect(cli(home, ['reproduce', 'pacgan-ring9']).stderr).toMatch(
      /no reproduction named "pacgan-ring9"; the catalog: pacgan-ring8, pacgan-grid25/,
    )
    expect(cli(home, ['reproduce', 'toy-ring8', '--seeds', '0']).stderr).toMatch(/--seeds must be a whole number from 1 to 20/)
    expect(cli(home, ['reproduce', 'toy-ring8', '--target', 'cloud']).stderr).toMatch(/--target is 'local' or 'queue'/)
    const reuseOnQueue = cli(home, ['reproduce', 'toy-ring8', '--reuse', '--target', 'queue'])
    expect([reuseOnQueue.code, reuseOnQueue.stderr]).toEqual([2, expect.stringMatching(/--reuse works with --target local only/)])
    const none = cli(home, ['reproduce'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/name a reproduction/)
  })

  it('--reuse scores the seeds earlier reproductions trained with the same config and trains only the rest, naming where each came from', () => {
    const before = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list', '--tag', 'reproduction:pacgan-ring8']))
    const r = cli(home, ['--json', 'reproduce', 'pacgan-ring8', '--quick', '--seeds', '3', '--reuse'])
    expect(r.code, r.stderr).toBe(0)
    const [outcome] = lastJson<{ reproductions: Outcome[] }>(r).reproductions
    expect(outcome!.command).toBe('gan-workbench reproduce pacgan-ring8 --seeds 3 --quick --reuse')
    // Seeds 1 and 2 of the quick config were trained by the first test's reproductions (seed 1 by
    // both: the latest run is taken); only seed 3 trains.
    const latest = (seed: number) => before.filter((run) => run.seed === seed && run.status === 'completed').sort((a, b) => b.id - a.id)[0]!
    expect(outcome!.results.map((s) => s.runId).slice(0, 2)).toEqual([latest(1).id, latest(2).id])
    expect(outcome!.results.map((s) => s.status)).toEqual(['completed', 'completed', 'completed'])
    expect(before.map((run) => run.id)).not.toContain(outcome!.results[2]!.runId)
    expect(outcome!.results[0]!.reusedFrom!.reproductionId).toBeLessThan(outcome!.id)
    expect(outcome!.results[2]!.reusedFrom).toBeUndefined()
    expect(r.stderr).toMatch(/seed 1: reusing run \d+ from reproduction #\d+/)
    expect(r.stderr).toMatch(/seed 3: training run \d+/)
    const after = lastJson<RunRecord[]>(cli(home, ['--json', 'runs', 'list', '--tag', 'reproduction:pacgan-ring8']))
    expect(after).toHaveLength(before.length + 1)
    // The table names where a reused seed's run came from; scored again, it gives the same figures.
    const text = cli(home, ['reproduce', 'pacgan-ring8', '--quick', '--seeds', '1', '--reuse'])
    expect(text.stdout).toMatch(/seed 1: run \d+ completed \(reused: trained by reproduction #\d+ at `[0-9a-f]{12}(\+dirty)?`\)/)
    const once = lastJson<{ reproductions: Outcome[] }>(
      cli(home, ['--json', 'reproduce', 'pacgan-ring8', '--quick', '--seeds', '1', '--reuse']),
    )
    expect(once.reproductions[0]!.results[0]!.values).toEqual(outcome!.results[0]!.values)
  })
})
