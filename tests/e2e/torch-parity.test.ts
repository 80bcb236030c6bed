/**
 * The engine computes the papers' training: `gan-workbench trace` records the first 50 steps of a
 * preset (initial weights, every batch, latent and label, the losses and their terms, and the
 * training state along the way), and tests/helpers/torch_parity.py replays them in PyTorch with
 * the models rebuilt by hand and every tfjs convention explicit. Every step's losses must agree
 * within 1e-3 relative, for the MLP GAN, the lecture's AC-GAN and Radford's DCGAN (batch norm), and
 * each check must fail when one convention of the replay is broken on purpose.
 *
 * Each step is replayed from the engine's own state a few steps earlier ("windows": every 10 steps
 * for the MLP; every step for the first 10, then every 5, for the conv models). Free-running, float32
 * rounding compounds: it differs between any two libraries (summation order, Winograd), and Adam
 * turns a gradient that is rounding noise into a ±lr step, so PyTorch float32 itself drifts from
 * PyTorch float64 by more than 1e-3 on a loss within 50 steps on all three models (8 on the DCGAN); the
 * free-running numbers are measured, not asserted (docs/reproductions.md, parity).
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { cli, lastJson, ROOT, sets } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'

/** Debian's python3 (python3-torch); a pyenv python3 first on PATH has no torch. */
const PYTHON = process.env.GWB_PYTHON ?? '/usr/bin/python3'
const SCRIPT = path.join(ROOT, 'tests', 'helpers', 'torch_parity.py')
const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' })
const noTorch = probe.status === 0 ? undefined : `${PYTHON} cannot import torch and numpy (apt-get install python3-torch python3-numpy)`

const TOLERANCE = 1e-3
const STEPS = 50

interface Replay {
  maxRelative: number
  torchLosses: Record<string, number>[]
  weights: Record<'weights' | 'batchNormStatistics', { relativeNorm: number; normWhere: string } | undefined>
}
interface Parity {
  model: string
  steps: number
  states: number[]
  windows?: Replay
  free?: Replay
}

interface Case {
  preset: string
  /** What the case is called (and its trace directory), where one preset has two cases. */
  name?: string
  model: string
  /** Overrides: the image models at batch 16 keep the test short (parity does not depend on it). */
  sets: string[]
  /** Where the engine records its state (replay windows start there). */
  states: string[]
  /**
   * ‖ours − torch‖ / ‖torch‖ of the trained weights at each window's end: Adam moves a weight whose
   * gradient is rounding noise either way, so this is looser than the losses' tolerance (measured:
   * MLP 1e-7, 1.1e-4 with PyTorch's own Adam, whose float32 rounding differs; conv models ≤ 2.3e-3).
   */
  weightTolerance: number
  /** The replay's conventions broken one at a time: each must make the check fail. */
  breaks: string[]
}

const CASES: Case[] = [
  {
    preset: 'mlp-2d-ring8',
    model: 'mlp',
    sets: [],
    states: ['--state-every', '10'],
    weightTolerance: 5e-4,
    breaks: ['loss-sign', 'adam-epsilon', 'leaky-alpha'],
  },
  {
    // Metz et al.'s unrolled GAN: G's gradient through 3 look-ahead steps of D's Adam (autograd
    // with create_graph in PyTorch); broken, the look-ahead weights are taken as constants.
    preset: 'mlp-2d-ring8',
    name: 'mlp-2d-ring8, second-order unrolled',
    model: 'mlp',
    sets: ['training.unrollSteps=3', 'training.unrollGradient=second-order'],
    states: ['--state-every', '10'],
    weightTolerance: 5e-4,
    breaks: ['first-order-unroll', 'loss-sign'],
  },
  {
    // The minimax G: the whole saddle objective at the look-ahead weights, E log D(x) included.
    preset: 'mlp-2d-ring8',
    name: 'mlp-2d-ring8, second-order unrolled, minimax',
    model: 'mlp',
    sets: ['training.unrollSteps=3', 'training.unrollGradient=second-order', 'loss.generator=minimax'],
    states: ['--state-every', '10'],
    weightTolerance: 5e-4,
    breaks: ['first-order-unroll', 'loss-sign'],
  },
  {
    preset: 'acgan-mnist',
    model: 'acgan',
    sets: ['training.batchSize=16'],
    states: ['--state-every', '5', '--state-first', '10'],
    weightTolerance: 1e-2,
    breaks: ['same-padding', 'flatten-order', 'loss-sign'],
  },
  {
    preset: 'dcgan-radford-mnist',
    model: 'radford',
    sets: ['training.batchSize=16'],
    states: ['--state-every', '5', '--state-first', '10'],
    weightTolerance: 1e-2,
    breaks: ['bn-momentum', 'bn-epsilon'],
  },
]

const t = tmpDir('gwb-parity-')
afterAll(() => t.cleanup())

function replay<T = Parity>(trace: string, args: string[]): T {
  const r = spawnSync(PYTHON, [SCRIPT, trace, ...args], { encoding: 'utf8', timeout: 280_000, maxBuffer: 64 << 20 })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as T
}

/** Everything that differs by the tolerance or more: per step and loss, and the weights at the windows' ends. */
function problems(ours: Record<string, number>[], run: Replay, weightTolerance: number): string[] {
  const found: string[] = []
  run.torchLosses.forEach((theirs, step) => {
    for (const [key, value] of Object.entries(theirs)) {
      const rel = Math.abs(ours[step]![key]! - value) / Math.abs(value)
      if (!(rel < TOLERANCE)) found.push(`step ${step} ${key}: ours ${ours[step]![key]} torch ${value} (relative ${rel.toExponential(2)})`)
    }
  })
  const { weights, batchNormStatistics } = run.weights
  if (!weights || !(weights.relativeNorm < weightTolerance))
    found.push(`weights ${weights?.normWhere}: relative ${weights?.relativeNorm.toExponential(2)}`)
  // Moving statistics are no gradient's business: only their update rule (momentum) and the batches move them.
  if (batchNormStatistics && !(batchNormStatistics.relativeNorm < 1e-2))
    found.push(`${batchNormStatistics.normWhere}: relative ${batchNormStatistics.relativeNorm.toExponential(2)}`)
  return found
}

describe('parity with PyTorch: the same losses step by step from the same weights and batches', () => {
  for (const c of CASES) {
    it(`${c.name ?? c.preset}: ${STEPS} steps within ${TOLERANCE} relative, and not with a convention broken (${c.breaks.join(', ')})`, (ctx) => {
      if (noTorch) ctx.skip(noTorch)
      const dir = path.join(t.dir, (c.name ?? c.preset).replace(/[^\w-]+/g, '-'))
      const traced = cli(path.join(t.dir, 'home'), [
        '--json',
        'trace',
        '--preset',
        c.preset,
        ...sets(...c.sets),
        '--steps',
        String(STEPS),
        ...c.states,
        '--without-dropout',
        '--out',
        dir,
      ])
      expect(traced.code, traced.stderr).toBe(0)
      expect(lastJson<{ steps: number }>(traced).steps).toBe(STEPS)
      const index = JSON.parse(fs.readFileSync(path.join(dir, 'trace.json'), 'utf8')) as { metrics: Record<string, number>[] }
      const ours = index.metrics

      const parity = replay(dir, ['--mode', 'windows'])
      expect(parity.model).toBe(c.model)
      const run = parity.windows!
      // Every step compared, and every loss term the engine reports (a new term would need a rebuild).
      expect(run.torchLosses).toHaveLength(STEPS)
      const terms = Object.keys(ours[0]!)
        .filter((k) => k.includes('.') || k === 'dLoss' || k === 'gLoss')
        .sort()
      expect(Object.keys(run.torchLosses[0]!).sort()).toEqual(terms)
      expect(problems(ours, run, c.weightTolerance)).toEqual([])

      // The same check on replays with one convention wrong: its first window must fail it.
      const wrong = replay<{ broken: Record<string, Parity> }>(dir, [
        '--mode',
        'windows',
        '--max-windows',
        '1',
        '--break',
        c.breaks.join(','),
      ])
      for (const broken of c.breaks)
        expect(problems(ours, wrong.broken[broken]!.windows!, c.weightTolerance), `--break ${broken}`).not.toEqual([])
    }, 300_000) // ~25 s of CPU for the AC-GAN; minutes of wall time on a shared machine
  }
})

describe('trace command', () => {
  it('says what is wrong with bad input, fails, and writes nothing', () => {
    const home = path.join(t.dir, 'home')
    const out = path.join(t.dir, 'refused')
    const run = (args: string[]) => cli(home, ['trace', '--preset', 'mlp-2d-ring8', '--out', out, ...args])
    // Usage errors exit 2; an invalid config 1, as for `train`.
    for (const [args, code, message] of [
      [['--steps', '0'], 2, /--steps must be a whole number from 1 to 1000/],
      [['--steps', 'ten'], 2, /--steps must be a whole number/],
      [['--state-every', '0'], 2, /--state-every must be a whole number of steps, at least 1/],
      [['--set', 'training.batchSize=-1'], 1, /invalid config:\s+training.batchSize/],
    ] as const) {
      const r = run([...args])
      expect(r.code, r.stderr).toBe(code)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(/ at .*\.js:\d+/)
    }
    expect(fs.existsSync(out)).toBe(false)
    fs.mkdirSync(out)
    fs.writeFileSync(path.join(out, 'keep.txt'), 'not a trace')
    const r = run(['--steps', '1'])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/already holds other files \(keep.txt\)/)
    expect(fs.readdirSync(out)).toEqual(['keep.txt'])
  })
})
