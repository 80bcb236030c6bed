/**
 * `export ID --format tfjs|sampler|savedmodel`: a run's generator leaves the workbench as TensorFlow.js
 * files (plus weights.npz and a PyTorch loader) with generator.json and a model card, as an offline
 * sampler page (plus a Node script) around them, or converted to a TensorFlow SavedModel. Written
 * into a temporary folder beside the target, then renamed: a failed export leaves nothing half-written, and an existing folder is only replaced with `force`.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import type * as tf from '@tensorflow/tfjs'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { writeFileDurable, fsyncDir } from '../util/atomic-fs'
import { loadGenerator } from '../model-io/load-generator'
import { artifactPath, readArtifactFile } from '../registry/artifact-files'
import { toTfjsFiles, WEIGHTS_FILE, type TfjsFiles } from '../util/tfjs-model'
import { describeFeatures, loadFeatureExtractor } from '../model-io/d-features'
import { describeGenerator } from './generator-description'
import { pointRangeOf } from './point-range'
import { sampleRun } from '../model-io/sample'
import { isPointData } from '../../src-shared/config/validate'
import { modelCard, modelCardMarkdown } from './model-card'
import { weightsToNpz } from './npz'
import { convertToSavedModel, requireConverter } from './saved-model'

export const EXPORT_FORMATS = ['tfjs', 'sampler', 'savedmodel', 'discriminator'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportOptions {
  /** A checkpoint's step (default: the latest). */
  step?: number
  /** Replace an existing, non-empty output folder. */
  force?: boolean
}

export interface ExportResult {
  dir: string
  files: string[]
  step: number
}

/** Files shipped in resources/ (out/main → ../../resources; src-main/export → ../../resources). */
const RESOURCES = path.join(__dirname, '..', '..', 'resources')
const SAMPLER_DIR = path.join(RESOURCES, 'sampler')
const PYTHON_LOADER = path.join(RESOURCES, 'python', 'load_generator.py')

function tfjsBundle(): string {
  return createRequire(__filename).resolve('@tensorflow/tfjs/dist/tf.min.js')
}

type WriteFile = (name: string, data: string | Uint8Array) => void

/**
 * Fills a temporary folder beside `outDir`, fsyncs it and renames it into place: a failed export
 * leaves nothing behind, and a non-empty folder is only replaced with `force`.
 */
async function writeExportFolder(
  outDir: string,
  force: boolean | undefined,
  fill: (write: WriteFile, dir: string) => Promise<void>,
): Promise<{ dir: string; files: string[] }> {
  const target = path.resolve(outDir)
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`
  try {
    fs.mkdirSync(tmp, { recursive: true })
    await fill((name, data) => writeFileDurable(path.join(tmp, name), data), tmp)
    fsyncDir(tmp)
    if (fs.existsSync(target)) fs.rmSync(target, { recursive: true, force: true })
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.renameSync(tmp, target)
    fsyncDir(path.dirname(target))
    return { dir: target, files: fs.readdirSync(target).sort() }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }
}

function refuseNonEmpty(outDir: string, force: boolean | undefined): void {
  const target = path.resolve(outDir)
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0 && !force) {
    throw new ConflictError(`${target} exists and is not empty: choose another --out, or pass --force to replace it`)
  }
}

/** A LayersModel's files in every export: tfjs (model.json + weights.bin) and the same weights as .npz. */
async function writeModelFiles(model: tf.LayersModel, write: WriteFile): Promise<TfjsFiles> {
  const files = await toTfjsFiles(model)
  write('model.json', files.modelJson)
  write(WEIGHTS_FILE, files.weights)
  // The same weights for Python (np.load), with a PyTorch loader that rebuilds the network.
  const manifest = (JSON.parse(files.modelJson) as { weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }).weightsManifest[0]!
    .weights
  write('weights.npz', weightsToNpz(manifest, files.weights))
  write('load_generator.py', fs.readFileSync(PYTHON_LOADER))
  return files
}

export async function exportRun(
  registry: Registry,
  runId: number,
  format: ExportFormat,
  outDir: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  if (format === 'discriminator') return exportDiscriminatorFeatures(registry, runId, outDir, options)
  refuseNonEmpty(outDir, options.force)
  const run = registry.getRun(runId)
  const converter = format === 'savedmodel' ? requireConverter() : null
  const { generator, config, checkpoint } = await loadGenerator(registry, runId, options.step)
  try {
    const written = await writeExportFolder(outDir, options.force, async (write, tmp) => {
      const files = await writeModelFiles(generator, write)
      const description = describeGenerator(
        config,
        isPointData(config) ? await pointRangeOf(config, (n) => sampleRun(registry, runId, n, 0)) : undefined,
      )
      const card = modelCard(run, config, checkpoint, registry.metrics(runId))
      write('generator.json', JSON.stringify(description, null, 2))
      write('model-card.json', JSON.stringify(card, null, 2))
      write('MODEL_CARD.md', modelCardMarkdown(card, { generator: generator.countParams() }))
      const grid = registry
        .artifacts(runId, 'samples-grid')
        .filter((a) => a.step <= checkpoint.step)
        .at(-1)
      // A grid whose file is gone is left out; one whose path leads out of the run's folder refuses the export.
      if (grid && fs.existsSync(artifactPath(registry.dataDir, grid))) write('samples.png', readArtifactFile(registry.dataDir, grid))
      if (format === 'sampler') {
        for (const name of ['index.html', 'sampler.js', 'sample.mjs']) write(name, fs.readFileSync(path.join(SAMPLER_DIR, name)))
        write('tf.min.js', fs.readFileSync(tfjsBundle()))
        // Embedded as a script (not fetched), so the page works from file:// with no server or network.
        const embedded = { modelJson: files.modelJson, weightsBase64: files.weights.toString('base64') }
        write(
          'model-data.js',
          `window.GAN_MODEL = ${JSON.stringify(embedded)};\nwindow.GAN_GENERATOR = ${JSON.stringify(description)};\nwindow.GAN_CARD = ${JSON.stringify({ name: card.name, runId: card.runId, dataset: card.dataset, step: card.step })};\n`,
        )
      }
      if (converter) convertToSavedModel(converter, tmp)
    })
    return { ...written, step: checkpoint.step }
  } finally {
    generator.dispose()
  }
}

/**
 * `--format discriminator`: D without its real/fake head, as a feature extractor for transfer
 * learning (lecture 9b): images in [-1, 1] → the features D's head reads. Same files and model card
 * as a generator export; features.json says what goes in and comes out.
 */
async function exportDiscriminatorFeatures(
  registry: Registry,
  runId: number,
  outDir: string,
  options: ExportOptions,
): Promise<ExportResult> {
  refuseNonEmpty(outDir, options.force)
  const run = registry.getRun(runId)
  const features = await loadFeatureExtractor(registry, runId, options.step)
  try {
    const written = await writeExportFolder(outDir, options.force, async (write) => {
      await writeModelFiles(features.extractor, write)
      const card = modelCard(run, features.config, features.checkpoint, registry.metrics(runId))
      write('features.json', JSON.stringify(describeFeatures(features), null, 2))
      write('model-card.json', JSON.stringify(card, null, 2))
      write('MODEL_CARD.md', modelCardMarkdown(card, { discriminatorFeatures: features.extractor.countParams() }))
    })
    return { ...written, step: features.checkpoint.step }
  } finally {
    features.dispose()
  }
}
