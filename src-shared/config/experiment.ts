/**
 * The experiment config: one JSON format for the CLI, the UI and the registry. Strict objects, so an
 * unknown field is an error naming it rather than a silently ignored typo.
 */
import { z } from 'zod'
import { modelSpecSchema } from '../model/spec'
import { TOY2D_DISTRIBUTIONS } from '../datasets/toy2d'

export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const
export const GAN_KINDS = ['vanilla', 'lsgan', 'wgan', 'wgan-gp'] as const
/**
 * How labels or codes enter: none; cgan (Mirza & Osindero 2014: the label is an input of G and of
 * D); acgan (Odena et al. 2017: G takes the label, D predicts it with a second, softmax head);
 * infogan (Chen et al. 2016: G takes latent codes, D's second head Q recovers them); pix2pix
 * (Isola et al. 2017: G translates a condition image, D judges (condition, image) pairs patch by
 * patch, G also minimises the L1 distance to the target); cyclegan (Zhu et al. 2017: two translators
 * A→B and B→A on unpaired images, each judged by its own D, tied by a cycle-consistency loss).
 */
export const CONDITIONINGS = ['none', 'cgan', 'acgan', 'infogan', 'pix2pix', 'cyclegan'] as const
export type Conditioning = (typeof CONDITIONINGS)[number]
export type BackendName = (typeof BACKENDS)[number]

/** Image-to-image translators: G takes an image, not z (no latent space, no classes). */
export function isTranslation(conditioning: Conditioning): boolean {
  return conditioning === 'pix2pix' || conditioning === 'cyclegan'
}

const optimizerSchema = z.discriminatedUnion('type', [
  z
    .strictObject({
      type: z.literal('adam'),
      learningRate: z.number().gt(0).max(10).describe('Step size.'),
      beta1: z.number().min(0).lt(1).default(0.5).describe("Decay of the first moment (DCGAN uses 0.5; Adam's own default is 0.9)."),
      beta2: z.number().min(0).lt(1).default(0.999).describe('Decay of the second moment.'),
    })
    .describe('Adam (Kingma & Ba 2015).'),
  z
    .strictObject({
      type: z.literal('sgd'),
      learningRate: z.number().gt(0).max(10).describe('Step size.'),
      momentum: z.number().min(0).lt(1).default(0).describe('Momentum (0 = plain SGD).'),
    })
    .describe('Stochastic gradient descent, optionally with momentum.'),
  z
    .strictObject({
      type: z.literal('rmsprop'),
      learningRate: z.number().gt(0).max(10).describe('Step size.'),
      decay: z.number().min(0).lt(1).default(0.9).describe('Decay of the running average of squared gradients.'),
    })
    .describe('RMSProp: what the WGAN paper uses (momentum-based optimizers destabilise the critic).'),
])
export type OptimizerConfig = z.infer<typeof optimizerSchema>

export const IMAGE_DATASETS = ['mnist', 'fashion-mnist', 'mnist-idx'] as const
/** Built-in paired tasks: edges → digit (the built-in MNIST digits), edges → garment (Fashion-MNIST). */
export const PAIRED_TASKS = ['mnist-edges', 'fashion-mnist-edges'] as const
export type ImageDatasetName = (typeof IMAGE_DATASETS)[number]

const datasetSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('toy2d'),
      distribution: z
        .enum(TOY2D_DISTRIBUTIONS)
        .describe(
          'ring8: 8 Gaussians on a circle; grid25: a 5×5 grid; gaussian: one Gaussian; spiral: 50 Gaussians along two turns of a spiral.',
        ),
      std: z.number().gt(0).max(10).optional().describe("Standard deviation of each mode; the distribution's default when omitted."),
    })
    .describe('Generated 2D points from a mixture of Gaussians.'),
  z
    .strictObject({
      kind: z.literal('image'),
      name: z
        .enum(IMAGE_DATASETS)
        .describe(
          "mnist: the 10,000 digits shipped with the app; fashion-mnist: Debian's dataset-fashion-mnist (or `dir`); mnist-idx: the standard MNIST IDX files in `dir`.",
        ),
      dir: z.string().min(1).max(4096).optional().describe('A directory holding the IDX files (required for mnist-idx).'),
      limit: z.int().min(1).max(10_000_000).optional().describe('Train on the first `limit` images only (quick experiments, tests).'),
    })
    .describe('Labelled 28×28 grey images: the built-in digits, Fashion-MNIST or MNIST-format IDX files.'),
  z
    .strictObject({
      kind: z.literal('csv'),
      file: z.string().min(1).max(4096).describe('Path of the CSV file; a bad row is refused with its file and line.'),
    })
    .describe('2D points from a CSV file: two numeric columns x, y (a header row, blank lines and # comments are allowed).'),
  z
    .strictObject({
      kind: z.literal('folder'),
      dir: z.string().min(1).max(4096).describe('The folder; a non-image file or an undecodable image is refused with the file named.'),
      labelsFromFolders: z.boolean().default(false).describe("Each image's class is its first-level subfolder (sorted by name)."),
      classes: z
        .int()
        .min(2)
        .max(1000)
        .optional()
        .describe('With labelsFromFolders: how many class subfolders there are (checked when the data loads).'),
      limit: z.int().min(1).max(10_000_000).optional().describe('Train on the first `limit` images only.'),
    })
    .describe('A folder of PNG/JPEG images (searched recursively), converted to grey and resized to 28×28.'),
  z
    .strictObject({
      kind: z.literal('paired'),
      task: z
        .enum(PAIRED_TASKS)
        .optional()
        .describe("A built-in task: the condition is each image's Sobel edge map, the target the image itself."),
      dir: z
        .string()
        .min(1)
        .max(4096)
        .optional()
        .describe(
          'Or a folder: `dir/A/…` are the conditions, `dir/B/…` the targets, paired by their path inside A and B (A/x.png ↔ B/x.png); PNG or JPEG, converted to 28×28 grey.',
        ),
      limit: z.int().min(1).max(10_000_000).optional().describe('Train on the first `limit` pairs only.'),
    })
    .describe('Paired images for image-to-image translation (pix2pix): `task` or `dir`, not both.')
    .refine((d) => (d.task === undefined) !== (d.dir === undefined), {
      message: 'give either a built-in task or a dir of paired images (A/ and B/), not both',
      path: ['task'],
    }),
  z
    .strictObject({
      kind: z.literal('unpaired'),
      task: z
        .enum(PAIRED_TASKS)
        .optional()
        .describe(
          'A built-in task: its A side (edge maps) and B side (images) come from different, independently shuffled images, so no batch ever holds a pair.',
        ),
      dir: z.string().min(1).max(4096).optional().describe('Or a folder with any images in `dir/A/…` and `dir/B/…`.'),
      limit: z.int().min(1).max(10_000_000).optional().describe('Use the first `limit` images of each domain only.'),
    })
    .describe('Unpaired images for CycleGAN, two domains drawn independently: `task` or `dir`, not both.')
    .refine((d) => (d.task === undefined) !== (d.dir === undefined), {
      message: 'give either a built-in task or a dir with A/ and B/ images, not both',
      path: ['task'],
    }),
])
export type DatasetConfig = z.infer<typeof datasetSchema>

/**
 * Every field's `describe()` text is user documentation: it goes into the JSON Schema (editors show
 * it) and into docs/config.md, both generated by `npm run schema`.
 */
/** Every training trick off: the default of `tricks`, and the launcher's starting form. */
export const TRICKS_OFF = {
  labelSmoothing: 0,
  instanceNoise: 0,
  softLabels: false,
  labelFlip: 0,
  featureMatching: false,
  virtualBatchNorm: 0,
  resizeConv: false,
  translate: 0,
}

export const experimentConfigSchema = z.strictObject({
  gan: z
    .enum(GAN_KINDS)
    .default('vanilla')
    .describe(
      'The objective: vanilla (Goodfellow et al. 2014), lsgan (least squares, Mao et al. 2017), wgan (weight clipping, Arjovsky et al. 2017) or wgan-gp (gradient penalty, Gulrajani et al. 2017). D ends in a sigmoid for vanilla and in a linear score otherwise.',
    ),
  conditioning: z
    .enum(CONDITIONINGS)
    .default('none')
    .describe(
      "How labels, codes or images enter: none; cgan (the label is an input of G and of D); acgan (G takes the label, D predicts it with a second, softmax head); infogan (G takes latent codes, D's second head Q recovers them); pix2pix (G translates a condition image, D judges (condition, image) pairs, G also minimises the L1 distance to the target); cyclegan (two translators A→B and B→A on unpaired images, tied by a cycle-consistency loss).",
    ),
  infogan: z
    .strictObject({
      categorical: z.int().min(2).max(100).default(10).describe('Values of the categorical code.'),
      continuous: z.int().min(0).max(10).default(2).describe('Continuous codes, each drawn from U(−1, 1).'),
      continuousWeight: z
        .number()
        .min(0)
        .max(10)
        .default(0.1)
        .describe("λ for the continuous codes' mean-squared error (the categorical code's cross-entropy has weight categoricalWeight)."),
      categoricalWeight: z
        .number()
        .min(0)
        .max(10)
        .default(1)
        .describe("λ for the categorical code's cross-entropy (Chen et al. 2016 use 1)."),
      warmup: z
        .number()
        .min(0)
        .max(1)
        .default(0)
        .describe(
          "Share of the run (0 to 1) over which Q's whole loss (both codes' terms, for Q and G) ramps linearly from 0 to its full weight; 0: full weight from the first step. With many codes, G first learns the data without them, and the codes then divide what it draws.",
        ),
    })
    .optional()
    .describe("InfoGAN's latent codes (conditioning: infogan)."),
  acgan: z
    .strictObject({
      fakeClassWeight: z
        .number()
        .min(0)
        .max(10)
        .default(1)
        .describe(
          "Weight of D's class loss on generated samples (the paper uses 1; Keras' AC-GAN example uses 0, so D's class head learns the classes from real images only and G must draw what a real-data classifier recognises).",
        ),
    })
    .optional()
    .describe('AC-GAN settings (conditioning: acgan).'),
  pix2pix: z
    .strictObject({
      l1Weight: z.number().min(0).max(10_000).default(100).describe("Weight λ of G's L1 distance to the target (the paper uses 100)."),
    })
    .optional()
    .describe('pix2pix settings (conditioning: pix2pix).'),
  cyclegan: z
    .strictObject({
      cycleWeight: z
        .number()
        .min(0)
        .max(10_000)
        .default(10)
        .describe('λ of the cycle-consistency L1, ‖F(G(a)) − a‖ + ‖G(F(b)) − b‖ (the paper uses 10).'),
      identityWeight: z
        .number()
        .min(0)
        .max(10)
        .default(0.5)
        .describe(
          'The identity loss ‖G(b) − b‖ + ‖F(a) − a‖ as a fraction of λ (the paper uses 0.5 for photo ↔ painting; 0 turns it off).',
        ),
    })
    .optional()
    .describe('CycleGAN settings (conditioning: cyclegan).'),
  dataset: datasetSchema.describe('The training data; `kind` picks one of the forms below.'),
  latent: z
    .strictObject({
      dim: z.int().min(1).max(4096).describe('Length of z.'),
      distribution: z.enum(['normal', 'uniform']).default('normal').describe('The prior: standard normal, or uniform on [−1, 1].'),
      spherical: z.boolean().default(false).describe('Normalise z onto the unit sphere (ganhacks\' "spherical z").'),
    })
    .describe('The latent prior z.'),
  generator: modelSpecSchema.describe('The generator G: a layer stack or a graph.'),
  discriminator: modelSpecSchema.describe(
    "The discriminator D (a second output for AC-GAN's classes or InfoGAN's Q): a layer stack or a graph.",
  ),
  loss: z
    .strictObject({
      generator: z
        .enum(['minimax', 'non-saturating'])
        .default('non-saturating')
        .describe('Vanilla GAN only. minimax: G minimises log(1 − D(G(z))); non-saturating: G maximises log D(G(z)).'),
      clip: z.number().gt(0).max(10).default(0.01).describe("WGAN: the critic's weights are clipped to [−clip, clip] after each update."),
      gradientPenalty: z.number().min(0).max(1000).default(10).describe('WGAN-GP: weight λ of the gradient penalty.'),
    })
    .default({ generator: 'non-saturating', clip: 0.01, gradientPenalty: 10 })
    .describe('Loss settings of the objectives.'),
  optimizers: z
    .strictObject({
      generator: optimizerSchema.describe("G's optimizer; `type` picks one of the forms below."),
      discriminator: optimizerSchema.describe("D's optimizer; `type` picks one of the forms below."),
    })
    .describe('One optimizer for G and one for D.'),
  tricks: z
    .strictObject({
      labelSmoothing: z
        .number()
        .min(0)
        .max(0.5)
        .default(0)
        .describe('One-sided label smoothing: real targets become 1 − s (Salimans et al. use s = 0.1).'),
      instanceNoise: z
        .number()
        .min(0)
        .max(10)
        .default(0)
        .describe("Std of Gaussian noise added to D's inputs, decaying linearly to 0 over the run."),
      softLabels: z
        .boolean()
        .default(false)
        .describe('Soft labels (ganhacks): real targets drawn from U(0.7, 1), fake targets from U(0, 0.3).'),
      labelFlip: z.number().min(0).max(0.5).default(0).describe('Noisy labels (ganhacks): each D target is flipped with this probability.'),
      featureMatching: z
        .boolean()
        .default(false)
        .describe(
          "Feature matching (Salimans et al. 2016): G minimises ‖E f(x) − E f(G(z))‖² over the features f that feed D's real/fake output, instead of fooling D directly.",
        ),
      virtualBatchNorm: z
        .int()
        .min(0)
        .max(1024)
        .default(0)
        .describe(
          'Virtual batch normalisation (Salimans et al. 2016), one-pass form: G also runs a fixed reference batch of this many samples, and its batch-norm statistics come from the reference and the minibatch together. 0 turns it off; G needs batch-norm layers.',
        ),
      resizeConv: z
        .boolean()
        .default(false)
        .describe(
          "Resize-convolution (Odena et al. 2016): G's up-sampling transposed convolutions become nearest-neighbour up-sampling followed by a stride-1 convolution, against checkerboard artifacts. Same parameter count and shapes; `model summary` shows the replaced layers.",
        ),
      translate: z
        .int()
        .min(0)
        .max(8)
        .default(0)
        .describe(
          'Random translation (DiffAugment, Zhao et al. 2020): every image D sees, real or generated, is shifted by its own random whole number of pixels in [−n, n] along each axis (reflected edges), and G learns through the shift, so D cannot memorise where details sit in a small dataset. 0 = off; images only, not with pix2pix, CycleGAN or the gradient penalty.',
        ),
    })
    .default(TRICKS_OFF)
    .describe('Training tricks from the lectures and papers; each is off by default.'),
  training: z
    .strictObject({
      batchSize: z.int().min(1).max(4096).describe('Samples per batch (real and generated alike).'),
      epochs: z.int().min(1).max(100_000).describe('Epochs; each saves a sample grid and, by default, a checkpoint.'),
      stepsPerEpoch: z.int().min(1).max(1_000_000).describe('Iterations per epoch (one iteration = k D steps + 1 G step).'),
      dSteps: z.int().min(1).max(100).default(1).describe('k in Algorithm 1 of Goodfellow et al.: D steps per G step.'),
      unrollSteps: z
        .int()
        .min(0)
        .max(20)
        .default(0)
        .describe(
          "Unrolled GAN (Metz et al. 2017): G's loss is taken against D advanced this many extra steps; D is then put back. 0 = off. training.unrollGradient says whether G's gradient flows through those steps.",
        ),
      unrollGradient: z
        .enum(['first-order', 'second-order'])
        .default('first-order')
        .describe(
          "How an unrolled G's gradient is taken. first-order: against a copy of D advanced with its own optimizer, treated as fixed (cheap; works with any D). second-order: through the K look-ahead steps of D's Adam, as Metz et al. define it and their reference code computes it (G anticipates D's response); all steps on one real batch and G's one generated batch. Needs the vanilla objective, no conditioning, an MLP D (dense layers with linear, ReLU, LeakyReLU or tanh, one logit out) trained with Adam, and none of feature matching, instance noise, virtual batch norm.",
        ),
      lrSchedule: z
        .enum(['constant', 'linear'])
        .default('constant')
        .describe(
          'Learning-rate schedule of both optimizers: constant, or linear decay from the configured rate to 0 at the last step (sharper samples late in a run; the PacGAN-ring recipes use it).',
        ),
      warmupSteps: z
        .int()
        .min(0)
        .max(1_000_000)
        .default(0)
        .describe('Steps over which both learning rates ramp up linearly from rate/warmupSteps (0 = none).'),
      generatorEma: z
        .number()
        .min(0)
        .lt(1)
        .default(0)
        .describe(
          "Generator weight averaging (Yazıcı et al. 2019): an exponential moving average of G's weights with this decay β (e.g. 0.999) is kept beside G; samples, evaluation and export use the averaged G. Its batch-norm statistics (if G has batch norm) are recomputed from 32 batches of 64 of its own at every epoch's end and checkpoint, as the mean of their batch statistics, rather than left as the average of G's. 0 = off (not available for CycleGAN).",
        ),
      seed: z
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .default(42)
        .describe('Seeds weights, data order and z; the same seed and backend give the same run (models with dropout excepted).'),
      logEvery: z.int().min(1).max(1_000_000).default(10).describe('Write metrics every this many iterations.'),
      checkpointEvery: z.int().min(1).max(100_000).default(1).describe('Save a checkpoint every this many epochs (and always at the end).'),
      keepCheckpoints: z
        .int()
        .min(0)
        .max(100_000)
        .default(0)
        .describe(
          "Keep only the newest this many checkpoints: each new one deletes the oldest beyond it (on a queue worker and on its coordinator alike). 0 keeps every one. A checkpoint holds the weights and both optimizers' state (about 140 MB for InfoGAN's MNIST models, 2 MB for the 2D MLPs); forking from an epoch needs a checkpoint at or before it.",
        ),
      evalSamples: z
        .int()
        .min(0)
        .max(10_000)
        .default(500)
        .describe(
          'Generated samples behind the per-epoch image metrics (Fréchet distance, IS-style score, precision/recall, classes present) on datasets with an evaluation classifier; 0 turns them off.',
        ),
    })
    .describe('The training loop.'),
  backend: z
    .enum(['auto', ...BACKENDS])
    .default('auto')
    .describe('auto picks the fastest backend available (see docs/backends.md); a name forces that backend.'),
})

export type ExperimentConfig = z.infer<typeof experimentConfigSchema>
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>
