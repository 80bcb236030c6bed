/**
 * Conditional model specs (graph form): the lecture's AC-GAN pair and a cGAN built on the
 * Keras-style DCGAN. Parameter counts are asserted against tfjs' own countParams in the tests.
 */
import type { GraphSpecInput } from '../model/spec'

const leaky = 'leakyRelu' as const

/**
 * InfoGAN's MNIST generator after its inputs are joined (Chen et al. 2016, appendix C.1): FC 1024 →
 * FC 7×7×128 → 4×4 stride-2 up-convolutions 64 → 1, batch norm and ReLU between. Shared by
 * InfoGAN and the DCGAN-style AC-GAN.
 */
function infoganGeneratorBody(joined: string): GraphSpecInput['nodes'] {
  return [
    { name: 'fc_1024', layer: { type: 'dense', units: 1024 }, inputs: [joined] },
    { name: 'fc_1024_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['fc_1024'] },
    { name: 'fc_1024_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['fc_1024_bn'] },
    { name: 'fc_6272', layer: { type: 'dense', units: 6272 }, inputs: ['fc_1024_act'] },
    { name: 'fc_6272_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['fc_6272'] },
    { name: 'fc_6272_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['fc_6272_bn'] },
    { name: 'to_7x7', layer: { type: 'reshape', targetShape: [7, 7, 128] }, inputs: ['fc_6272_act'] },
    { name: 'up_14', layer: { type: 'conv2dTranspose', filters: 64, kernelSize: 4, strides: 2 }, inputs: ['to_7x7'] },
    { name: 'up_14_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['up_14'] },
    { name: 'up_14_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['up_14_bn'] },
    { name: 'image', layer: { type: 'conv2dTranspose', filters: 1, kernelSize: 4, strides: 2, activation: 'tanh' }, inputs: ['up_14_act'] },
  ]
}

/**
 * InfoGAN's MNIST discriminator body up to its 1,024 `features`: 4×4 stride-2 convolutions 64 →
 * 128 (batch norm on the second), FC 1024 with batch norm; LeakyReLU with `alpha` after the batch
 * norms (InfoGAN 0.1; the first convolution keeps the spec's default).
 */
function infoganDiscriminatorBody(alpha: number): GraphSpecInput['nodes'] {
  return [
    { name: 'conv_64', layer: { type: 'conv2d', filters: 64, kernelSize: 4, strides: 2, activation: leaky }, inputs: ['image'] },
    { name: 'conv_128', layer: { type: 'conv2d', filters: 128, kernelSize: 4, strides: 2 }, inputs: ['conv_64'] },
    { name: 'conv_128_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['conv_128'] },
    { name: 'conv_128_act', layer: { type: 'activation', activation: leaky, alpha }, inputs: ['conv_128_bn'] },
    { name: 'flat', layer: { type: 'flatten' }, inputs: ['conv_128_act'] },
    { name: 'fc_1024', layer: { type: 'dense', units: 1024 }, inputs: ['flat'] },
    { name: 'fc_1024_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['fc_1024'] },
    { name: 'features', layer: { type: 'activation', activation: leaky, alpha }, inputs: ['fc_1024_bn'] },
  ]
}

/**
 * Lecture 9a's AC-GAN generator (as in Keras-GAN's acgan.py, whose table it is): the label's
 * 100-d embedding multiplied into z, Dense 6272 ReLU → 7×7×128, up-sampling with 3×3 ReLU
 * convolutions, a 3×3 tanh convolution to 28×28×1. 856,425 parameters.
 */
export const acganGenerator: GraphSpecInput = {
  inputs: [
    { name: 'z', shape: [100], role: 'latent' },
    { name: 'label', shape: [1], role: 'label', classes: 10 },
  ],
  nodes: [
    { name: 'label_embedding', layer: { type: 'embedding', inputDim: 10, outputDim: 100 }, inputs: ['label'] },
    { name: 'label_vector', layer: { type: 'flatten' }, inputs: ['label_embedding'] },
    { name: 'conditioned_z', layer: { type: 'multiply' }, inputs: ['z', 'label_vector'] },
    { name: 'project', layer: { type: 'dense', units: 6272, activation: 'relu' }, inputs: ['conditioned_z'] },
    { name: 'to_7x7', layer: { type: 'reshape', targetShape: [7, 7, 128] }, inputs: ['project'] },
    { name: 'up_14', layer: { type: 'upSampling2d', size: 2 }, inputs: ['to_7x7'] },
    { name: 'conv_14', layer: { type: 'conv2d', filters: 128, kernelSize: 3, activation: 'relu' }, inputs: ['up_14'] },
    { name: 'up_28', layer: { type: 'upSampling2d', size: 2 }, inputs: ['conv_14'] },
    { name: 'conv_28', layer: { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' }, inputs: ['up_28'] },
    { name: 'image', layer: { type: 'conv2d', filters: 1, kernelSize: 3, activation: 'tanh' }, inputs: ['conv_28'] },
  ],
  outputs: ['image'],
}

/**
 * Lecture 9a's AC-GAN discriminator: 3×3 convolutions of 16/32/64/128 filters (stride 2 for the
 * down-sampling steps, a zero-padding 7→8), LeakyReLU 0.2 and dropout 0.25, then two heads on the
 * 2,048 features: real/fake (sigmoid) and the class (10-way softmax). 119,691 parameters.
 */
export const acganDiscriminator: GraphSpecInput = {
  inputs: [{ name: 'image', shape: [28, 28, 1], role: 'image' }],
  nodes: [
    { name: 'conv_16', layer: { type: 'conv2d', filters: 16, kernelSize: 3, strides: 2, activation: leaky }, inputs: ['image'] },
    { name: 'drop_16', layer: { type: 'dropout', rate: 0.25 }, inputs: ['conv_16'] },
    { name: 'conv_32', layer: { type: 'conv2d', filters: 32, kernelSize: 3, strides: 2, activation: leaky }, inputs: ['drop_16'] },
    {
      name: 'pad_8',
      layer: {
        type: 'zeroPadding2d',
        padding: [
          [0, 1],
          [0, 1],
        ],
      },
      inputs: ['conv_32'],
    },
    { name: 'drop_32', layer: { type: 'dropout', rate: 0.25 }, inputs: ['pad_8'] },
    { name: 'conv_64', layer: { type: 'conv2d', filters: 64, kernelSize: 3, strides: 2, activation: leaky }, inputs: ['drop_32'] },
    { name: 'drop_64', layer: { type: 'dropout', rate: 0.25 }, inputs: ['conv_64'] },
    { name: 'conv_128', layer: { type: 'conv2d', filters: 128, kernelSize: 3, activation: leaky }, inputs: ['drop_64'] },
    { name: 'drop_128', layer: { type: 'dropout', rate: 0.25 }, inputs: ['conv_128'] },
    { name: 'features', layer: { type: 'flatten' }, inputs: ['drop_128'] },
    { name: 'source', layer: { type: 'dense', units: 1, activation: 'sigmoid' }, inputs: ['features'] },
    { name: 'class', layer: { type: 'dense', units: 10, activation: 'softmax' }, inputs: ['features'] },
  ],
  outputs: ['source', 'class'],
}

/**
 * The lecture's AC-GAN discriminator with 4×4 kernels in its three stride-2 convolutions (kernel
 * size divisible by the stride, as Odena, Dumoulin and Olah 2016 advise). With 3×3 kernels at
 * stride 2, pixels of one parity get two taps of D's gradient per axis and the others one, so the
 * gradient G learns from alternates pixel by pixel, and the lecture's G on Fashion-MNIST draws
 * stripes about one pixel wide (docs/presets.md). 4×4 gives every pixel two taps. 137,723 parameters.
 */
export const acganDiscriminatorEvenOverlap: GraphSpecInput = {
  ...acganDiscriminator,
  nodes: acganDiscriminator.nodes.map((node) =>
    node.layer.type === 'conv2d' && node.layer.strides === 2 ? { ...node, layer: { ...node.layer, kernelSize: 4 } } : node,
  ),
}

/**
 * The lecture's AC-GAN discriminator anti-aliased (Zhang 2019): each stride-2 convolution becomes
 * a stride-1 convolution, its LeakyReLU, then BlurPooling2D. D still sees every pixel at full
 * resolution, but the gradient G receives no longer alternates pixel by pixel (docs/presets.md).
 * Same parameters as the lecture's (119,691); about 4× the multiply-adds in D's first three
 * convolutions, which are small beside G's.
 */
export const acganDiscriminatorBlurPool: GraphSpecInput = {
  ...acganDiscriminator,
  nodes: acganDiscriminator.nodes.flatMap((node) => {
    const renamed = { ...node, inputs: node.inputs.map((i) => (strided(i) ? `${i}_blur` : i)) }
    if (!strided(node.name)) return [renamed]
    return [
      { ...renamed, layer: { ...node.layer, strides: 1 } },
      { name: `${node.name}_blur`, layer: { type: 'blurPooling2d' as const }, inputs: [node.name] },
    ]
  }),
}

function strided(name: string): boolean {
  const node = acganDiscriminator.nodes.find((n) => n.name === name)
  return node?.layer.type === 'conv2d' && node.layer.strides === 2
}

/**
 * AC-GAN on the DCGAN-style pair that InfoGAN's MNIST models use (Chen et al. 2016, appendix C.1),
 * as the AC-GAN of pytorch-generative-model-collections (znxlwm) trains it on Fashion-MNIST: the
 * label's 10-d embedding (a learned one-hot) concatenated to z, FC 1024 → FC 7×7×128 → 4×4
 * stride-2 up-convolutions 64 → 1, batch norm and ReLU between. Every output pixel gets the same
 * number of kernel taps (kernel 4, stride 2), unlike up-sampling then a 3×3 convolution.
 */
export const acganDcganGenerator: GraphSpecInput = {
  inputs: [
    { name: 'z', shape: [100], role: 'latent' },
    { name: 'label', shape: [1], role: 'label', classes: 10 },
  ],
  nodes: [
    { name: 'label_embedding', layer: { type: 'embedding', inputDim: 10, outputDim: 10 }, inputs: ['label'] },
    { name: 'label_vector', layer: { type: 'flatten' }, inputs: ['label_embedding'] },
    { name: 'z_and_label', layer: { type: 'concatenate' }, inputs: ['z', 'label_vector'] },
    ...infoganGeneratorBody('z_and_label'),
  ],
  outputs: ['image'],
}

/**
 * The matching discriminator: 4×4 stride-2 convolutions 64 → 128 (batch norm on the second), FC
 * 1024 with batch norm, LeakyReLU 0.2, no dropout; the real/fake and 10-way class heads on the
 * 1,024 features.
 */
export const acganDcganDiscriminator: GraphSpecInput = {
  inputs: [{ name: 'image', shape: [28, 28, 1], role: 'image' }],
  nodes: [
    ...infoganDiscriminatorBody(0.2),
    { name: 'source', layer: { type: 'dense', units: 1, activation: 'sigmoid' }, inputs: ['features'] },
    { name: 'class', layer: { type: 'dense', units: 10, activation: 'softmax' }, inputs: ['features'] },
  ],
  outputs: ['source', 'class'],
}

/**
 * cGAN generator (Mirza & Osindero 2014) on the Keras-style DCGAN: a 50-d label embedding
 * concatenated to z, Dense 6272 → 7×7×128, two stride-2 transposed convolutions with batch norm,
 * a 7×7 tanh convolution.
 */
export const cganGenerator: GraphSpecInput = {
  inputs: [
    { name: 'z', shape: [100], role: 'latent' },
    { name: 'label', shape: [1], role: 'label', classes: 10 },
  ],
  nodes: [
    { name: 'label_embedding', layer: { type: 'embedding', inputDim: 10, outputDim: 50 }, inputs: ['label'] },
    { name: 'label_vector', layer: { type: 'flatten' }, inputs: ['label_embedding'] },
    { name: 'z_and_label', layer: { type: 'concatenate' }, inputs: ['z', 'label_vector'] },
    { name: 'project', layer: { type: 'dense', units: 6272 }, inputs: ['z_and_label'] },
    { name: 'project_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['project'] },
    { name: 'project_act', layer: { type: 'activation', activation: leaky, alpha: 0.2 }, inputs: ['project_bn'] },
    { name: 'to_7x7', layer: { type: 'reshape', targetShape: [7, 7, 128] }, inputs: ['project_act'] },
    { name: 'up_14', layer: { type: 'conv2dTranspose', filters: 128, kernelSize: 4, strides: 2 }, inputs: ['to_7x7'] },
    { name: 'up_14_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['up_14'] },
    { name: 'up_14_act', layer: { type: 'activation', activation: leaky, alpha: 0.2 }, inputs: ['up_14_bn'] },
    { name: 'up_28', layer: { type: 'conv2dTranspose', filters: 128, kernelSize: 4, strides: 2 }, inputs: ['up_14_act'] },
    { name: 'up_28_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['up_28'] },
    { name: 'up_28_act', layer: { type: 'activation', activation: leaky, alpha: 0.2 }, inputs: ['up_28_bn'] },
    { name: 'image', layer: { type: 'conv2d', filters: 1, kernelSize: 7, activation: 'tanh' }, inputs: ['up_28_act'] },
  ],
  outputs: ['image'],
}

/**
 * cGAN discriminator: the label's 784-d embedding reshaped to a 28×28 plane and stacked on the
 * image as a second channel, then the Keras-style D (two stride-2 3×3 convolutions, dropout 0.4).
 */
export const cganDiscriminator: GraphSpecInput = {
  inputs: [
    { name: 'image', shape: [28, 28, 1], role: 'image' },
    { name: 'label', shape: [1], role: 'label', classes: 10 },
  ],
  nodes: [
    { name: 'label_embedding', layer: { type: 'embedding', inputDim: 10, outputDim: 784 }, inputs: ['label'] },
    { name: 'label_plane', layer: { type: 'reshape', targetShape: [28, 28, 1] }, inputs: ['label_embedding'] },
    { name: 'image_and_label', layer: { type: 'concatenate' }, inputs: ['image', 'label_plane'] },
    { name: 'conv_1', layer: { type: 'conv2d', filters: 64, kernelSize: 3, strides: 2, activation: leaky }, inputs: ['image_and_label'] },
    { name: 'drop_1', layer: { type: 'dropout', rate: 0.4 }, inputs: ['conv_1'] },
    { name: 'conv_2', layer: { type: 'conv2d', filters: 64, kernelSize: 3, strides: 2, activation: leaky }, inputs: ['drop_1'] },
    { name: 'drop_2', layer: { type: 'dropout', rate: 0.4 }, inputs: ['conv_2'] },
    { name: 'features', layer: { type: 'flatten' }, inputs: ['drop_2'] },
    { name: 'score', layer: { type: 'dense', units: 1, activation: 'sigmoid' }, inputs: ['features'] },
  ],
  outputs: ['score'],
}

/**
 * InfoGAN's MNIST generator (Chen et al. 2016, appendix C.1): z (62) and the codes (a 10-way
 * categorical one-hot and 2 continuous) concatenated, FC 1024 → FC 7×7×128 → 4×4 up-convolutions
 * 64 → 1, batch norm and ReLU between.
 */
export const infoganGenerator: GraphSpecInput = {
  inputs: [
    { name: 'z', shape: [62], role: 'latent' },
    { name: 'codes', shape: [12], role: 'code' },
  ],
  nodes: [{ name: 'z_and_codes', layer: { type: 'concatenate' }, inputs: ['z', 'codes'] }, ...infoganGeneratorBody('z_and_codes')],
  outputs: ['image'],
}

/**
 * InfoGAN's MNIST discriminator with Q sharing its body: 4×4 stride-2 convolutions 64 → 128, FC
 * 1024; D's real/fake output, and Q's FC 128 → 12 (10 categorical logits, then 2 continuous means).
 */
export const infoganDiscriminator: GraphSpecInput = {
  inputs: [{ name: 'image', shape: [28, 28, 1], role: 'image' }],
  nodes: [
    ...infoganDiscriminatorBody(0.1),
    { name: 'source', layer: { type: 'dense', units: 1, activation: 'sigmoid' }, inputs: ['features'] },
    { name: 'q_hidden', layer: { type: 'dense', units: 128 }, inputs: ['features'] },
    { name: 'q_hidden_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['q_hidden'] },
    { name: 'q_hidden_act', layer: { type: 'activation', activation: 'leakyRelu', alpha: 0.1 }, inputs: ['q_hidden_bn'] },
    { name: 'q', layer: { type: 'dense', units: 12 }, inputs: ['q_hidden_act'] },
  ],
  outputs: ['source', 'q'],
}

/**
 * pix2pix's U-Net generator (Isola et al. 2017) scaled to 28×28: two stride-2 down-convolutions
 * (28 → 14 → 7), a 7×7 bottleneck, two up-convolutions each concatenated with the encoder layer of
 * the same size (the skips), dropout 0.5 in the decoder as the paper's noise, a 3×3 tanh output.
 */
export const unetGenerator: GraphSpecInput = {
  inputs: [{ name: 'edges', shape: [28, 28, 1], role: 'condition' }],
  nodes: [
    { name: 'down_14', layer: { type: 'conv2d', filters: 64, kernelSize: 4, strides: 2, activation: leaky }, inputs: ['edges'] },
    { name: 'down_7', layer: { type: 'conv2d', filters: 128, kernelSize: 4, strides: 2 }, inputs: ['down_14'] },
    { name: 'down_7_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['down_7'] },
    { name: 'down_7_act', layer: { type: 'activation', activation: leaky, alpha: 0.2 }, inputs: ['down_7_bn'] },
    { name: 'bottleneck', layer: { type: 'conv2d', filters: 256, kernelSize: 3 }, inputs: ['down_7_act'] },
    { name: 'bottleneck_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['bottleneck'] },
    { name: 'bottleneck_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['bottleneck_bn'] },
    { name: 'up_14', layer: { type: 'conv2dTranspose', filters: 128, kernelSize: 4, strides: 2 }, inputs: ['bottleneck_act'] },
    { name: 'up_14_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['up_14'] },
    { name: 'up_14_drop', layer: { type: 'dropout', rate: 0.5 }, inputs: ['up_14_bn'] },
    { name: 'up_14_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['up_14_drop'] },
    { name: 'skip_14', layer: { type: 'concatenate' }, inputs: ['up_14_act', 'down_14'] },
    { name: 'up_28', layer: { type: 'conv2dTranspose', filters: 64, kernelSize: 4, strides: 2 }, inputs: ['skip_14'] },
    { name: 'up_28_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['up_28'] },
    { name: 'up_28_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['up_28_bn'] },
    { name: 'skip_28', layer: { type: 'concatenate' }, inputs: ['up_28_act', 'edges'] },
    { name: 'image', layer: { type: 'conv2d', filters: 1, kernelSize: 3, activation: 'tanh' }, inputs: ['skip_28'] },
  ],
  outputs: ['image'],
}

/**
 * pix2pix's PatchGAN discriminator: the condition and the image stacked as channels, two stride-2
 * 4×4 convolutions (28 → 14 → 7), then a 3×3 convolution to one real/fake score per patch (7×7).
 */
export const patchDiscriminator: GraphSpecInput = {
  inputs: [
    { name: 'edges', shape: [28, 28, 1], role: 'condition' },
    { name: 'image', shape: [28, 28, 1], role: 'image' },
  ],
  nodes: [
    { name: 'pair', layer: { type: 'concatenate' }, inputs: ['edges', 'image'] },
    { name: 'conv_64', layer: { type: 'conv2d', filters: 64, kernelSize: 4, strides: 2, activation: leaky }, inputs: ['pair'] },
    { name: 'conv_128', layer: { type: 'conv2d', filters: 128, kernelSize: 4, strides: 2 }, inputs: ['conv_64'] },
    { name: 'conv_128_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['conv_128'] },
    { name: 'conv_128_act', layer: { type: 'activation', activation: leaky, alpha: 0.2 }, inputs: ['conv_128_bn'] },
    { name: 'patches', layer: { type: 'conv2d', filters: 1, kernelSize: 3, activation: 'sigmoid' }, inputs: ['conv_128_act'] },
  ],
  outputs: ['patches'],
}

/** One residual block of CycleGAN's generator at 14×14×64: two 3×3 convolutions added to the input. */
function residualBlock(name: string, input: string): GraphSpecInput['nodes'] {
  return [
    { name: `${name}_conv1`, layer: { type: 'conv2d', filters: 64, kernelSize: 3 }, inputs: [input] },
    { name: `${name}_bn1`, layer: { type: 'batchNorm', momentum: 0.9 }, inputs: [`${name}_conv1`] },
    { name: `${name}_act`, layer: { type: 'activation', activation: 'relu' }, inputs: [`${name}_bn1`] },
    { name: `${name}_conv2`, layer: { type: 'conv2d', filters: 64, kernelSize: 3 }, inputs: [`${name}_act`] },
    { name: `${name}_bn2`, layer: { type: 'batchNorm', momentum: 0.9 }, inputs: [`${name}_conv2`] },
    { name, layer: { type: 'add' }, inputs: [input, `${name}_bn2`] },
  ]
}

/**
 * CycleGAN's ResNet generator (Zhu et al. 2017, Johnson et al.'s layout) scaled to 28×28: a 5×5
 * convolution of 32 (the paper's 7×7 is for 256×256 images), one stride-2 down-convolution to
 * 14×14×64, two residual blocks, one stride-2 transposed convolution back to 28×28×32, a 5×5 tanh
 * convolution to one channel. The paper
 * normalises by instance; batch norm stands in (the catalog has no instance norm layer). Both
 * translators (A→B and B→A) are built from this spec.
 */
export const cycleGenerator: GraphSpecInput = {
  inputs: [{ name: 'source', shape: [28, 28, 1], role: 'condition' }],
  nodes: [
    { name: 'c5_32', layer: { type: 'conv2d', filters: 32, kernelSize: 5 }, inputs: ['source'] },
    { name: 'c5_32_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['c5_32'] },
    { name: 'c5_32_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['c5_32_bn'] },
    { name: 'down_14', layer: { type: 'conv2d', filters: 64, kernelSize: 3, strides: 2 }, inputs: ['c5_32_act'] },
    { name: 'down_14_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['down_14'] },
    { name: 'down_14_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['down_14_bn'] },
    ...residualBlock('res_1', 'down_14_act'),
    ...residualBlock('res_2', 'res_1'),
    { name: 'up_28', layer: { type: 'conv2dTranspose', filters: 32, kernelSize: 3, strides: 2 }, inputs: ['res_2'] },
    { name: 'up_28_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['up_28'] },
    { name: 'up_28_act', layer: { type: 'activation', activation: 'relu' }, inputs: ['up_28_bn'] },
    { name: 'image', layer: { type: 'conv2d', filters: 1, kernelSize: 5, activation: 'tanh' }, inputs: ['up_28_act'] },
  ],
  outputs: ['image'],
}

/**
 * CycleGAN's PatchGAN critic for one domain: the image alone (no condition beside it), two stride-2
 * 4×4 convolutions (28 → 14 → 7), a 3×3 convolution to one linear score per patch (least squares).
 */
export const cycleDiscriminator: GraphSpecInput = {
  inputs: [{ name: 'image', shape: [28, 28, 1], role: 'image' }],
  nodes: [
    { name: 'conv_64', layer: { type: 'conv2d', filters: 64, kernelSize: 4, strides: 2, activation: leaky }, inputs: ['image'] },
    { name: 'conv_128', layer: { type: 'conv2d', filters: 128, kernelSize: 4, strides: 2 }, inputs: ['conv_64'] },
    { name: 'conv_128_bn', layer: { type: 'batchNorm', momentum: 0.9 }, inputs: ['conv_128'] },
    { name: 'conv_128_act', layer: { type: 'activation', activation: leaky, alpha: 0.2 }, inputs: ['conv_128_bn'] },
    { name: 'patches', layer: { type: 'conv2d', filters: 1, kernelSize: 3 }, inputs: ['conv_128_act'] },
  ],
  outputs: ['patches'],
}

/** The lecture's 2D MLP body after `input`: 2 hidden layers of 128 with LeakyReLU 0.2, the last activation named `last`. */
function mlp2dHidden(input: string, last: string): GraphSpecInput['nodes'] {
  return [
    { name: 'hidden_1', layer: { type: 'dense', units: 128 }, inputs: [input] },
    { name: 'hidden_1_act', layer: { type: 'activation', activation: leaky, alpha: 0.2 }, inputs: ['hidden_1'] },
    { name: 'hidden_2', layer: { type: 'dense', units: 128 }, inputs: ['hidden_1_act'] },
    { name: last, layer: { type: 'activation', activation: leaky, alpha: 0.2 }, inputs: ['hidden_2'] },
  ]
}

/**
 * The lecture's 2D MLP generator (2 hidden layers of 128, LeakyReLU 0.2) with InfoGAN's categorical
 * code beside z: a one-hot of `codes` values, concatenated to z. The code lets G jump between modes
 * where z alone, mapped continuously, must draw a bridge of samples from one mode to the next.
 */
export function mlp2dCodeGenerator(latent: number, codes: number): GraphSpecInput {
  return {
    inputs: [
      { name: 'z', shape: [latent], role: 'latent' },
      { name: 'code', shape: [codes], role: 'code' },
    ],
    nodes: [
      { name: 'z_and_code', layer: { type: 'concatenate' }, inputs: ['z', 'code'] },
      ...mlp2dHidden('z_and_code', 'hidden_2_act'),
      { name: 'point', layer: { type: 'dense', units: 2 }, inputs: ['hidden_2_act'] },
    ],
    outputs: ['point'],
  }
}

/**
 * The lecture's 2D MLP discriminator with InfoGAN's Q as a second, linear head on D's last hidden
 * layer: `codes` logits, one per value of the categorical code.
 */
export function mlp2dCodeDiscriminator(codes: number): GraphSpecInput {
  return {
    inputs: [{ name: 'point', shape: [2], role: 'image' }],
    nodes: [
      ...mlp2dHidden('point', 'features'),
      { name: 'source', layer: { type: 'dense', units: 1, activation: 'sigmoid' }, inputs: ['features'] },
      { name: 'q', layer: { type: 'dense', units: codes }, inputs: ['features'] },
    ],
    outputs: ['source', 'q'],
  }
}
