/**
 * A whole training iteration of an MLP GAN in native code (src-main/native/gwb_mlp.c): one call per
 * D step and one for the G step, instead of the ~390 tfjs kernel calls of the generic step, whose
 * per-op bookkeeping was half of an MLP step on the wasm backend. It covers G and D made only of
 * dense layers with linear, ReLU, LeakyReLU or tanh activations, the vanilla objective (non-
 * saturating or minimax), Adam on both sides (learning-rate schedules included: the rates are read
 * from the optimizers every step), generator weight averaging (VanillaGan updates the average after
 * the native step, with tfjs), no tricks; anything else keeps the generic step
 * (nativeMlpIneligibility says why). It reads and writes the models' own tf.Variables and the
 * Adam optimizers' own slots, in place, so checkpoints, exports (stock tfjs Layers) and a later
 * generic step see the same state; where another tensor shares a variable's memory it hands the
 * step back. Random draws are the generic step's (the same seeds, drawn by tfjs), so both paths
 * train the same numbers (tests/unit/native-mlp-step.test.ts compares them step for step).
 */
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { experimentConfigSchema } from '../../src-shared/config/experiment'
import type { DataSource } from '../datasets/data-source'
import { FusedAdamOptimizer } from './fused-adam'
import { ACT, denseSteps, type DenseStep } from './mlp-layers'
import type { NativeBlas } from './native-blas'
import { mixSeed } from '../../src-shared/util/seeds'
import type { QuietStepMetrics, StepMetrics } from './step-metrics'

const PHASE_D = 0
const PHASE_G = 1

type Zod = { shape?: Record<string, Zod>; unwrap?: () => Zod; safeParse: (v: unknown) => { success: boolean; data?: unknown } }
const unwrap = (s: Zod): Zod => (s.shape ? s : s.unwrap ? unwrap(s.unwrap()) : s)
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Fields of `section` other than `handled` that are not at their schema default: settings this
 * path does not implement (an option added to the config later counts as one until it is handled).
 */
function notDefault(schema: Zod, value: Record<string, unknown>, handled: string[]): string[] {
  const shape = unwrap(schema).shape ?? {}
  return Object.keys({ ...shape, ...value }).filter((key) => {
    if (handled.includes(key)) return false
    const field = shape[key]
    const d = field?.safeParse(undefined)
    return !d?.success || !same(d.data, value[key])
  })
}

/** Why a config cannot take the native MLP step (null: it can, given an MLP G and D on the wasm backend with native kernels). */
export function nativeMlpIneligibility(config: ExperimentConfig): string | null {
  const root = experimentConfigSchema as unknown as Zod
  const shape = root.shape!
  if (config.gan !== 'vanilla') return `the ${config.gan} objective`
  if (config.conditioning !== 'none') return `${config.conditioning} conditioning`
  if (config.dataset.kind !== 'toy2d' && config.dataset.kind !== 'csv') return 'image data'
  const settings = [
    ...notDefault(root, config as unknown as Record<string, unknown>, [
      'gan',
      'conditioning',
      'dataset',
      'latent',
      'generator',
      'discriminator',
      'loss',
      'optimizers',
      'tricks',
      'training',
      'backend',
    ]),
    ...notDefault(shape.loss!, config.loss, ['generator', 'clip', 'gradientPenalty']).map((k) => `loss.${k}`),
    ...notDefault(shape.tricks!, config.tricks, []).map((k) => `tricks.${k}`),
    ...notDefault(shape.training!, config.training, [
      'batchSize',
      'epochs',
      'stepsPerEpoch',
      'dSteps',
      'seed',
      'logEvery',
      'checkpointEvery',
      'keepCheckpoints',
      'evalSamples',
      'lrSchedule',
      'warmupSteps',
      'generatorEma',
      // Says how an unrolled G's gradient is taken: inert without unrollSteps, which stays unhandled.
      'unrollGradient',
    ]).map((k) => `training.${k}`),
  ]
  for (const side of ['generator', 'discriminator'] as const) {
    const o = config.optimizers[side]
    if (o.type !== 'adam') return `the ${side}'s ${o.type} optimizer`
  }
  return settings.length ? `settings the native step does not implement: ${settings.join(', ')}` : null
}

export interface NativeMlpParts {
  config: ExperimentConfig
  generator: tf.LayersModel
  discriminator: tf.LayersModel
  gOptimizer: tf.Optimizer
  dOptimizer: tf.Optimizer
  data: DataSource
  latent: (n: number, seed: number) => tf.Tensor2D
  blas: NativeBlas | null
}

export interface NativeMlpMetrics {
  dLoss: number
  gLoss: number
  dReal: number
  dFake: number
  dGradNorm: number
  gGradNorm: number
}

export class NativeMlpStep {
  private readonly g: DenseStep[]
  private readonly d: DenseStep[]
  private readonly spec: Int32Array[]
  private readonly alphas: Float64Array
  private readonly out = new Float32Array(4)

  private constructor(
    private readonly parts: NativeMlpParts & { blas: NativeBlas; gOptimizer: FusedAdamOptimizer; dOptimizer: FusedAdamOptimizer },
    g: DenseStep[],
    d: DenseStep[],
  ) {
    this.g = g
    this.d = d
    const layers = [...g, ...d].flatMap((s) => [s.kernel.shape[0]!, s.kernel.shape[1]!, s.bias ? 1 : 0, s.act])
    const lossKind = parts.config.loss.generator === 'minimax' ? 1 : 0
    const batch = parts.config.training.batchSize
    this.spec = [PHASE_D, PHASE_G].map((phase) => Int32Array.from([phase, lossKind, batch, g.length, d.length, ...layers]))
    this.alphas = Float64Array.from([...g, ...d].map((s) => s.alpha))
  }

  /** The native step for these parts, or why not. */
  static create(parts: NativeMlpParts): NativeMlpStep | string {
    if (process.env.GWB_NATIVE_MLP === '0') return 'turned off (GWB_NATIVE_MLP=0)'
    const why = nativeMlpIneligibility(parts.config)
    if (why) return why
    if (!parts.blas) return 'no native kernels'
    // An addon built before the MLP step (a checkout updated without `npm install`) lacks it.
    if (typeof (parts.blas as Partial<NativeBlas>).mlpGanStep !== 'function')
      return 'the native addon predates the MLP step (npm install rebuilds it)'
    if (!(parts.gOptimizer instanceof FusedAdamOptimizer) || !(parts.dOptimizer instanceof FusedAdamOptimizer))
      return 'not the fused Adam optimizer'
    const g = denseSteps(parts.generator)
    const d = denseSteps(parts.discriminator)
    if (typeof g === 'string') return `G has ${g}`
    if (typeof d === 'string') return `D has ${d}`
    if (parts.generator.inputs.length !== 1 || parts.discriminator.inputs.length !== 1 || parts.discriminator.outputs.length !== 1)
      return 'a model with several inputs or outputs'
    if (d.at(-1)!.kernel.shape[1] !== 1 || d.at(-1)!.act !== ACT.linear) return "D's output is not one logit"
    return new NativeMlpStep(
      parts as NativeMlpParts & { blas: NativeBlas; gOptimizer: FusedAdamOptimizer; dOptimizer: FusedAdamOptimizer },
      g,
      d,
    )
  }

  private weights(): tf.Variable[] {
    return [...this.g, ...this.d].flatMap((s) => (s.bias ? [s.kernel, s.bias] : [s.kernel]))
  }

  /**
   * One iteration (k D steps, then the G step) or null, leaving it to the generic step: another
   * backend is active, or a tensor shares a variable's memory (writing in place would change it too).
   */
  trainStep(step: number): NativeMlpMetrics | null {
    if (tf.getBackend() !== 'wasm') return null
    const backend = tf.backend() as BackendWasm
    const { gOptimizer, dOptimizer, config, data, latent, blas } = this.parts
    const { batchSize, dSteps, seed } = config.training
    const gVars = this.g.flatMap((s) => (s.bias ? [s.kernel, s.bias] : [s.kernel]))
    const dVars = this.d.flatMap((s) => (s.bias ? [s.kernel, s.bias] : [s.kernel]))
    const own = (vars: tf.Variable[], opt: FusedAdamOptimizer) => [...vars, ...opt.slotsOf(vars).flat()]
    const exclusive = [...own(gVars, gOptimizer), ...own(dVars, dOptimizer)].every((t) => backend.refCount(t.dataId) === 1)
    if (!exclusive) return null
    const view = (t: tf.Tensor) => backend.typedArrayFromHeap(t) as Float32Array
    const run = (phase: number, opt: FusedAdamOptimizer, vars: tf.Variable[], inputs: tf.Tensor[]) => {
      const { slots, hyper } = opt.beginExternalStep(vars)
      // Views after every allocation: an allocation may grow (and so replace) the wasm heap.
      const tensors = [...this.weights(), ...slots.flat(), ...inputs].map(view)
      blas.mlpGanStep(this.spec[phase]!, this.alphas, hyper, tensors, this.out)
      opt.finishExternalStep()
      return Array.from(this.out)
    }
    let dOut: number[] = []
    for (let k = 0; k < dSteps; k++) {
      const real = data.batch(step, k, batchSize)
      const z = latent(batchSize, mixSeed(seed, step, k, 11))
      dOut = run(PHASE_D, dOptimizer, dVars, [real, z])
      tf.dispose([real, z])
    }
    const z = latent(batchSize, mixSeed(seed, step, 99))
    const gOut = run(PHASE_G, gOptimizer, gVars, [z])
    z.dispose()
    return { dLoss: dOut[0]!, dReal: dOut[1]!, dFake: dOut[2]!, dGradNorm: dOut[3]!, gLoss: gOut[0]!, gGradNorm: gOut[3]! }
  }
}

/** A native iteration's numbers as the scalars a step returns: the losses, and on logged steps the rest. */
export function nativeMlpMetrics(m: NativeMlpMetrics, report: boolean): StepMetrics | QuietStepMetrics {
  const quiet = { dLoss: tf.scalar(m.dLoss), gLoss: tf.scalar(m.gLoss) }
  if (!report) return quiet
  return {
    ...quiet,
    dReal: tf.scalar(m.dReal),
    dFake: tf.scalar(m.dFake),
    dGradNorm: tf.scalar(m.dGradNorm),
    gGradNorm: tf.scalar(m.gGradNorm),
  }
}
