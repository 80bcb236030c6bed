/**
 * The model card every export carries (MODEL_CARD.md for people, model-card.json for tools): what
 * was trained, on what data (with its content hash), how, for how long, and how it ended.
 */
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { ArtifactRecord, MetricSeries, RunRecord } from '../../src-shared/domain/run'
import { APP_VERSION } from '../platform/version'
import { datasetIdentity } from '../datasets/dataset-identity'
import { datasetLabel } from '../registry/registry'
import { infoganCodes } from '../../src-shared/config/validate'

export interface ModelCard {
  name: string
  runId: number
  createdAt: string
  appVersion: string
  gan: string
  conditioning: string
  dataset: string
  /** SHA-256 of the training data's content where it is a fixed set (images, CSV). */
  datasetSha256: string | null
  seed: number
  backend: string | null
  step: number
  epoch: number | null
  totalSteps: number
  finalMetrics: Record<string, number>
  config: ExperimentConfig
}

/** SHA-256 of the training data's content where it is a fixed set (images, CSV, folders). */
function datasetSha(config: ExperimentConfig): string | null {
  const id = datasetIdentity(config.dataset)
  return id.content ? id.sha256 : null
}

export function modelCard(run: RunRecord, config: ExperimentConfig, checkpoint: ArtifactRecord, metrics: MetricSeries): ModelCard {
  const finalMetrics = Object.fromEntries(
    Object.entries(metrics)
      .map(([k, points]) => [k, points.filter((p) => p.step <= checkpoint.step).at(-1)?.value])
      .filter(([, v]) => v !== undefined),
  ) as Record<string, number>
  return {
    name: run.name ?? `run ${run.id}`,
    runId: run.id,
    createdAt: new Date().toISOString(),
    appVersion: APP_VERSION,
    gan: config.gan,
    conditioning: config.conditioning,
    dataset: datasetLabel(config),
    datasetSha256: datasetSha(config),
    seed: config.training.seed,
    backend: run.backend,
    step: checkpoint.step,
    epoch: checkpoint.epoch,
    totalSteps: run.totalSteps,
    finalMetrics,
    config,
  }
}

/** The Python snippet's call: one argument per generator input, in generator.json's order. */
function pythonCall(card: ModelCard): string {
  switch (card.conditioning) {
    case 'none':
      return `images = g(torch.randn(16, ${card.config.latent.dim}))`
    case 'pix2pix':
    case 'cyclegan':
      return 'images = g(conditions)                   # [n, h, w, c] in [-1, 1]'
    case 'infogan':
      return `codes = torch.zeros(16, ${infoganCodes(card.config).categorical + infoganCodes(card.config).continuous}); codes[:, 3] = 1   # one-hot category 3, continuous codes 0 (see generator.json)\nimages = g(torch.randn(16, ${card.config.latent.dim}), codes)`
    default:
      return `labels = torch.full((16, 1), 3.0)          # class 3 (generator.json lists the classes)\nimages = g(torch.randn(16, ${card.config.latent.dim}), labels)`
  }
}

export function modelCardMarkdown(card: ModelCard, params: { generator: number } | { discriminatorFeatures: number }): string {
  const metrics = Object.entries(card.finalMetrics)
    .map(([k, v]) => `| ${k} | ${Number(v.toPrecision(4))} |`)
    .join('\n')
  const isGenerator = 'generator' in params
  const what = isGenerator ? 'A generator' : "A discriminator's feature extractor (D without its real/fake head)"
  const paramRow = isGenerator
    ? `| generator parameters | ${params.generator.toLocaleString('en-US')} |`
    : `| feature extractor parameters | ${params.discriminatorFeatures.toLocaleString('en-US')} |`
  return `# ${card.name}${isGenerator ? '' : ' · discriminator features'}

${what} trained with GAN Workbench ${card.appVersion} (run ${card.runId}), exported ${card.createdAt}.

| | |
| --- | --- |
| objective | ${card.gan}${card.conditioning !== 'none' ? ` · ${card.conditioning}` : ''} |
| data | ${card.dataset}${card.datasetSha256 ? ` (SHA-256 ${card.datasetSha256})` : ''} |
| checkpoint | step ${card.step} of ${card.totalSteps}${card.epoch !== null ? `, epoch ${card.epoch}` : ''} |
| seed | ${card.seed} |
| trained on backend | ${card.backend ?? 'unknown'} |
${paramRow}

## Metrics at this checkpoint

| metric | value |
| --- | --- |
${metrics || '| (none logged) | |'}

## Use

${isGenerator ? generatorUse(card) : FEATURES_USE}`
}

const FEATURES_USE = `\`features.json\` gives the input (images in [-1, 1], pixel / 127.5 − 1) and the feature shape.
\`model.json\` + \`weights.bin\` are a TensorFlow.js LayersModel: \`tf.loadLayersModel(...)\`; put a
classifier head on its output to fine-tune it (\`gan-workbench transfer\` does that and compares it
with training from scratch). In Python, \`load_generator.py\` loads it the same way as a generator:
\`load_generator(".")(images)\` gives the features. The training config is in \`model-card.json\`.
`

function generatorUse(card: ModelCard): string {
  return `\`generator.json\` lists the inputs in order (latent prior, labels or codes) and the output's range
([-1, 1]; pixel = round((v + 1) × 127.5)). \`model.json\` + \`weights.bin\` are a TensorFlow.js
LayersModel: \`tf.loadLayersModel(...)\`. The full training config is in \`model-card.json\`.

In Python, \`weights.npz\` holds the same weights (\`np.load\`, keyed \`layer/param\`), and
\`load_generator.py\` rebuilds the network in PyTorch from \`model.json\` (channels-last, like here):

\`\`\`python
import torch
from load_generator import load_generator
g = load_generator(".")                      # this folder
${pythonCall(card)}
\`\`\`
`
}
