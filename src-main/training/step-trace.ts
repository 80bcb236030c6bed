/**
 * A step trace: the first N iterations of a config's training, through the same `trainStep` the
 * training loop runs, with everything another framework needs to recompute them: G's and D's
 * initial weights (by variable name, with shapes), every real batch, label, latent and generated
 * label each step drew, each step's losses and the terms they add up (AC-GAN's class losses,
 * InfoGAN's), and the training state (weights, batch-norm statistics, optimizer moments) before
 * the steps asked for and after the last. tests/helpers/torch_parity.py rebuilds the models
 * in PyTorch from such a trace and checks that it follows the same loss trajectory.
 *
 * Files: `trace.json` (the config, the backend, the optimizers' settings as the engine holds them,
 * per-step metrics, and an index of the tensors) and `tensors.f32` (their values, float32
 * little-endian, one after another). trace.json is written last: its presence means a whole trace.
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig, OptimizerConfig } from '../../src-shared/config/experiment'
import type { ModelSpec } from '../../src-shared/model/spec'
import { createDataSource } from '../datasets/create-data-source'
import { writeFileAtomic } from '../util/atomic-fs'
import { isConvolutional, selectBackend } from './backend'
import { VanillaGan } from './vanilla-gan'
import { optimizerState } from './optimizers'
import { readMetrics, type StepMetrics } from './step-metrics'
import { totalSteps } from './train-run'

export const TRACE_FORMAT = 1
/** Enough for a parity check; a trace keeps every batch, so its size grows with the steps. */
export const MAX_TRACE_STEPS = 1000
export const TRACE_FILES = ['trace.json', 'tensors.f32'] as const

export interface TraceTensor {
  /**
   * `state0/generator/g_project/kernel`, `step3/d0.real`, `step3/g.z`, `state10/gOptimizer/g_project/kernel/m`:
   * `stateK/…` is the state before step K (state0 the initial weights, state{steps} the last).
   */
  name: string
  shape: number[]
  /** Offset and length in float32 values (not bytes) into tensors.f32. */
  offset: number
  length: number
  /** Weights only: trained by the optimizer (false for batch norm's moving statistics). */
  trainable?: boolean
}

/** What an optimizer computes with, as the engine holds it (Adam's ε is the backend's). */
export type TracedOptimizer = OptimizerConfig & { epsilon?: number }

export interface StepTraceIndex {
  format: number
  config: ExperimentConfig
  backend: string
  backendReason: string
  steps: number
  /** The steps before which the state was recorded (0, stateEvery, 2·stateEvery, …, each of the first stateFirst, and `steps`). */
  states: number[]
  optimizers: { generator: TracedOptimizer; discriminator: TracedOptimizer }
  /** Per step: the reported metrics (dLoss, gLoss, …) and the observed loss terms (`d0.classReal`, `g.aux`, …). */
  metrics: Record<string, number>[]
  tensors: TraceTensor[]
}

export interface StepTrace {
  index: StepTraceIndex
  /** The tensors' values in index order (tensors.f32 is their concatenation). */
  chunks: Float32Array[]
}

export class TraceError extends Error {
  override name = 'TraceError'
}

/**
 * The config with every dropout rate set to 0: the identity in tfjs (and in PyTorch), every other
 * layer as it was. Dropout's masks come from tfjs' own random generator, unseeded (models.ts), so
 * no other framework can replay them; a trace for a parity check is taken without them.
 */
export function withoutDropout(config: ExperimentConfig): ExperimentConfig {
  const strip = (spec: ModelSpec): ModelSpec =>
    'layers' in spec
      ? { ...spec, layers: spec.layers.map((l) => (l.type === 'dropout' ? { ...l, rate: 0 } : l)) }
      : { ...spec, nodes: spec.nodes.map((n) => (n.layer.type === 'dropout' ? { ...n, layer: { ...n.layer, rate: 0 } } : n)) }
  return { ...config, generator: strip(config.generator), discriminator: strip(config.discriminator) }
}

function tracedOptimizer(config: OptimizerConfig, optimizer: tf.Optimizer): TracedOptimizer {
  const epsilon = (optimizer as unknown as { epsilon?: number }).epsilon
  return config.type === 'adam' && typeof epsilon === 'number' ? { ...config, epsilon } : { ...config }
}

export interface TraceOptions {
  /** Record the training state before every this-many steps (default: before the first and after the last only). */
  stateEvery?: number
  /**
   * Also before each of the first this-many steps: Adam's first updates are about ±lr per weight
   * whatever the gradient's size, so a weight whose gradient is rounding noise moves at random in
   * any float32 implementation; a replay from each of those states keeps that noise from compounding.
   */
  stateFirst?: number
  onStep?: (step: number) => void
}

/** Runs the first `steps` iterations of `config` as training does (its backend, its step code) and records them. */
export async function traceSteps(config: ExperimentConfig, steps: number, options: TraceOptions = {}): Promise<StepTrace> {
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_TRACE_STEPS)
    throw new TraceError(`steps must be a whole number from 1 to ${MAX_TRACE_STEPS}`)
  const stateEvery = options.stateEvery ?? steps
  const stateFirst = options.stateFirst ?? 0
  if (!Number.isInteger(stateEvery) || stateEvery < 1)
    throw new TraceError('the state interval must be a whole number of steps, at least 1')
  if (!Number.isInteger(stateFirst) || stateFirst < 0) throw new TraceError('the number of first steps with a state must be a whole number')
  if (config.conditioning === 'cyclegan')
    throw new TraceError('a step trace covers the families with one G and one D; CycleGAN has two of each')
  const total = totalSteps(config)
  if (steps > total) throw new TraceError(`the config trains ${total} steps in all; trace at most that many`)
  const backend = await selectBackend(config.backend, { convolutional: isConvolutional(config), training: true })
  const gan = new VanillaGan(config, createDataSource(config.dataset, config.training.seed))
  const tensors: TraceTensor[] = []
  const chunks: Float32Array[] = []
  let offset = 0
  const add = async (name: string, t: tf.Tensor, trainable?: boolean) => {
    const values = Float32Array.from(await t.data())
    tensors.push({ name, shape: t.shape, offset, length: values.length, ...(trainable === undefined ? {} : { trainable }) })
    chunks.push(values)
    offset += values.length
  }
  const states: number[] = []
  const addState = async (step: number) => {
    for (const [model, m] of [
      ['generator', gan.generator],
      ['discriminator', gan.discriminator],
    ] as const) {
      for (const w of m.weights) await add(`state${step}/${model}/${w.originalName}`, w.read(), w.trainable)
    }
    for (const [group, opt] of [
      ['gOptimizer', gan.gOptimizer],
      ['dOptimizer', gan.dOptimizer],
    ] as const) {
      for (const w of await optimizerState(opt)) {
        await add(`state${step}/${group}/${w.name}`, w.tensor)
        if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose() // the iteration count, made for the call
      }
    }
    states.push(step)
  }
  let observed: { name: string; tensor: tf.Tensor }[] = []
  gan.observer = { observe: (name, tensor) => observed.push({ name, tensor: tf.keep(tensor.clone()) }) }
  try {
    const metrics: Record<string, number>[] = []
    for (let step = 0; step < steps; step++) {
      if (step % stateEvery === 0 || step < stateFirst) await addState(step)
      // What the training loop passes (train-run.ts), on a step whose metrics it reads.
      const values: Record<string, number> = { ...(await readMetrics(gan.trainStep(step, step / total, true) as StepMetrics)) }
      for (const { name, tensor } of observed) {
        if (tensor.rank === 0) values[name] = (await tensor.data())[0]!
        else await add(`step${step}/${name}`, tensor)
      }
      tf.dispose(observed.map((o) => o.tensor))
      observed = []
      metrics.push(values)
      options.onStep?.(step)
    }
    await addState(steps)
    return {
      index: {
        format: TRACE_FORMAT,
        config,
        backend: backend.name,
        backendReason: backend.reason,
        steps,
        states,
        optimizers: {
          generator: tracedOptimizer(config.optimizers.generator, gan.gOptimizer),
          discriminator: tracedOptimizer(config.optimizers.discriminator, gan.dOptimizer),
        },
        metrics,
        tensors,
      },
      chunks,
    }
  } finally {
    tf.dispose(observed.map((o) => o.tensor))
    gan.observer = undefined
    gan.dispose()
  }
}

/**
 * Refuses a directory holding anything but a previous trace, so a mistyped --out never mixes a
 * trace into other files (checked before tracing, and again before writing).
 */
export function checkTraceDir(dir: string): void {
  if (!fs.existsSync(dir)) return
  if (!fs.statSync(dir).isDirectory()) throw new TraceError(`${dir} exists and is not a directory`)
  const other = fs.readdirSync(dir).filter((f) => !(TRACE_FILES as readonly string[]).includes(f))
  if (other.length > 0)
    throw new TraceError(
      `${dir} already holds other files (${other.slice(0, 3).join(', ')}${other.length > 3 ? ', …' : ''}): give an empty or new directory`,
    )
}

/** Writes a trace into `dir` (created if missing; see checkTraceDir). */
export function writeTrace(dir: string, trace: StepTrace): { bytes: number } {
  checkTraceDir(dir)
  fs.mkdirSync(dir, { recursive: true })
  fs.rmSync(path.join(dir, 'trace.json'), { force: true })
  // Chunk by chunk: a trace with states can be hundreds of MB, never held twice in memory.
  const tensorsFile = path.join(dir, 'tensors.f32')
  const tmp = `${tensorsFile}.tmp-${process.pid}`
  let bytes = 0
  try {
    const fd = fs.openSync(tmp, 'w')
    try {
      for (const c of trace.chunks) {
        const view = new Uint8Array(c.buffer, c.byteOffset, c.byteLength)
        for (let at = 0; at < view.length; ) at += fs.writeSync(fd, view, at)
        bytes += view.length
      }
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, tensorsFile)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw e
  }
  const index = JSON.stringify(trace.index)
  writeFileAtomic(path.join(dir, 'trace.json'), index)
  return { bytes: bytes + Buffer.byteLength(index) }
}
