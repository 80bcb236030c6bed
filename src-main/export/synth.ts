/**
 * `synth RUN --n N --out DIR`: the generator as a source of training data. Writes N samples as an
 * IDX pair (train-images-idx3-ubyte, train-labels-idx1-ubyte: usable as an `mnist-idx` dataset)
 * or as a PNG folder with one subfolder per class and a labels.csv (a `folder` dataset with
 * labelsFromFolders). Labels: the class each sample was drawn for (conditional models), else the
 * evaluation classifier's prediction where the dataset has one (said in the result), else 0.
 * Point data (2D toys, CSV points) is written as DIR/points.csv (x, y): a `csv` dataset.
 */
import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import { dataShape, isPointData, validateExperiment } from '../../src-shared/config/validate'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { writeFileDurable, fsyncDir } from '../util/atomic-fs'
import { sampleRun } from '../model-io/sample'
import { synthesize, type LabelSource } from '../metrics/labelled-samples'

export const SYNTH_FORMATS = ['idx', 'png', 'csv'] as const
/** The file a point run's samples are written to, inside the output folder. */
export const POINTS_FILE = 'points.csv'
export type SynthFormat = (typeof SYNTH_FORMATS)[number]

export interface SynthResult {
  dir: string
  count: number
  labels: LabelSource
  /** Samples per class (empty for point data, which has no classes). */
  perClass: number[]
  format: SynthFormat
  /** Point data: the CSV written. */
  file?: string
}

/** The format a run's samples are written in when none is asked for: CSV for points, IDX for images. */
export function defaultSynthFormat(config: Pick<ExperimentConfig, 'dataset'>): SynthFormat {
  return isPointData(config) ? 'csv' : 'idx'
}

function idxFile(dims: number[], data: Uint8Array, dtypeRank: number): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header[2] = 0x08
  header[3] = dtypeRank
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i))
  return Buffer.concat([header, data])
}

/** n generated points as CSV text with an x, y header (what a `csv` dataset reads). */
export function pointsCsv(values: Float32Array, dim: number): string {
  const header = dim === 2 ? 'x,y' : Array.from({ length: dim }, (_, i) => `x${i + 1}`).join(',')
  const rows = [header]
  for (let i = 0; i + dim <= values.length; i += dim) rows.push(Array.from(values.subarray(i, i + dim), String).join(','))
  return rows.join('\n') + '\n'
}

export async function synthRun(
  registry: Registry,
  runId: number,
  n: number,
  outDir: string,
  options: { format?: SynthFormat; seed?: number; force?: boolean } = {},
): Promise<SynthResult> {
  const { config } = validateExperiment(registry.getRun(runId).config)
  const points = isPointData(config)
  const format = options.format ?? defaultSynthFormat(config)
  if (points && format !== 'csv') throw new ConflictError(`run ${runId} makes points: they are written as CSV (format csv), not ${format}`)
  if (!points && format === 'csv') throw new ConflictError(`run ${runId} makes images: write them as idx or png; csv is for point data`)
  const target = path.resolve(outDir)
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0 && !options.force)
    throw new ConflictError(`${target} exists and is not empty: choose another --out, or pass --force`)
  const synthesized = points ? null : await synthesize(registry, runId, n, options.seed ?? 0)
  const pointValues = points ? await sampleRun(registry, runId, n, options.seed ?? 0) : null
  const tmp = `${target}.tmp-${process.pid}`
  fs.rmSync(tmp, { recursive: true, force: true })
  fs.mkdirSync(tmp, { recursive: true })
  try {
    if (pointValues) {
      writeFileDurable(path.join(tmp, POINTS_FILE), pointsCsv(pointValues, dataShape(config)[0]!))
      fsyncDir(tmp)
      fs.rmSync(target, { recursive: true, force: true })
      fs.renameSync(tmp, target)
      return { dir: target, count: n, labels: 'none', perClass: [], format, file: path.join(target, POINTS_FILE) }
    }
    const { pixels, labels } = synthesized!
    if (format === 'idx') {
      writeFileDurable(path.join(tmp, 'train-images-idx3-ubyte'), idxFile([n, 28, 28], pixels, 3))
      writeFileDurable(path.join(tmp, 'train-labels-idx1-ubyte'), idxFile([n], labels, 1))
    } else {
      const rows = ['file,label']
      for (let i = 0; i < n; i++) {
        const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, inputHasAlpha: false })
        png.data = Buffer.from(pixels.subarray(i * 784, (i + 1) * 784))
        const rel = `${labels[i]}/${String(i).padStart(6, '0')}.png`
        fs.mkdirSync(path.join(tmp, String(labels[i])), { recursive: true })
        writeFileDurable(path.join(tmp, rel), PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }))
        rows.push(`${rel},${labels[i]}`)
      }
      // A folder dataset skips its top-level labels.csv.
      writeFileDurable(path.join(tmp, 'labels.csv'), rows.join('\n') + '\n')
    }
    fsyncDir(tmp)
    fs.rmSync(target, { recursive: true, force: true })
    fs.renameSync(tmp, target)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  const perClass = Array.from({ length: 10 }, (_, c) => synthesized!.labels.filter((l) => l === c).length)
  return { dir: target, count: n, labels: synthesized!.source, perClass, format }
}
