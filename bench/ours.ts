/**
 * One workload on our training engine (the same step the app runs: VanillaGan, or CycleGan), in a
 * fresh process so peak RSS is this workload's own. Threads come from GWB_WASM_THREADS (the native
 * BLAS and its OpenMP teams, or the wasm pool without a BLAS); GWB_NATIVE_BLAS=0 measures the
 * WebAssembly kernels alone. Prints one JSON line, with G's and D's trainable parameter counts.
 * Usage: tsx bench/ours.ts NAME [--no-logging | --logging-overhead | --app-overhead]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import * as tf from '@tensorflow/tfjs'
import { requirePreset } from '../src-shared/config/presets'
import { applyOverrides } from '../src-shared/config/overrides'
import { validateExperiment } from '../src-shared/config/validate'
import { isConvolutional, selectBackend, wasmComputeThreads } from '../src-main/training/backend'
import { createDataSource } from '../src-main/datasets/create-data-source'
import { VanillaGan } from '../src-main/training/vanilla-gan'
import { disposeMetrics, readMetrics, type StepMetrics } from '../src-main/training/step-metrics'
import { CycleGan } from '../src-main/training/cycle-gan'
import { createGan } from '../src-main/training/create-gan'
import type { GanModel } from '../src-main/training/gan-model'
import { Registry } from '../src-main/registry/registry'
import { homePaths } from '../src-main/platform/paths'
import { totalSteps, trainRun } from '../src-main/training/train-run'
import { findWorkload, WORKLOADS } from './workloads'
import type { BackendName } from '../src-shared/config/experiment'
import { thisProcess } from '../src-main/util/process-identity'

/** A workload's config: its preset at the bench's batch size, one D step per G step, plus `more` overrides. */
function workloadConfig(w: (typeof WORKLOADS)[number], more: string[] = []) {
  return validateExperiment(
    applyOverrides(requirePreset(w.preset).config, [`training.batchSize=${w.batchSize}`, 'training.dSteps=1', ...more]),
  ).config
}

/**
 * The workbench's own work around the training steps, in a real run: trainRun (the trainer
 * process's loop: metric logging, registry writes, progress events, diagnostics, per-epoch
 * evaluation and samples, checkpoints) on a temporary data directory, with every progress event
 * serialised as the trainer's IPC channel does. Time inside VanillaGan.trainStep is the training
 * itself; the run's own throughput gives the loop's time; the difference is the overhead. Both
 * come from the same run, so machine drift does not enter the ratio.
 */
async function appOverhead(w: (typeof WORKLOADS)[number], epochs: number): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gwb-bench-'))
  let inSteps = 0
  let steps = 0
  const trainStep = VanillaGan.prototype.trainStep
  VanillaGan.prototype.trainStep = function (this: VanillaGan, ...args: Parameters<typeof trainStep>) {
    const t0 = process.hrtime.bigint()
    const result = trainStep.apply(this, args)
    inSteps += Number(process.hrtime.bigint() - t0) / 1e9
    steps++
    return result
  } as typeof trainStep
  try {
    const registry = await Registry.open(homePaths(home).registry, { owner: thisProcess() })
    const config = workloadConfig(w, [`training.epochs=${epochs}`])
    const run = registry.createRun({ config, name: 'bench', totalSteps: totalSteps(config) })
    let ipcBytes = 0
    const status = await trainRun(registry, home, run.id, {
      progress: (e) => (ipcBytes += v8.serialize({ type: 'progress', event: e }).length),
      status: (e) => (ipcBytes += v8.serialize({ type: 'status', event: e }).length),
      stopRequested: () => false,
    })
    const record = registry.getRun(run.id)
    registry.close()
    if (status !== 'completed' || !record.samplesPerSec) throw new Error(`the bench run ended ${status}: ${record.error ?? ''}`)
    const loopSeconds = (steps * config.training.batchSize) / record.samplesPerSec
    console.log(
      JSON.stringify({
        workload: w.name,
        steps,
        epochs,
        loopSeconds,
        stepSeconds: inSteps,
        overhead: (loopSeconds - inSteps) / inSteps,
        ipcBytes,
        logEvery: config.training.logEvery,
        stepsPerEpoch: config.training.stepsPerEpoch,
      }),
    )
  } finally {
    VanillaGan.prototype.trainStep = trainStep
    fs.rmSync(home, { recursive: true, force: true })
  }
}

/** Trainable parameters of G and D (both translators and both critics for CycleGAN), as PyTorch counts them. */
function trainableParams(gan: GanModel): { g: number; d: number } {
  const count = (...models: tf.LayersModel[]) =>
    models.reduce((sum, m) => sum + m.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0), 0)
  if (gan instanceof CycleGan) return { g: count(gan.generator, gan.generatorBA), d: count(gan.discriminator, gan.discriminatorA) }
  const v = gan as VanillaGan
  return { g: count(v.generator), d: count(v.discriminator) }
}

async function main(): Promise<void> {
  const logging = !process.argv.includes('--no-logging')
  const w = findWorkload(process.argv[2] ?? '')
  if (process.argv.includes('--app-overhead')) return appOverhead(w, 10)
  const config = workloadConfig(w)
  // As a training run chooses (WebGPU included when a hardware adapter exists), or BENCH_BACKEND.
  const backend = await selectBackend((process.env.BENCH_BACKEND as BackendName | undefined) ?? 'auto', {
    convolutional: isConvolutional(config),
    training: true,
  })
  const gan = createGan(config, createDataSource(config.dataset, 1))
  const { logEvery } = config.training
  // As a run does: metrics are computed and read only every `logEvery` iterations (the preset's
  // setting); with --no-logging, never.
  const step = async (i: number) => {
    const read = logging && (i + 1) % logEvery === 0
    const m = gan.trainStep(i, 0, read)
    if (read) await readMetrics(m as StepMetrics)
    else disposeMetrics(m)
  }
  // BENCH_TIMING="warmup,maxIterations,maxSeconds" (run.ts --quick) overrides the workload's.
  const [warmup, maxIterations, maxSeconds] = process.env.BENCH_TIMING
    ? (process.env.BENCH_TIMING.split(',').map(Number) as [number, number, number])
    : [w.warmup, w.maxIterations, w.maxSeconds]
  for (let i = 0; i < warmup; i++) await step(i)
  const tensorsBefore = tf.memory().numTensors
  if (process.argv.includes('--logging-overhead')) {
    // Logged and quiet steps alternate, each timed on its own, so machine drift hits both alike
    // (timing blocks of steps with and without logging could not resolve a 1 % difference here:
    // the same code measured −2.5 % to +9 %). A run logs one step in `logEvery`, so the overhead is
    // the logged step's extra time (metrics computed, then read back) over logEvery quiet steps.
    const pairs = 400
    let logged = 0
    let quiet = 0
    for (let i = 0; i < 2 * pairs; i++) {
      const t0 = process.hrtime.bigint()
      const isLogged = i % 2 === 0
      const m = gan.trainStep(warmup + i, 0, isLogged)
      if (isLogged) await readMetrics(m as StepMetrics)
      else disposeMetrics(m)
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9
      if (isLogged) logged += seconds
      else quiet += seconds
    }
    const overhead = (logged - quiet) / quiet / logEvery
    console.log(JSON.stringify({ workload: w.name, pairs, secondsLogged: logged, secondsQuiet: quiet, overhead, logEvery }))
    gan.dispose()
    return
  }
  const started = process.hrtime.bigint()
  let n = 0
  while (n < 3 || (n < maxIterations && Number(process.hrtime.bigint() - started) / 1e9 < maxSeconds)) {
    await step(warmup + n)
    n++
  }
  // A last read forces queued work to finish before the clock stops.
  const sync = tf.tensor1d([0])
  await sync.data()
  sync.dispose()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const itPerSec = n / seconds
  console.log(
    JSON.stringify({
      workload: w.name,
      backend: backend.name,
      ...(backend.name === 'wasm' ? { threads: wasmComputeThreads() } : {}),
      reason: backend.reason,
      iterations: n,
      seconds,
      itPerSec,
      imagesPerSec: itPerSec * w.batchSize,
      params: trainableParams(gan),
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      tensorDrift: tf.memory().numTensors - tensorsBefore,
      logging,
      logEvery,
    }),
  )
  gan.dispose()
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
