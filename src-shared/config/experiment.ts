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
  z.strictObject({
    type: z.literal('adam'),
    learningRate: z.number().gt(0).max(10),
    beta1: z.number().min(0).lt(1).default(0.5),
    beta2: z.number().min(0).lt(1).default(0.999),
  }),
  z.strictObject({
    type: z.literal('sgd'),
    learningRate: z.number().gt(0).max(10),
    momentum: z.number().min(0).lt(1).default(0),
  }),
  z.strictObject({
    /** What the WGAN paper uses (momentum-based optimizers destabilise the critic). */
    type: z.literal('rmsprop'),
    learningRate: z.number().gt(0).max(10),
    decay: z.number().min(0).lt(1).default(0.9),
  }),
])
export type OptimizerConfig = z.infer<typeof optimizerSchema>

export const IMAGE_DATASETS = ['mnist', 'fashion-mnist', 'mnist-idx'] as const
/** Built-in paired tasks: edges → digit (the built-in MNIST digits), edges → garment (Fashion-MNIST). */
export const PAIRED_TASKS = ['mnist-edges', 'fashion-mnist-edges'] as const
export type ImageDatasetName = (typeof IMAGE_DATASETS)[number]

const datasetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('toy2d'),
    distribution: z.enum(TOY2D_DISTRIBUTIONS),
    /** Standard deviation of each mode; the distribution's default when omitted. */
    std: z.number().gt(0).max(10).optional(),
  }),
  z.strictObject({
    kind: z.literal('image'),
    /**
     * mnist: the 10,000 digits shipped with the app; fashion-mnist: Debian's dataset-fashion-mnist
     * (or `dir`); mnist-idx: the standard MNIST IDX files in `dir`.
     */
    name: z.enum(IMAGE_DATASETS),
    /** A directory holding the IDX files (required for mnist-idx). */
    dir: z.string().min(1).max(4096).optional(),
    /** Train on the first `limit` images only (quick experiments, tests). */
    limit: z.int().min(1).max(10_000_000).optional(),
  }),
  z.strictObject({
    /** 2D points from a CSV file: two numeric columns x, y (a header row is allowed). */
    kind: z.literal('csv'),
    file: z.string().min(1).max(4096),
  }),
  z.strictObject({
    /**
     * A folder of PNG/JPEG images (searched recursively), converted to grey and resized to 28×28.
     * With `labelsFromFolders`, each image's class is its first-level subfolder (sorted by name).
     */
    kind: z.literal('folder'),
    dir: z.string().min(1).max(4096),
    labelsFromFolders: z.boolean().default(false),
    /** With labelsFromFolders: how many class subfolders there are (checked when the data loads). */
    classes: z.int().min(2).max(1000).optional(),
    limit: z.int().min(1).max(10_000_000).optional(),
  }),
  z.strictObject({
    /**
     * Paired images for image-to-image translation (pix2pix), built from a dataset: the condition is
     * each image's edge map (Sobel), the target the image itself.
     */
    kind: z.literal('paired'),
    task: z.enum(PAIRED_TASKS).optional(),
    /**
     * Or paired images from a folder: `dir/A/…` are the conditions, `dir/B/…` the targets, paired
     * by their path inside A and B (A/x.png ↔ B/x.png). PNG or JPEG, converted to 28×28 grey.
     */
    dir: z.string().min(1).max(4096).optional(),
    limit: z.int().min(1).max(10_000_000).optional(),
  }).refine((d) => (d.task === undefined) !== (d.dir === undefined), { message: 'give either a built-in task or a dir of paired images (A/ and B/), not both', path: ['task'] }),
  z.strictObject({
    /**
     * Unpaired images for CycleGAN: two domains drawn independently. A built-in task takes its A
     * side (edge maps) and B side (images) from different, independently shuffled images, so no
     * batch ever holds a pair; or a folder with any images in `dir/A/…` and `dir/B/…`.
     */
    kind: z.literal('unpaired'),
    task: z.enum(PAIRED_TASKS).optional(),
    dir: z.string().min(1).max(4096).optional(),
    limit: z.int().min(1).max(10_000_000).optional(),
  }).refine((d) => (d.task === undefined) !== (d.dir === undefined), { message: 'give either a built-in task or a dir with A/ and B/ images, not both', path: ['task'] }),
])
export type DatasetConfig = z.infer<typeof datasetSchema>

export const experimentConfigSchema = z.strictObject({
  /**
   * The objective: vanilla (Goodfellow et al. 2014), lsgan (least squares), wgan (weight clipping)
   * or wgan-gp (gradient penalty). D ends in a sigmoid for vanilla and in a linear score otherwise.
   */
  gan: z.enum(GAN_KINDS).default('vanilla'),
  conditioning: z.enum(CONDITIONINGS).default('none'),
  /** InfoGAN's codes: one categorical code of `categorical` values and `continuous` U(−1, 1) codes. */
  infogan: z.strictObject({
    categorical: z.int().min(2).max(100).default(10),
    continuous: z.int().min(0).max(10).default(2),
    /** λ for the continuous codes' mean-squared error (the paper uses 1 for categorical, small for continuous). */
    continuousWeight: z.number().min(0).max(10).default(0.1),
  }).optional(),
  /** pix2pix: weight λ of G's L1 distance to the target (the paper uses 100). */
  pix2pix: z.strictObject({ l1Weight: z.number().min(0).max(10_000).default(100) }).optional(),
  /**
   * CycleGAN: λ of the cycle-consistency L1 (‖F(G(a)) − a‖ + ‖G(F(b)) − b‖; the paper uses 10) and
   * the identity loss's weight as a fraction of λ (‖G(b) − b‖ + ‖F(a) − a‖; the paper uses 0.5).
   */
  cyclegan: z.strictObject({
    cycleWeight: z.number().min(0).max(10_000).default(10),
    identityWeight: z.number().min(0).max(10).default(0.5),
  }).optional(),
  dataset: datasetSchema,
  latent: z.strictObject({
    dim: z.int().min(1).max(4096),
    distribution: z.enum(['normal', 'uniform']).default('normal'),
    /** Normalise z onto the unit sphere (ganhacks' "spherical z"). */
    spherical: z.boolean().default(false),
  }),
  generator: modelSpecSchema,
  discriminator: modelSpecSchema,
  loss: z.strictObject({
    /** Vanilla GAN only. minimax: G minimises log(1 − D(G(z))); non-saturating: G maximises log D(G(z)). */
    generator: z.enum(['minimax', 'non-saturating']).default('non-saturating'),
    /** WGAN: the critic's weights are clipped to [−clip, clip] after each update. */
    clip: z.number().gt(0).max(10).default(0.01),
    /** WGAN-GP: weight λ of the gradient penalty. */
    gradientPenalty: z.number().min(0).max(1000).default(10),
  }).default({ generator: 'non-saturating', clip: 0.01, gradientPenalty: 10 }),
  optimizers: z.strictObject({ generator: optimizerSchema, discriminator: optimizerSchema }),
  tricks: z.strictObject({
    /** One-sided label smoothing: real targets become 1 − s (Salimans et al. use s = 0.1). */
    labelSmoothing: z.number().min(0).max(0.5).default(0),
    /** Gaussian noise added to D's inputs, its std decaying linearly to 0 over the run. */
    instanceNoise: z.number().min(0).max(10).default(0),
    /** Soft labels (ganhacks): real targets drawn from U(0.7, 1), fake targets from U(0, 0.3). */
    softLabels: z.boolean().default(false),
    /** Noisy labels (ganhacks): each D target is flipped with this probability. */
    labelFlip: z.number().min(0).max(0.5).default(0),
    /**
     * Feature matching (Salimans et al. 2016): G minimises ‖E f(x) − E f(G(z))‖² over the features
     * f that feed D's real/fake output, instead of fooling D directly.
     */
    featureMatching: z.boolean().default(false),
    /**
     * Virtual batch normalisation (Salimans et al. 2016), in its one-pass form: during training G
     * also runs a fixed reference batch of this many samples, and its batch-norm statistics come
     * from the reference and the minibatch together, so a sample depends far less on the other
     * samples of its minibatch. 0 turns it off; G needs batch-norm layers.
     */
    virtualBatchNorm: z.int().min(0).max(1024).default(0),
    /**
     * Resize-convolution (Odena et al. 2016): G's up-sampling transposed convolutions become
     * nearest-neighbour up-sampling followed by a stride-1 convolution, against checkerboard
     * artifacts. Same parameter count and shapes; `model summary` shows the replaced layers.
     */
    resizeConv: z.boolean().default(false),
  }).default({ labelSmoothing: 0, instanceNoise: 0, softLabels: false, labelFlip: 0, featureMatching: false, virtualBatchNorm: 0, resizeConv: false }),
  training: z.strictObject({
    batchSize: z.int().min(1).max(4096),
    epochs: z.int().min(1).max(100_000),
    /** Iterations per epoch (one iteration = k D steps + 1 G step). */
    stepsPerEpoch: z.int().min(1).max(1_000_000),
    /** k in Algorithm 1 of Goodfellow et al.: D steps per G step. */
    dSteps: z.int().min(1).max(100).default(1),
    /**
     * Unrolled GAN (Metz et al. 2017): G's loss is taken against D advanced this many extra steps
     * (first-order: no gradient through the unrolled updates); D is then put back. 0 = off.
     */
    unrollSteps: z.int().min(0).max(20).default(0),
    /**
     * Learning-rate schedule of both optimizers: constant, or linear decay from the configured rate
     * to 0 at the last step (sharper samples late in a run; PacGAN-style 2D recipes need it).
     */
    lrSchedule: z.enum(['constant', 'linear']).default('constant'),
    /** Steps over which both learning rates ramp up linearly from rate/warmupSteps (0 = none). */
    warmupSteps: z.int().min(0).max(1_000_000).default(0),
    /**
     * Generator weight averaging (Yazıcı et al. 2019): an exponential moving average of G's
     * weights with this decay β (e.g. 0.999) is kept beside G; samples, evaluation and export use
     * the averaged G. 0 = off.
     */
    generatorEma: z.number().min(0).lt(1).default(0),
    seed: z.int().min(0).max(2 ** 31 - 1).default(42),
    /** Write metrics every this many iterations. */
    logEvery: z.int().min(1).max(1_000_000).default(10),
    /** Save a checkpoint every this many epochs (and always at the end). */
    checkpointEvery: z.int().min(1).max(100_000).default(1),
    /**
     * Generated samples behind the per-epoch image metrics (Fréchet distance, IS-style score,
     * precision/recall) on datasets with an evaluation classifier; 0 turns them off.
     */
    evalSamples: z.int().min(0).max(10_000).default(500),
  }),
  backend: z.enum(['auto', ...BACKENDS]).default('auto'),
})

export type ExperimentConfig = z.infer<typeof experimentConfigSchema>
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>
