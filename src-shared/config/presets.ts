/**
 * The catalog: each preset is a complete config the user can copy and edit. Hyperparameters cite
 * where they come from (the lecture notes in shared/seeds and the papers they summarise).
 */
import type { ExperimentConfigInput } from './experiment'
import type { Toy2dName } from '../datasets/toy2d'
import type { LayerSpec, ModelSpecInput, SequentialSpecInput } from '../model/spec'
import {
  acganDcganDiscriminator,
  acganDcganGenerator,
  acganDiscriminator,
  acganDiscriminatorEvenOverlap,
  acganGenerator,
  cganDiscriminator,
  cganGenerator,
  cycleDiscriminator,
  cycleGenerator,
  infoganDiscriminator,
  infoganGenerator,
  mlp2dCodeDiscriminator,
  mlp2dCodeGenerator,
  patchDiscriminator,
  unetGenerator,
} from './conditional-models'
import {
  dcganBnGenerator,
  kerasDcganDiscriminator,
  kerasDcganGenerator,
  lectureDiscriminator,
  lectureGenerator,
  radfordDcganDiscriminator,
  radfordDcganGenerator,
} from './reference-models'

export interface Preset {
  name: string
  title: string
  description: string
  config: ExperimentConfigInput
}

const leaky: LayerSpec = { type: 'activation', activation: 'leakyRelu', alpha: 0.2 }

/**
 * The lecture's fully connected GAN for 2D points: "G takes 4 random numbers and generates a
 * coordinate pair; D takes a coordinate pair and determines whether it is drawn from the
 * distribution". Hidden widths, Adam 1e-3/β1 0.5 and batch 256 follow common 2D-mixture setups.
 */
function mlp2d(distribution: Toy2dName, epochs: number): ExperimentConfigInput {
  return {
    gan: 'vanilla',
    dataset: { kind: 'toy2d', distribution },
    latent: { dim: 4, distribution: 'normal' },
    generator: {
      inputShape: [4],
      layers: [{ type: 'dense', units: 128 }, leaky, { type: 'dense', units: 128 }, leaky, { type: 'dense', units: 2 }],
    },
    discriminator: {
      inputShape: [2],
      layers: [
        { type: 'dense', units: 128 },
        leaky,
        { type: 'dense', units: 128 },
        leaky,
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
    },
    loss: { generator: 'non-saturating' },
    optimizers: {
      generator: { type: 'adam', learningRate: 1e-3, beta1: 0.5 },
      discriminator: { type: 'adam', learningRate: 1e-3, beta1: 0.5 },
    },
    training: { batchSize: 256, epochs, stepsPerEpoch: 100, dSteps: 1, seed: 42, logEvery: 5, checkpointEvery: 5 },
    backend: 'auto',
  }
}

/**
 * The lecture's 2D MLP GAN on PacGAN's ring (Lin et al. 2018: 8 modes on the unit circle, std
 * 0.01), changed only where a measured search found a gain: both learning rates decayed linearly
 * to 0 over the run (the steps shrink as G settles on the modes, which tightens its samples around
 * them), and samples, evaluation and export from an exponential moving average of G's weights
 * (β 0.999, Yazıcı et al. 2019: the average sits nearer the modes than G's last iterate, which
 * keeps oscillating around them). `width`/`depth` widen both networks (the lecture's are 2 hidden
 * layers of 128); `epochs` of 100 steps of 256 and the starting `learningRate` of both optimizers
 * are the budget (the 2×128 recipe: 40,000 steps from 5e-4, which a search of 2026-12-05 put
 * ahead of 10,000 and 20,000 steps, and of 1e-3, on every seed tried).
 */
function mlp2dPacganRing(depth: number, width: number, epochs: number, learningRate: number): ExperimentConfigInput {
  const base = mlp2d('pacgan-ring8', epochs)
  const hidden = (): SequentialSpecInput['layers'] =>
    Array.from({ length: depth }, (): SequentialSpecInput['layers'] => [{ type: 'dense', units: width }, leaky]).flat()
  return {
    ...base,
    generator: { inputShape: [4], layers: [...hidden(), { type: 'dense', units: 2 }] },
    discriminator: { inputShape: [2], layers: [...hidden(), { type: 'dense', units: 1, activation: 'sigmoid' }] },
    optimizers: {
      generator: { type: 'adam', learningRate, beta1: 0.5 },
      discriminator: { type: 'adam', learningRate, beta1: 0.5 },
    },
    training: decayAndAverage(base.training),
  }
}

/** The PacGAN-ring recipe's generic changes to a 2D preset's training: both rates decayed linearly to 0, G weight averaging β 0.999. */
function decayAndAverage(training: ExperimentConfigInput['training']): ExperimentConfigInput['training'] {
  return { ...training, checkpointEvery: 20, lrSchedule: 'linear', generatorEma: 0.999 }
}

/**
 * The lecture's 2D MLP GAN with InfoGAN's categorical code (Chen et al. 2016), one value per mode of
 * the mixture, and no continuous codes: G takes z and the one-hot code, D's linear Q head recovers
 * the code, and both minimise Q's cross-entropy. Why: G is continuous in its input, so from z alone
 * it must draw a bridge of samples between disconnected modes (Khayatkhoei et al. 2018); the code is
 * a discrete jump, and Q keeps different codes on different modes. The codes are drawn uniformly,
 * as the toy mixtures weight their modes. With the PacGAN-ring recipe's generic changes at its
 * earlier budget: 10,000 steps of 256 from 1e-3 (`epochs` of 100 steps), both rates decayed
 * linearly to 0, G weight averaging β 0.999. The user must know the number of modes
 * (`infogan.categorical`). `instanceNoise` (the std of Gaussian noise on D's inputs, decaying to 0)
 * widens D's view where modes are far apart for their size: a code left between two modes then
 * still feels the pull of the mode no code holds. `qWarmup` (infogan.warmup) ramps Q's loss from 0
 * over that share of the run: G first draws the data as a plain GAN, and the codes then divide it.
 */
function mlp2dCodes(
  distribution: Toy2dName,
  modes: number,
  { epochs = 100, instanceNoise = 0, qWarmup = 0 }: { epochs?: number; instanceNoise?: number; qWarmup?: number } = {},
): ExperimentConfigInput {
  const base = mlp2d(distribution, epochs)
  return {
    ...conditional(base, 'infogan'),
    infogan: { categorical: modes, continuous: 0, ...(qWarmup > 0 ? { warmup: qWarmup } : {}) },
    generator: mlp2dCodeGenerator(4, modes),
    discriminator: mlp2dCodeDiscriminator(modes),
    ...(instanceNoise > 0 ? { tricks: { instanceNoise } } : {}),
    training: decayAndAverage(base.training),
  }
}

/** Turns a vanilla preset into one whose D is a critic with a raw score output (LSGAN, WGAN). */
function scoreCritic(
  base: ExperimentConfigInput,
  gan: 'lsgan' | 'wgan' | 'wgan-gp',
  changes: { optimizers?: ExperimentConfigInput['optimizers']; dSteps?: number },
): ExperimentConfigInput {
  const layers = (base.discriminator as SequentialSpecInput).layers.map((l, i, all) =>
    i === all.length - 1 ? { ...l, activation: 'linear' as const } : l,
  )
  return {
    ...base,
    gan,
    discriminator: { ...base.discriminator, layers },
    optimizers: changes.optimizers ?? base.optimizers,
    training: { ...base.training, dSteps: changes.dSteps ?? base.training.dSteps },
  }
}

/** Image GANs on 28×28 grey images; an epoch is one pass over the 10,000 built-in digits at batch 64. */
function imageGan(
  dataset: ExperimentConfigInput['dataset'],
  models: { generator: ModelSpecInput; discriminator: ModelSpecInput },
  learningRate: number,
  epochs: number,
  stepsPerEpoch = 157,
): ExperimentConfigInput {
  return {
    gan: 'vanilla',
    dataset,
    latent: { dim: 100, distribution: 'normal' },
    ...models,
    loss: { generator: 'non-saturating' },
    optimizers: {
      generator: { type: 'adam', learningRate, beta1: 0.5 },
      discriminator: { type: 'adam', learningRate, beta1: 0.5 },
    },
    training: { batchSize: 64, epochs, stepsPerEpoch, dSteps: 1, seed: 42, logEvery: 10, checkpointEvery: 1 },
    backend: 'auto',
  }
}

const keras = { generator: kerasDcganGenerator, discriminator: kerasDcganDiscriminator }
const radford = { generator: radfordDcganGenerator, discriminator: radfordDcganDiscriminator }
const acgan = { generator: acganGenerator, discriminator: acganDiscriminator }

function conditional(base: ExperimentConfigInput, conditioning: 'cgan' | 'acgan' | 'infogan'): ExperimentConfigInput {
  return { ...base, conditioning }
}

/** pix2pix on a built-in paired task: Adam 2e-4 (β1 0.5) for both, as in the lecture; L1 weight 100. */
function pix2pix(task: 'mnist-edges' | 'fashion-mnist-edges', stepsPerEpoch: number): ExperimentConfigInput {
  const base = imageGan({ kind: 'paired', task }, { generator: unetGenerator, discriminator: patchDiscriminator }, 2e-4, 20, stepsPerEpoch)
  return { ...base, conditioning: 'pix2pix', pix2pix: { l1Weight: 100 }, training: { ...base.training, batchSize: 32 } }
}

/**
 * CycleGAN (Zhu et al. 2017) on a built-in task made unpaired: least-squares objective, cycle λ 10,
 * Adam 2e-4 (β1 0.5) for both translators and both critics, as in the paper. No identity loss: the
 * paper adds it to keep a painting's colours in photo ↔ painting; edge maps and digits are meant
 * to differ, and a translator asked to leave digits unchanged learns less of the mapping.
 */
function cyclegan(task: 'mnist-edges' | 'fashion-mnist-edges', stepsPerEpoch: number): ExperimentConfigInput {
  const base = imageGan(
    { kind: 'unpaired', task },
    { generator: cycleGenerator, discriminator: cycleDiscriminator },
    2e-4,
    20,
    stepsPerEpoch,
  )
  return {
    ...base,
    gan: 'lsgan',
    conditioning: 'cyclegan',
    cyclegan: { cycleWeight: 10, identityWeight: 0 },
    training: { ...base.training, batchSize: 32 },
  }
}

/** InfoGAN (Chen et al. 2016) on MNIST: z of 62, codes 10-way categorical + 2 continuous; Adam 2e-4 (D) and 1e-3 (G). */
function infogan(): ExperimentConfigInput {
  const base = imageGan({ kind: 'image', name: 'mnist' }, { generator: infoganGenerator, discriminator: infoganDiscriminator }, 2e-4, 20)
  return {
    ...conditional(base, 'infogan'),
    latent: { dim: 62, distribution: 'uniform' },
    infogan: { categorical: 10, continuous: 2, continuousWeight: 0.1 },
    optimizers: {
      generator: { type: 'adam', learningRate: 1e-3, beta1: 0.5 },
      discriminator: { type: 'adam', learningRate: 2e-4, beta1: 0.5 },
    },
  }
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'mlp-2d-ring8',
    title: 'MLP GAN · ring of 8 Gaussians',
    description: 'The classic mode-collapse testbed: 8 modes on a circle of radius 2 (std 0.02).',
    config: mlp2d('ring8', 30),
  },
  {
    name: 'mlp-2d-pacgan-ring8-decay-ema',
    title: 'MLP GAN · PacGAN ring, lr decay + weight averaging',
    description:
      "The lecture's 2D MLP GAN (same networks, Adam β1 0.5, batch 256) on PacGAN's ring (8 modes on the unit circle, std 0.01), with four changes: 40,000 steps; learning rates of 5e-4 instead of 1e-3; both decayed linearly to 0 over the run (samples tighten around the modes as the steps shrink); samples, evaluation and export from an exponential moving average of G's weights (β 0.999, Yazıcı et al. 2019), which sits nearer the modes than G's last iterate. About 2 minutes on 2 cores; every mode keeps its share of the samples. Covers the modes, but does not yet reach the goal of the PacGAN comparison (8/8 modes with ≥ 97 % of samples within 3σ of a mode, on every seed): see docs/reproductions.md.",
    config: mlp2dPacganRing(2, 128, 400, 5e-4),
  },
  {
    name: 'mlp-2d-pacgan-ring8-decay-ema-wide',
    title: 'MLP GAN · PacGAN ring, lr decay + weight averaging, 3×256',
    description:
      "As mlp-2d-pacgan-ring8-decay-ema, with wider and deeper networks and its earlier budget (10,000 steps from learning rates of 1e-3): G and D have 3 hidden layers of 256 instead of the lecture's 2 of 128 (more capacity gave the largest single gain in the share of high-quality samples in the search; PacGAN's own 2D networks are larger still). About 3× the time per step. Sharper samples, but it covers the modes less reliably than the 2×128 networks: on some seeds modes are starved or dropped. Does not yet reach the goal of 8/8 modes with ≥ 97 % high quality on every seed: see docs/reproductions.md.",
    config: mlp2dPacganRing(3, 256, 100, 1e-3),
  },
  {
    name: 'mlp-2d-gaussian',
    title: 'MLP GAN · single 2D Gaussian',
    description: "The lecture's first GAN: learn one 2D Gaussian (centre (1, 1), std 0.5).",
    config: mlp2d('gaussian', 10),
  },
  {
    name: 'mlp-2d-grid25',
    title: 'MLP GAN · 5×5 grid of Gaussians',
    description: '25 modes on a grid with spacing 2 (std 0.05): harder, collapses easily.',
    config: mlp2d('grid25', 40),
  },
  {
    name: 'mlp-2d-spiral',
    title: 'MLP GAN · spiral',
    description: 'Two turns of a spiral (50 tight Gaussians along it, std 0.05): a thin curved manifold.',
    config: mlp2d('spiral', 40),
  },
  {
    name: 'mlp-2d-pacgan-ring8-codes',
    title: 'MLP GAN + categorical code · PacGAN ring',
    description:
      "PacGAN's ring (8 modes on the unit circle, std 0.01): the lecture's 2D MLP GAN given InfoGAN's categorical code with one value per mode (8), beside z, and a Q head on D that recovers it (no continuous codes). G maps z continuously, so without the code it draws bridges of samples between modes; the code lets it jump, and Q keeps the codes apart. 10,000 steps of 256 from learning rates of 1e-3 decayed linearly to 0, G weight averaging β 0.999. Needs the number of modes. Results against the papers: docs/reproductions.md.",
    config: mlp2dCodes('pacgan-ring8', 8),
  },
  {
    name: 'mlp-2d-ring8-codes',
    title: 'MLP GAN + categorical code · ring of 8',
    description:
      "The ring of 8 (radius 2, std 0.02): the lecture's 2D MLP GAN given InfoGAN's categorical code with one value per mode (8), beside z, and a Q head on D that recovers it (no continuous codes). G maps z continuously, so without the code it draws bridges of samples between modes; the code lets it jump, and Q keeps the codes apart. 20,000 steps of 256 (twice the PacGAN ring's: this ring is twice its size, with σ twice as large) from learning rates of 1e-3 decayed linearly to 0, G weight averaging β 0.999. Needs the number of modes. Results against the papers: docs/reproductions.md.",
    config: mlp2dCodes('ring8', 8, { epochs: 200 }),
  },
  {
    name: 'mlp-2d-grid25-codes',
    title: 'MLP GAN + categorical code · grid of 25',
    description:
      "The 5×5 grid of PacGAN and VEEGAN (std 0.05): the lecture's 2D MLP GAN given InfoGAN's categorical code with one value per mode (25), beside z, and a Q head on D that recovers it (no continuous codes). G maps z continuously, so without the code it draws bridges of samples between modes; the code lets it jump, and Q keeps the codes apart. Instance noise on D's inputs (std 0.3, decaying linearly to 0): without it a code could stay on a line between two modes, on 2 of 5 seeds. 10,000 steps of 256 from learning rates of 1e-3 decayed linearly to 0, G weight averaging β 0.999. Needs the number of modes. Results against the papers: docs/reproductions.md.",
    config: mlp2dCodes('grid25', 25, { instanceNoise: 0.3 }),
  },
  {
    name: 'mlp-2d-spiral-codes',
    title: 'MLP GAN + categorical code · spiral',
    description:
      "The spiral of 50 tight Gaussians (std 0.05): the lecture's 2D MLP GAN given InfoGAN's categorical code with one value per mode (50), beside z, and a Q head on D that recovers it (no continuous codes). G maps z continuously, so without the code it draws bridges of samples between modes; the code lets it jump, and Q keeps the codes apart. Q's loss ramps from 0 to full over the first 500 steps (infogan.warmup 0.05): with all 50 codes from the first step, some settled between modes that other codes held. 10,000 steps of 256 from learning rates of 1e-3 decayed linearly to 0, G weight averaging β 0.999. Needs the number of modes. Results against the papers: docs/reproductions.md.",
    config: mlp2dCodes('spiral', 50, { qWarmup: 0.05 }),
  },
  {
    name: 'mlp-2d-ring8-lsgan',
    title: 'LSGAN · ring of 8 Gaussians',
    description: 'Least-squares GAN (Mao et al. 2017): D outputs a score, losses are squared errors to 1 and 0.',
    config: scoreCritic(mlp2d('ring8', 30), 'lsgan', {}),
  },
  {
    name: 'mlp-2d-ring8-wgan',
    title: 'WGAN · ring of 8 Gaussians (weight clipping)',
    description: 'Wasserstein GAN (Arjovsky et al. 2017): RMSProp, 5 critic steps per G step, weights clipped to ±0.01.',
    config: scoreCritic(mlp2d('ring8', 30), 'wgan', {
      optimizers: { generator: { type: 'rmsprop', learningRate: 5e-4 }, discriminator: { type: 'rmsprop', learningRate: 5e-4 } },
      dSteps: 5,
    }),
  },
  {
    name: 'mlp-2d-ring8-wgan-gp',
    title: 'WGAN-GP · ring of 8 Gaussians',
    description: 'WGAN with gradient penalty λ = 10 (Gulrajani et al. 2017): Adam β = (0.5, 0.9), 5 critic steps per G step.',
    config: scoreCritic(mlp2d('ring8', 30), 'wgan-gp', {
      optimizers: {
        generator: { type: 'adam', learningRate: 1e-3, beta1: 0.5, beta2: 0.9 },
        discriminator: { type: 'adam', learningRate: 1e-3, beta1: 0.5, beta2: 0.9 },
      },
      dSteps: 5,
    }),
  },
  {
    name: 'dcgan-mnist',
    title: 'DCGAN · MNIST (Keras-style reference)',
    description:
      "The lectures' Keras-style models exactly: G 1,164,289 params, D 40,705; Adam 2e-4/β1 0.5. At batch 64 D tends to win early: see the -bn variant.",
    config: imageGan({ kind: 'image', name: 'mnist' }, keras, 2e-4, 20),
  },
  {
    name: 'dcgan-mnist-bn',
    title: 'DCGAN · MNIST (with batch norm in G)',
    description: 'The Keras-style pair with batch normalisation in G (Radford et al.): D no longer wins in the first epoch at batch 64.',
    config: imageGan({ kind: 'image', name: 'mnist' }, { generator: dcganBnGenerator, discriminator: kerasDcganDiscriminator }, 2e-4, 20),
  },
  {
    name: 'dcgan-radford-mnist',
    title: 'DCGAN · MNIST (Radford et al.)',
    description:
      'DCGAN as its paper defines it, at 28×28: transposed convolutions with batch norm and ReLU in G, strided convolutions with batch norm and LeakyReLU in D, no dropout; Adam 2e-4/β1 0.5.',
    config: imageGan({ kind: 'image', name: 'mnist' }, radford, 2e-4, 20),
  },
  {
    name: 'dcgan-fashion-mnist',
    title: 'DCGAN · Fashion-MNIST (Radford et al.)',
    description: "The Radford et al. DCGAN pair on Fashion-MNIST (Debian's dataset-fashion-mnist, 60,000 images).",
    config: imageGan({ kind: 'image', name: 'fashion-mnist' }, radford, 2e-4, 10, 938),
  },
  {
    name: 'gan-mnist-lecture',
    title: 'GAN · MNIST (lecture: up-sampling + 5×5 convs)',
    description: 'Lecture 9a: Dense 100→12544, 7×7×256, up-sampling with 5×5 convolutions; Adam 1e-4.',
    config: imageGan({ kind: 'image', name: 'mnist' }, { generator: lectureGenerator, discriminator: lectureDiscriminator }, 1e-4, 20),
  },
  {
    name: 'acgan-mnist',
    title: 'AC-GAN · MNIST (lecture)',
    description:
      "Lecture 9a's AC-GAN: the label's embedding multiplied into z; D with a real/fake head and a 10-way class head; Adam 2e-4, 30 epochs. Grids show one row per digit.",
    config: conditional(imageGan({ kind: 'image', name: 'mnist' }, acgan, 2e-4, 30), 'acgan'),
  },
  {
    name: 'acgan-fashion-mnist',
    title: 'AC-GAN · Fashion-MNIST (lecture)',
    description: "The lecture's AC-GAN on the 60,000 Fashion-MNIST garments: one row per class in the grids.",
    config: conditional(imageGan({ kind: 'image', name: 'fashion-mnist' }, acgan, 2e-4, 30, 938), 'acgan'),
  },
  {
    name: 'acgan-fashion-mnist-real-class',
    title: 'AC-GAN · Fashion-MNIST (classes learned from real images)',
    description:
      "The lecture's AC-GAN with one change: D's class head learns from real images only (acgan.fakeClassWeight 0, as in Keras' AC-GAN example), so G is pushed towards garments a real-data classifier recognises rather than towards whatever D's class head learned to accept from G. The reproduction trains it 2,400 steps (docs/reproductions.md). Its samples still carry pixel-scale stripes, which come from the lecture's pair (a PyTorch rebuild draws them too); acgan-fashion-mnist-dcgan does not draw them (docs/presets.md).",
    config: {
      ...conditional(imageGan({ kind: 'image', name: 'fashion-mnist' }, acgan, 2e-4, 30, 938), 'acgan'),
      acgan: { fakeClassWeight: 0 },
    },
  },
  {
    name: 'acgan-fashion-mnist-dcgan',
    title: 'AC-GAN · Fashion-MNIST (DCGAN-style pair, classes learned from real images)',
    description:
      "AC-GAN on the DCGAN-style pair of InfoGAN's MNIST models, as pytorch-generative-model-collections trains AC-GAN on Fashion-MNIST: G concatenates the label to z, FC 1024 → 7×7×128 → 4×4 stride-2 up-convolutions with batch norm; D has 4×4 stride-2 convolutions and FC 1024 with batch norm, no dropout. D's class head learns from real images only (acgan.fakeClassWeight 0).",
    config: {
      ...conditional(
        imageGan(
          { kind: 'image', name: 'fashion-mnist' },
          { generator: acganDcganGenerator, discriminator: acganDcganDiscriminator },
          2e-4,
          30,
          938,
        ),
        'acgan',
      ),
      acgan: { fakeClassWeight: 0 },
    },
  },
  {
    name: 'acgan-fashion-mnist-d4x4-real-class',
    title: 'AC-GAN · Fashion-MNIST (4×4 strided D, classes learned from real images)',
    description:
      "The lecture's AC-GAN with two changes to D: its three stride-2 convolutions take 4×4 kernels instead of 3×3 (kernel size divisible by the stride), and its class head learns from real images only (acgan.fakeClassWeight 0, as in Keras' AC-GAN example), so G is pushed towards garments a real-data classifier recognises. The class head is what lifts label accuracy (on one seed the lecture's D with it did as well); the 4×4 kernels did not remove the stripes, which remain in its samples (docs/presets.md). Five seeds: docs/reproductions.md.",
    config: {
      ...conditional(
        imageGan({ kind: 'image', name: 'fashion-mnist' }, { ...acgan, discriminator: acganDiscriminatorEvenOverlap }, 2e-4, 30, 938),
        'acgan',
      ),
      acgan: { fakeClassWeight: 0 },
    },
  },
  {
    name: 'cgan-mnist',
    title: 'cGAN · MNIST',
    description:
      'Conditional GAN (Mirza & Osindero 2014): the label enters G (embedding concatenated to z) and D (an embedded label plane beside the image).',
    config: conditional(
      imageGan({ kind: 'image', name: 'mnist' }, { generator: cganGenerator, discriminator: cganDiscriminator }, 2e-4, 20),
      'cgan',
    ),
  },
  {
    name: 'infogan-mnist',
    title: 'InfoGAN · MNIST',
    description:
      "InfoGAN (Chen et al. 2016): a 10-way categorical and 2 continuous codes beside z; Q shares D's body and recovers them. Unsupervised: the categorical code tends to pick up the digit. Grids show one row per code value.",
    config: infogan(),
  },
  {
    name: 'pix2pix-mnist-edges',
    title: 'pix2pix · edges → digit',
    description:
      "Image-to-image translation (Isola et al. 2017; lecture 9a): a U-Net turns a digit's Sobel edge map into the digit; a PatchGAN judges (edges, digit) pairs on 7×7 patches; L1 weight 100, Adam 2e-4.",
    config: pix2pix('mnist-edges', 313),
  },
  {
    name: 'pix2pix-fashion-mnist-edges',
    title: 'pix2pix · edges → garment',
    description: "The same translation on Fashion-MNIST's 60,000 garments.",
    config: pix2pix('fashion-mnist-edges', 1875),
  },
  {
    name: 'cyclegan-mnist-edges',
    title: 'CycleGAN · edges ↔ digits, unpaired',
    description:
      'Unpaired translation (Zhu et al. 2017): two ResNet translators (edges → digit, digit → edges) and two PatchGAN critics, tied by a cycle-consistency loss (λ 10). Edge maps and digits are drawn from different images, so no pair is ever seen.',
    config: cyclegan('mnist-edges', 313),
  },
  {
    name: 'mlp-2d-ring8-unrolled',
    title: 'Unrolled GAN · ring of 8 Gaussians',
    description:
      "Unrolled GAN as Metz et al. (2017) define it: G trains against D looked ahead 5 steps of D's own Adam, with its gradient through those steps (second-order), so G anticipates how D will answer; meant to counter mode collapse on the ring. D learns at 1e-4 and G at 1e-3, the rates of Metz et al.'s reference code (with D at 1e-3, as the plain preset, the 5-step look-ahead moved D so far that G collapsed to 3 modes on one seed). 3–5× the time of a first-order step.",
    config: (() => {
      const base = mlp2d('ring8', 30)
      return {
        ...base,
        optimizers: { ...base.optimizers, discriminator: { ...base.optimizers.discriminator, learningRate: 1e-4 } },
        training: { ...base.training, unrollSteps: 5, unrollGradient: 'second-order' as const },
      }
    })(),
  },
  {
    name: 'mlp-2d-ring8-unrolled-first-order',
    title: 'Unrolled GAN, first-order · ring of 8 Gaussians',
    description:
      "The cheap approximation of the unrolled GAN: G's loss is taken against a copy of D advanced 5 steps with its own optimizer, treated as fixed (no gradient through the look-ahead), then D is restored. Works with any D.",
    config: { ...mlp2d('ring8', 30), training: { ...mlp2d('ring8', 30).training, unrollSteps: 5 } },
  },
  {
    name: 'mlp-2d-ring8-feature-matching',
    title: 'Feature matching · ring of 8 Gaussians',
    description:
      "Feature matching (Salimans et al. 2016): G matches the mean of D's last hidden features on real data instead of fooling D.",
    config: { ...mlp2d('ring8', 30), tricks: { featureMatching: true } },
  },
]

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name)
}

export class UnknownPresetError extends Error {
  constructor(name: string) {
    super(`unknown preset "${name}". Available: ${PRESETS.map((p) => p.name).join(', ')}`)
    this.name = 'UnknownPresetError'
  }
}

export function requirePreset(name: string): Preset {
  const preset = findPreset(name)
  if (!preset) throw new UnknownPresetError(name)
  return preset
}
