/**
 * The MLP GAN's step phase by phase, ours beside the PyTorch peer's (`tsx bench/profile.ts --mlp`).
 * Our step is one native call (gwb_mlp.c), which the per-kernel timers of bench/profile.ts cannot see
 * into: here the addon's own timers (mlpTimers) give its phases and its BLAS time, and timers in JS
 * around it give the inputs, the call's boundary and the JS around the calls. The peer's phases come
 * from bench/torch_profile.py --phases (torch_peer.vanilla's marks) and its kinds of work from
 * torch.autograd.profiler. Each process measures one side at one thread count, in the bench's
 * environment (GWB_WASM_THREADS for ours; peerEnv with the MLP's allocator for the peer), in
 * alternating rounds: ours 1, peer 1, ours 2, peer 2, then again.
 */
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import * as tf from '@tensorflow/tfjs'
import { requirePreset } from '../src-shared/config/presets'
import { applyOverrides } from '../src-shared/config/overrides'
import { validateExperiment } from '../src-shared/config/validate'
import { isConvolutional, selectBackend, wasmComputeThreads } from '../src-main/training/backend'
import { createDataSource } from '../src-main/datasets/create-data-source'
import { VanillaGan } from '../src-main/training/vanilla-gan'
import { nativeBlas } from '../src-main/training/native-blas'
import { wasmThreadCount } from '../src-main/training/wasm-threads'
import { disposeMetrics, readMetrics, type StepMetrics } from '../src-main/training/step-metrics'
import { findWorkload } from './workloads'
import { peerEnv } from './peer-env'
import { type Breakdown, type Column, decodeNativeTimers, type JsTimes, NATIVE_PHASES, ourBreakdown, phaseTable } from './mlp-phases'
import { childFailure, lastJsonLine } from './child-output'

const ROOT = path.resolve(__dirname, '..')
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx')
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
const WORKLOAD = findWorkload('mlp')

/**
 * Our side, in this process: after 100 warm-up iterations, `steps` iterations uninstrumented, `steps`
 * timed, `steps` uninstrumented again (the uninstrumented time is their mean, so drift during the
 * run hits both alike); prints one JSON line.
 */
export async function oursChild(steps: number): Promise<void> {
  const config = validateExperiment(
    applyOverrides(requirePreset(WORKLOAD.preset).config, [`training.batchSize=${WORKLOAD.batchSize}`, 'training.dSteps=1']),
  ).config
  const backend = await selectBackend('auto', { convolutional: isConvolutional(config), training: true })
  const data = createDataSource(config.dataset, 1)
  const gan = new VanillaGan(config, data)
  const blas = nativeBlas(wasmThreadCount()).blas
  if (typeof gan.nativeStep === 'string' || !blas) throw new Error(`the native MLP step is not taken here: ${String(gan.nativeStep)}`)
  if (!blas.mlpTimers || !blas.mlpTimersRead) throw new Error('the native addon predates the MLP timers: node scripts/build-native.mjs')
  const { logEvery } = config.training
  // As bench/ours.ts runs it: metrics read on every logEvery-th iteration.
  let metricsSeconds = 0
  const iterate = async (i: number) => {
    const read = (i + 1) % logEvery === 0
    const m = gan.trainStep(i, 0, read)
    if (!read) return disposeMetrics(m)
    const t0 = performance.now()
    await readMetrics(m as StepMetrics)
    metricsSeconds += (performance.now() - t0) / 1000
  }
  let i = 0
  for (; i < 100; i++) await iterate(i)
  const plain = async () => {
    const start = performance.now()
    for (let n = 0; n < steps; n++, i++) await iterate(i)
    return (performance.now() - start) / steps
  }
  const before = await plain()

  // Timed: the addon's timers on, and JS timers around the inputs and the call.
  const js: JsTimes = { iterations: steps, total: 0, inputs: { d: 0, g: 0 }, call: { d: 0, g: 0 }, metrics: 0 }
  let side: 'd' | 'g' = 'd'
  const timed = <A extends unknown[], R>(f: (...a: A) => R, add: (s: number) => void) =>
    function (this: unknown, ...a: A): R {
      const start = performance.now()
      const r = f.apply(this, a)
      add((performance.now() - start) / 1000)
      return r
    }
  const step = blas.mlpGanStep
  const batch = data.batch
  const latent = gan.latent
  blas.mlpGanStep = function (spec, ...rest) {
    const start = performance.now()
    step.call(blas, spec, ...rest)
    js.call[spec[0] === 0 ? 'd' : 'g'] += (performance.now() - start) / 1000
    side = spec[0] === 0 ? 'g' : 'd' // inputs drawn after the D step are the G step's
  }
  data.batch = timed(batch, (s) => (js.inputs.d += s))
  gan.latent = timed(latent, (s) => (js.inputs[side] += s))
  blas.mlpTimers(true)
  metricsSeconds = 0
  const t0 = performance.now()
  for (let n = 0; n < steps; n++, i++) await iterate(i)
  js.total = (performance.now() - t0) / 1000
  js.metrics = metricsSeconds
  const out = new Float64Array(4 * NATIVE_PHASES.length + 2)
  const native = decodeNativeTimers(out, blas.mlpTimersRead(out))
  blas.mlpTimers(false)
  blas.mlpGanStep = step
  data.batch = batch
  gan.latent = latent
  if (native.calls.d !== steps || native.calls.g !== steps)
    throw new Error(`timed ${native.calls.d} D and ${native.calls.g} G native steps in ${steps} iterations: a step left the native path`)
  const stepMs = (before + (await plain())) / 2
  const breakdown = ourBreakdown(native, js, stepMs)
  console.log(
    JSON.stringify({
      side: 'ours',
      backend: backend.name,
      threads: wasmComputeThreads(),
      instrumentedStepMs: (1000 * js.total) / steps,
      ...breakdown,
    }),
  )
  gan.dispose()
  tf.disposeVariables()
}

function lastJson(what: string, r: ReturnType<typeof spawnSync>): Record<string, unknown> {
  const result = r.status === 0 ? lastJsonLine(String(r.stdout)) : undefined
  if (!result) throw new Error(childFailure(what, String(r.stderr), r.status))
  return result
}

function runOurs(threads: number, steps: number): Breakdown & Record<string, unknown> {
  const r = spawnSync(TSX, [path.join(__dirname, 'profile.ts'), '--mlp-child', String(steps)], {
    cwd: ROOT,
    env: { ...process.env, GWB_WASM_THREADS: String(threads) },
    encoding: 'utf8',
    timeout: 600_000,
  })
  return lastJson(`ours on ${threads} thread(s)`, r) as Breakdown & Record<string, unknown>
}

function runPeer(threads: number, steps: number): Breakdown & Record<string, unknown> {
  const script = path.join(__dirname, 'torch_profile.py')
  const r = spawnSync(PYTHON, [script, WORKLOAD.name, String(threads), String(steps), '--phases', '--json'], {
    cwd: ROOT,
    env: peerEnv(threads, WORKLOAD.peerJemalloc === true),
    encoding: 'utf8',
    timeout: 600_000,
  })
  const p = lastJson(`the peer on ${threads} thread(s)`, r) as Record<string, unknown> & {
    phasesMs: Record<string, number>
    kindsMs: Record<string, number>
  }
  return { ...p, stepMs: p.stepMs as number, phasesMs: p.phasesMs, kindsMs: p.kindsMs }
}

/** The orchestrator: alternating rounds, then the table (or one JSON line). */
export function mlpProfile(options: { steps: number; rounds: number; threads: number[]; json: boolean }): void {
  const { steps, rounds, threads, json } = options
  const columns = new Map<string, Column>()
  const raw: Array<Record<string, unknown>> = []
  const add = (label: string, b: Breakdown & Record<string, unknown>, round: number, load: number) => {
    if (!columns.has(label)) columns.set(label, { label, rounds: [] })
    columns.get(label)!.rounds.push(b)
    raw.push({ column: label, round, load1: load, ...b })
  }
  for (let r = 1; r <= rounds; r++) {
    for (const t of threads) {
      const load = os.loadavg()[0]!
      if (!json) process.stderr.write(`round ${r}/${rounds}, ${t} thread(s) (load ${load.toFixed(2)}): ours… `)
      add(`ours ${t}T`, runOurs(t, steps), r, load)
      if (!json) process.stderr.write('peer…\n')
      add(`peer ${t}T`, runPeer(t, steps), r, os.loadavg()[0]!)
    }
  }
  const ordered = threads.flatMap((t) => [columns.get(`ours ${t}T`)!, columns.get(`peer ${t}T`)!])
  if (json) {
    console.log(JSON.stringify({ workload: WORKLOAD.name, batch: WORKLOAD.batchSize, steps, rounds, measurements: raw }))
    return
  }
  const first = raw.find((x) => String(x.column).startsWith('peer')) ?? {}
  console.log(
    `${WORKLOAD.preset}, batch ${WORKLOAD.batchSize}, ${steps} iterations per measurement, ${rounds} alternating rounds; ` +
      `peer: torch ${String(first.torch)}, ${String(first.blas)}, ${String(first.allocator)} allocator; ` +
      `load average during the rounds ${raw.map((x) => (x.load1 as number).toFixed(1)).join(' ')}`,
  )
  console.log(phaseTable(ordered))
  console.log(
    "ours: the addon's timers (mlpTimers) and JS timers; its kinds from the same. peer: torch_peer.vanilla's marks (wall clock); " +
      'its kinds: torch.autograd.profiler self CPU time (the profiler inflates it).',
  )
}
