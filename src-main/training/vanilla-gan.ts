/**
 * The GAN loop: Algorithm 1 of Goodfellow et al. (2014), k discriminator (critic) steps then one
 * generator step. The adversarial term is the configured objective's (losses.ts: vanilla, minimax
 * or non-saturating, LSGAN, WGAN, WGAN-GP) and its critic constraint (objectives/critic-constraint.ts:
 * clipping, gradient penalty); the family (objectives/: unconditional, cGAN, AC-GAN, InfoGAN,
 * pix2pix) says what G is given and adds its own terms. Feature matching and unrolling change G's
 * objective here, for every family. Every step runs inside tf.tidy and only scalars leave it, so
 * the tensor count stays flat (tested).
 */
import * as tf from '@tensorflow/tfjs'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { toGraph } from '../../src-shared/model/shape-inference'
import { specLayers, type InputRole } from '../../src-shared/model/spec'
import { buildModel } from './models'
import { adversarialLoss, withInstanceNoise, type AdversarialLoss } from './losses'
import { randomTranslate } from './translate'
import { registerExtraGradients } from './extra-gradients'
import { mixSeed } from '../../src-shared/util/seeds'
import { sampleLatent } from './latent'
import type { Conditioner } from './conditions'
import type { DataSource } from '../datasets/data-source'
import type { GanModel } from './gan-model'
import { readFlat } from '../util/read-flat'
import { restoreWeights, type TensorGroups } from './checkpoint'
import { NativeMlpStep, nativeMlpMetrics } from './native-mlp-step'
import { loadedNativeBlas } from './native-blas'
import { scheduleLearningRates } from './lr-schedule'
import { GeneratorEma } from './generator-ema'
import type { CriticConstraint, DOutput, GanObjective } from './objectives/objective'
import { objectiveFor } from './objectives/registry'
import { criticConstraintFor } from './objectives/critic-constraint'
import { globalNorm, makeOptimizer, optimizerState, restoreOptimizer } from './optimizers'
import type { QuietStepMetrics, StepMetrics } from './step-metrics'
import { UnrolledLookahead } from './unrolled-lookahead'
import { secondOrderUnrolling } from '../../src-shared/config/unroll-rules'

/**
 * Sees what a training step draws (real batches, their labels, latents, generated labels) and the
 * terms of its losses, by name (`d0.real`, `d0.z`, `g.z`, `d0.classReal`, `g.adversarial`, …; the
 * number is the D step's slot). The step trace (step-trace.ts) records them to check the engine
 * against another framework; training sets none, and observing changes nothing of a step.
 */
export interface StepObserver {
  observe(name: string, tensor: tf.Tensor): void
}

const keepIf = (t: tf.Tensor | undefined) => (t ? tf.keep(t) : undefined)
/** Standing statistics of the averaged G: 32 batches of 64, 2,048 samples (the mean of their batch statistics). */
const SETTLE_BATCH = 64
const SETTLE_PASSES = 32

export class VanillaGan implements GanModel {
  readonly generator: tf.LayersModel
  readonly discriminator: tf.LayersModel
  readonly gOptimizer: tf.Optimizer
  readonly dOptimizer: tf.Optimizer
  /** Unrolled GAN: the optimizer of D's look-ahead steps (D's kind and settings, its own state). */
  /** First-order unrolling: the optimizer that moves D's look-ahead copy. */
  readonly unrollOptimizer: tf.Optimizer | undefined
  /** Second-order unrolling: D's look-ahead as a function of G's samples. */
  private readonly lookahead: UnrolledLookahead | undefined
  /** The family: what G is given besides z and the terms it adds to both losses (objectives/). */
  readonly objective: GanObjective
  /** Conditional models: labels or codes, and the aux loss of D's second head. */
  readonly conditioner: Conditioner | undefined
  /** Generator weight averaging: the averaged G that samples come from (training.generatorEma). */
  readonly ema: GeneratorEma | undefined
  private readonly loss: AdversarialLoss
  private readonly critic: CriticConstraint
  /** Input roles in the order each model takes its inputs. */
  private readonly gRoles: InputRole[]
  private readonly dRoles: InputRole[]
  /** D treats samples independently (no batch norm): real and generated batches can share one pass. */
  private readonly jointD: boolean
  /** Set by a step trace (step-trace.ts); undefined while training. */
  observer: StepObserver | undefined

  private observe(name: string, tensor: tf.Tensor | undefined): void {
    if (tensor && this.observer) this.observer.observe(name, tensor)
  }
  /** MLP GANs: the whole iteration in native code (native-mlp-step.ts), or why not. */
  readonly nativeStep: NativeMlpStep | string

  constructor(
    readonly config: ExperimentConfig,
    private readonly data: DataSource,
  ) {
    const seed = config.training.seed
    this.generator = buildModel(config.generator, { prefix: 'g', seed: mixSeed(seed, 1) })
    // The vanilla loss works on logits: D's final sigmoid is folded into the (stable) loss.
    this.discriminator = buildModel(config.discriminator, {
      prefix: 'd',
      seed: mixSeed(seed, 2),
      finalSigmoidAsLogits: config.gan === 'vanilla',
      featureOutput: config.tricks.featureMatching,
    })
    this.loss = adversarialLoss(config)
    registerExtraGradients()
    this.gOptimizer = makeOptimizer(config.optimizers.generator)
    this.dOptimizer = makeOptimizer(config.optimizers.discriminator)
    const { unrollSteps } = config.training
    const secondOrder = secondOrderUnrolling(config)
    this.unrollOptimizer = unrollSteps > 0 && !secondOrder ? makeOptimizer(config.optimizers.discriminator) : undefined
    this.lookahead = secondOrder ? new UnrolledLookahead(this.discriminator, this.dOptimizer, unrollSteps) : undefined
    this.gRoles = toGraph(config.generator, 'latent').inputs.map((i) => i.role)
    this.dRoles = toGraph(config.discriminator, 'image').inputs.map((i) => i.role)
    this.objective = objectiveFor(config, data)
    this.conditioner = this.objective.conditioner
    this.critic = criticConstraintFor(config)
    this.jointD = !specLayers(config.discriminator).some((l) => l.type === 'batchNorm')
    this.nativeStep = NativeMlpStep.create({
      config,
      generator: this.generator,
      discriminator: this.discriminator,
      gOptimizer: this.gOptimizer,
      dOptimizer: this.dOptimizer,
      data,
      latent: (n, s) => this.latent(n, s),
      blas: loadedNativeBlas(),
    })
    this.ema =
      config.training.generatorEma > 0 ? new GeneratorEma(config.generator, this.generator, config.training.generatorEma) : undefined
  }

  /** Rows of a class/code grid (undefined for unconditional models). */
  get classes(): number | undefined {
    return this.conditioner?.rows
  }

  latent(n: number, seed: number): tf.Tensor2D {
    return sampleLatent(this.config.latent, n, seed)
  }

  private feed(roles: InputRole[], byRole: Partial<Record<InputRole, tf.Tensor>>): tf.Tensor | tf.Tensor[] {
    const list = roles.map((r) => byRole[r]!)
    return list.length === 1 ? list[0]! : list
  }

  /**
   * G(z), G(z, label), G(z, codes), or pix2pix's G(condition image) (z unused). Samples drawn
   * outside training come from the averaged G when weight averaging is on.
   */
  g(z: tf.Tensor | undefined, condition: tf.Tensor | undefined, training: boolean): tf.Tensor {
    const ref = training ? this.referenceBatch() : undefined
    const model = training ? this.generator : (this.ema?.model ?? this.generator)
    if (!ref) return model.apply(this.gFeed(z, condition), { training }) as tf.Tensor
    // Virtual batch norm: the reference batch rides along, so batch-norm statistics cover it and
    // the minibatch together; its own outputs are dropped.
    const join = (a: tf.Tensor | undefined, b: tf.Tensor | undefined) => (a && b ? tf.concat([a, b]) : undefined)
    const out = this.generator.apply(this.gFeed(join(ref.z, z), join(ref.condition, condition)), { training }) as tf.Tensor
    return out.slice(ref.size)
  }

  /** G's inputs in its own order: z, and the condition as whichever of label, code or image G takes. */
  private gFeed(z: tf.Tensor | undefined, condition: tf.Tensor | undefined): tf.Tensor | tf.Tensor[] {
    return this.feed(this.gRoles, { latent: z, label: condition, code: condition, condition })
  }

  private reference: { z?: tf.Tensor; condition?: tf.Tensor; size: number } | undefined

  /** The fixed reference batch of virtual batch norm (made once, from the run's seed). */
  private referenceBatch(): { z?: tf.Tensor; condition?: tf.Tensor; size: number } | undefined {
    const size = this.config.tricks.virtualBatchNorm
    if (size === 0) return undefined
    if (!this.reference) {
      const seed = mixSeed(this.config.training.seed, 8080)
      this.reference = tf.tidy(() => ({
        size,
        z: this.translation ? undefined : tf.keep(this.latent(size, seed)),
        condition: keepIf(this.objective.referenceCondition(size, seed)),
      }))
    }
    return this.reference
  }

  /**
   * D's outputs. The condition reaches D only where D has an input for it (a cGAN's label,
   * pix2pix's condition image); AC-GAN's and InfoGAN's D never see it.
   */
  private d(x: tf.Tensor, condition?: tf.Tensor): DOutput {
    const out = this.discriminator.apply(this.feed(this.dRoles, { image: x, label: condition, condition }), { training: true })
    const list = Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor]
    return {
      score: list[0]!,
      head: this.objective.twoHeads ? list[1] : undefined,
      features: this.config.tricks.featureMatching ? list[list.length - 1] : undefined,
    }
  }

  /**
   * D on a real and a generated batch. A D without batch norm treats each sample on its own, so both
   * batches go through it as one: half the kernel launches (tfjs' per-op cost dominates small
   * models) and larger convolutions, for the same function (dropout masks are drawn per sample
   * either way). Batch norm would mix the two batches'
   * statistics, so such a D sees them apart, as Radford et al. train it.
   */
  private dPair(real: tf.Tensor, fake: tf.Tensor, realCond: tf.Tensor | undefined, fakeCond: tf.Tensor | undefined): [DOutput, DOutput] {
    if (!this.jointD) return [this.d(real, realCond), this.d(fake, fakeCond)]
    const takesCondition = this.dRoles.some((r) => r === 'label' || r === 'condition')
    const out = this.d(tf.concat([real, fake]), takesCondition ? tf.concat([realCond!, fakeCond!]) : undefined)
    const n = real.shape[0]!
    const half = (t: tf.Tensor | undefined, first: boolean) => t && (first ? t.slice(0, n) : t.slice(n))
    const part = (first: boolean): DOutput => ({
      score: half(out.score, first)!,
      head: half(out.head, first),
      features: half(out.features, first),
    })
    return [part(true), part(false)]
  }

  /** The images D sees, randomly shifted when `tricks.translate` is on (validation keeps it to images). */
  private shifted(x: tf.Tensor, seed: number): tf.Tensor {
    return randomTranslate(x as tf.Tensor4D, this.config.tricks.translate, seed)
  }

  private get translation(): boolean {
    return this.objective.translation
  }

  /**
   * D's loss on one real and one generated batch (`slot` picks the batch and the random draws), plus
   * the scalars worth reporting. Used for D's own steps and for the unrolled look-ahead.
   */
  private dObjective(step: number, slot: number, progress: number, report: boolean) {
    const { batchSize, seed } = this.config.training
    const real = this.data.batch(step, slot, batchSize)
    const realCond = this.objective.realCondition(step, slot, batchSize)
    const fakeCond = this.objective.fakeCondition(realCond, batchSize, mixSeed(seed, step, slot, 16))
    const z = this.translation ? undefined : this.latent(batchSize, mixSeed(seed, step, slot, 11))
    const name = (what: string) => `d${slot}.${what}`
    this.observe(name('real'), real)
    this.observe(name('realCondition'), realCond)
    this.observe(name('z'), z)
    this.observe(name('fakeCondition'), fakeCond)
    // The generated batch carries no gradient into G (only D's variables are differentiated).
    const fake = this.g(z, fakeCond, true)
    return () => {
      const [realOut, fakeOut] = this.dPair(
        withInstanceNoise(this.shifted(real, mixSeed(seed, step, slot, 17)), this.config, progress, mixSeed(seed, step, slot, 12)),
        withInstanceNoise(this.shifted(fake, mixSeed(seed, step, slot, 18)), this.config, progress, mixSeed(seed, step, slot, 13)),
        realCond,
        fakeCond,
      )
      let loss = this.loss.discriminator(realOut.score, fakeOut.score, mixSeed(seed, step, slot, 15))
      this.observe(name('adversarial'), loss)
      // A conditional critic sees the real batch's condition with the interpolates (the penalty is on x only).
      if (this.critic.penalty)
        loss = tf.add(
          loss,
          this.critic.penalty((x) => this.d(x, realCond).score, real, fake, mixSeed(seed, step, slot, 14)),
        )
      const extra: Partial<StepMetrics> = report ? { dReal: this.loss.summary(realOut.score), dFake: this.loss.summary(fakeOut.score) } : {}
      const terms = this.objective.discriminatorTerms(realOut, fakeOut, realCond, fakeCond, report, (what, t) =>
        this.observe(name(what), t),
      )
      if (terms.loss) loss = tf.add(loss, terms.loss)
      return { loss: loss as tf.Scalar, extra: { ...extra, ...terms.metrics } }
    }
  }

  /** D's logits on a real and G's generated batch at its second-order look-ahead weights. */
  private unrolledLogits(real: tf.Tensor, fake: tf.Tensor, seed: number): { real: tf.Tensor; fake: tf.Tensor } {
    const weights = this.lookahead!.advance(real, fake, (r, f) => this.loss.discriminator(r, f, seed))
    return { real: this.lookahead!.logits(weights, real), fake: this.lookahead!.logits(weights, fake) }
  }

  /**
   * One iteration (Algorithm 1 of Goodfellow et al.: k D steps, then one G step). `progress` in
   * [0, 1] drives decaying tricks. Returns scalar tensors the caller reads (and disposes) only on
   * logging steps; with `report` false (a step whose metrics nobody reads), only the losses.
   */
  trainStep(step: number, progress: number): StepMetrics
  trainStep(step: number, progress: number, report: boolean): StepMetrics | QuietStepMetrics
  trainStep(step: number, progress: number, report = true): StepMetrics | QuietStepMetrics {
    // A step trace observes the generic step's tensors; the native step is checked against that
    // step to 1e-5 (tests/unit/native-mlp-step.test.ts), so a traced run takes the generic one.
    // The schedule sets the rates both paths read (the native step takes them from the optimizers).
    const { generator: gOpt, discriminator: dOpt } = this.config.optimizers
    scheduleLearningRates(this.config.training, step, [
      [this.gOptimizer, gOpt],
      [this.dOptimizer, dOpt],
      [this.unrollOptimizer, dOpt],
    ])
    this.objective.atProgress?.(progress)
    const native = this.observer || typeof this.nativeStep === 'string' ? null : this.nativeStep.trainStep(step)
    if (native) {
      this.ema?.update()
      return nativeMlpMetrics(native, report)
    }
    const { batchSize, dSteps, unrollSteps, seed } = this.config.training
    const dVars = this.discriminator.trainableWeights.map((w) => w.read() as tf.Variable)
    const gVars = this.generator.trainableWeights.map((w) => w.read() as tf.Variable)
    const dUpdate = (optimizer: tf.Optimizer, slot: number, keep: (extra: Partial<StepMetrics>) => void) => {
      const objective = this.dObjective(step, slot, progress, report)
      const { value, grads } = optimizer.computeGradients(() => {
        const { loss, extra } = objective()
        keep(extra)
        return loss
      }, dVars)
      const norm = report ? globalNorm(grads) : undefined
      optimizer.applyGradients(grads)
      this.critic.afterUpdate?.(dVars)
      return { value, norm }
    }
    return tf.tidy((): tf.TensorContainer => {
      let reported: Partial<StepMetrics> = {}
      let dLoss!: tf.Scalar
      let dGradNorm: tf.Scalar | undefined
      for (let k = 0; k < dSteps; k++) {
        const r = dUpdate(this.dOptimizer, k, (extra) => {
          for (const t of Object.values(reported)) t?.dispose()
          reported = Object.fromEntries(Object.entries(extra).map(([key, t]) => [key, tf.keep(t as tf.Scalar)]))
        })
        dLoss = r.value
        dGradNorm = r.norm
      }
      // First-order unrolled GAN: look K steps ahead with a copy of D, take G's loss against it, then
      // put D back (the second-order look-ahead is inside G's loss, below).
      const saved = this.unrollOptimizer ? dVars.map((v) => tf.clone(v)) : []
      if (this.unrollOptimizer) for (let u = 0; u < unrollSteps; u++) dUpdate(this.unrollOptimizer, dSteps + 1 + u, () => {})
      const z = this.translation ? undefined : this.latent(batchSize, mixSeed(seed, step, 99))
      const target =
        this.translation || this.config.tricks.featureMatching || this.lookahead ? this.data.batch(step, dSteps, batchSize) : undefined
      const targetCond = target ? this.objective.realCondition(step, dSteps, batchSize) : undefined
      const gCond = this.objective.fakeCondition(targetCond, batchSize, mixSeed(seed, step, 98))
      this.observe('g.z', z)
      this.observe('g.condition', gCond)
      this.observe('g.target', target)
      let gReported: Partial<StepMetrics> = {}
      const { value: gLoss, grads: gGrads } = this.gOptimizer.computeGradients(() => {
        const fake = this.g(z, gCond, true)
        const ahead = this.lookahead && this.unrolledLogits(target!, fake, mixSeed(seed, step, 95))
        const out = ahead ? { score: ahead.fake } : this.d(this.shifted(fake, mixSeed(seed, step, 97)), gCond)
        let loss: tf.Scalar
        if (ahead) {
          // With the minimax loss, G minimises Metz et al.'s saddle objective at D's look-ahead
          // weights, E log D(x) + E log(1 − D(G(z))), real term included (it depends on G through
          // those weights), with plain targets whatever D's label tricks. The non-saturating loss
          // has no real term.
          loss = this.loss.generator(ahead.fake)
          if (this.config.loss.generator === 'minimax')
            loss = tf.sub(loss, tf.losses.sigmoidCrossEntropy(tf.onesLike(ahead.real), ahead.real)) as tf.Scalar
        } else if (this.config.tricks.featureMatching) {
          // Feature matching: match the mean of D's features on real data (a constant for G).
          const realFeatures = tf.mean(this.d(this.shifted(target!, mixSeed(seed, step, 96)), targetCond).features!, 0)
          loss = tf.mean(tf.square(tf.sub(tf.mean(out.features!, 0), realFeatures))) as tf.Scalar
        } else loss = this.loss.generator(out.score)
        this.observe('g.adversarial', loss)
        const terms = this.objective.generatorTerms(fake, out, gCond, target, (what, t) => this.observe(`g.${what}`, t))
        // Kept: computeGradients disposes what its function made, except the loss.
        gReported = Object.fromEntries(Object.entries(terms.metrics).map(([key, t]) => [key, tf.keep(t as tf.Scalar)]))
        if (terms.loss) loss = tf.add(loss, terms.loss) as tf.Scalar
        return loss
      }, gVars)
      const gGradNorm = report ? globalNorm(gGrads) : undefined
      if (this.unrollOptimizer) dVars.forEach((v, i) => v.assign(saved[i]!))
      this.gOptimizer.applyGradients(gGrads)
      this.ema?.update()
      // G's own measure of a term replaces D's (InfoGAN's loss is reported from the G step).
      for (const [key, t] of Object.entries(gReported) as [keyof StepMetrics, tf.Scalar][]) {
        reported[key]?.dispose()
        reported[key] = t
      }
      if (!report) {
        // Kept tensors outlive the tidy: those nobody reads go now.
        tf.dispose(Object.values(reported) as tf.Tensor[])
        return { dLoss, gLoss } as unknown as tf.TensorContainer
      }
      return { dLoss, gLoss, dGradNorm, gGradNorm, ...reported } as unknown as tf.TensorContainer
    }) as unknown as StepMetrics
  }

  /**
   * Generated samples for a fixed seed, as plain numbers. Conditional models draw sample i with
   * class (or categorical code) `labels[i]`, by default i mod the number of classes.
   */
  generate(n: number, seed: number, labels?: ArrayLike<number>): Promise<Float32Array> {
    if (this.translation) return this.translate(this.data.pairSample!(n, seed).conditions, n)
    return readFlat(tf.tidy(() => this.g(this.latent(n, seed), this.fixedCondition(n, labels), false)))
  }

  /** pix2pix: G's translations of n condition images (flat values in [-1, 1]). */
  translate(conditions: Float32Array, n: number): Promise<Float32Array> {
    return readFlat(tf.tidy(() => this.g(undefined, this.data.conditionTensor!(conditions, n), false)))
  }

  /**
   * pix2pix previews: a row of conditions, a row of G's translations, a row of targets, and a row
   * of L1 error maps |G(x) − y| (black: exact, white: off by the whole range).
   */
  async generateTriplets(columns: number, seed: number): Promise<Float32Array> {
    const { conditions, targets } = this.data.pairSample!(columns, seed)
    const n = conditions.length
    const translations = await this.translate(conditions, columns)
    const out = new Float32Array(n * 4)
    out.set(conditions, 0)
    out.set(translations, n)
    out.set(targets, n * 2)
    // |difference| is in [0, 2]; drawn as a grey level in the grid's [-1, 1] range.
    for (let i = 0; i < n; i++) out[n * 3 + i] = Math.abs(translations[i]! - targets[i]!) - 1
    return out
  }

  /**
   * A class × z grid for conditional models: row r shows class (or categorical code) r, column c the
   * same z in every row, so the grid shows what the label changes and what z changes.
   */
  generateClassGrid(columns: number, seed: number): Promise<Float32Array> {
    const rows = this.classes ?? 1
    return readFlat(
      tf.tidy(() => {
        const z = tf.tile(this.latent(columns, seed), [rows, 1])
        const labels = Array.from({ length: rows * columns }, (_, i) => Math.floor(i / columns))
        return this.g(z, this.fixedCondition(rows * columns, labels), false)
      }),
    )
  }

  private fixedCondition(n: number, labels?: ArrayLike<number>): tf.Tensor2D | undefined {
    const c = this.conditioner
    if (!c) return undefined
    return c.fixed(Array.from({ length: n }, (_, i) => (labels ? labels[i]! : i % c.rows)))
  }

  previewRows(columns: number, seed: number): { rows: number; draw: () => Promise<Float32Array> } | undefined {
    if (this.translation) return { rows: 4, draw: () => this.generateTriplets(columns, seed) }
    const classes = this.classes
    return classes ? { rows: classes, draw: () => this.generateClassGrid(columns, seed) } : undefined
  }

  async discriminatePoints(points: Float32Array): Promise<{ values: Float32Array; kind: 'probability' | 'score' } | undefined> {
    const dim = this.discriminator.inputs[0]!.shape.length === 2 ? this.discriminator.inputs[0]!.shape[1] : undefined
    if (this.dRoles.length !== 1 || dim !== 2) return undefined
    const n = points.length / 2
    const values = await readFlat(
      tf.tidy(() => {
        // Inference mode: dropout off, batch norm on its moving statistics (no batch of grid points sways it).
        const out = this.discriminator.apply(tf.tensor2d(points, [n, 2]), { training: false })
        const score = Array.isArray(out) ? (out as tf.Tensor[])[0]! : (out as tf.Tensor)
        return this.loss.output(score.reshape([n]))
      }),
    )
    return { values, kind: this.loss.outputKind }
  }

  async epochMetrics(): Promise<Record<string, number>> {
    return {}
  }

  /**
   * Before the averaged G is measured, drawn or saved: its batch-norm statistics from its own batches
   * (GeneratorEma.settle), on inputs drawn as in training from fixed seeds.
   */
  settleAverage(): void {
    this.ema?.settle((pass) => this.generatorInputs(SETTLE_BATCH, mixSeed(this.config.training.seed, 7171, pass)), SETTLE_PASSES)
  }

  /** G's inputs for n samples drawn as in training: z and a random condition, or source images. */
  private generatorInputs(n: number, seed: number): tf.Tensor | tf.Tensor[] {
    const condition = this.translation
      ? this.data.conditionTensor!(this.data.pairSample!(n, seed).conditions, n)
      : this.conditioner?.random(n, mixSeed(seed, 1))
    const z = this.translation ? undefined : this.latent(n, seed)
    return this.gFeed(z, condition)
  }

  async checkpointGroups(): Promise<TensorGroups> {
    this.settleAverage()
    const weights = (model: tf.LayersModel, prefix: string) => model.getWeights().map((t, i) => ({ name: `${prefix}${i}`, tensor: t }))
    return {
      // 'generator' is what sampling and export load: the averaged G when there is one.
      generator: weights(this.ema?.model ?? this.generator, 'g'),
      ...(this.ema ? { generatorTrained: weights(this.generator, 'g') } : {}),
      discriminator: this.discriminator.getWeights().map((t, i) => ({ name: `d${i}`, tensor: t })),
      gOptimizer: await optimizerState(this.gOptimizer),
      dOptimizer: await optimizerState(this.dOptimizer),
      ...(this.unrollOptimizer ? { uOptimizer: await optimizerState(this.unrollOptimizer) } : {}),
    }
  }

  async restoreCheckpoint(groups: TensorGroups): Promise<void> {
    // A checkpoint of a run with weight averaging holds the trained G apart from the averaged one;
    // one without gives its G to both (a fork that turns averaging on starts the average there).
    restoreWeights(this.generator, groups.generatorTrained ?? groups.generator, 'generator')
    if (this.ema) {
      restoreWeights(this.ema.model, groups.generator, 'averaged generator')
      this.ema.markUnsettled()
    }
    restoreWeights(this.discriminator, groups.discriminator, 'discriminator')
    await restoreOptimizer(this.gOptimizer, groups.gOptimizer)
    await restoreOptimizer(this.dOptimizer, groups.dOptimizer)
    // A checkpoint of a run that did not unroll first-order has none: the look-ahead starts fresh.
    if (this.unrollOptimizer && groups.uOptimizer?.length) await restoreOptimizer(this.unrollOptimizer, groups.uOptimizer)
  }

  dispose(): void {
    tf.dispose([this.reference?.z, this.reference?.condition].filter((t): t is tf.Tensor => t !== undefined))
    this.generator.dispose()
    this.ema?.dispose()
    this.discriminator.dispose()
    this.gOptimizer.dispose()
    this.dOptimizer.dispose()
    this.unrollOptimizer?.dispose()
  }
}
