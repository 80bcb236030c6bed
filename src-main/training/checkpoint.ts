/**
 * Checkpoints: G and D weights plus both optimizers' state, as one binary blob with a JSON
 * manifest. Written into a temporary directory, fsynced, renamed into place, and only then
 * recorded in the registry, so every checkpoint the registry names is complete.
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import type { ArtifactRecord } from '../../src-shared/domain/run'
import { fieldErrors } from '../../src-shared/config/errors'
import { fsyncDir, sha256, writeFileDurable } from '../util/atomic-fs'
import { faultPoint } from '../util/faults'
import { readRegularFile } from '../util/regular-file'
import { artifactPath, MAX_BUFFER_BYTES } from '../registry/artifact-files'

export const CHECKPOINT_FORMAT = 1

interface TensorEntry {
  group: string
  name: string
  shape: number[]
  /** Stored as float32 bytes whatever the dtype (an optimizer's step counter is int32). */
  dtype: 'float32' | 'int32'
  offset: number
  length: number
}

export interface CheckpointManifest {
  format: number
  step: number
  epoch: number
  weightsSha256: string
  tensors: TensorEntry[]
}

export type TensorGroups = Record<string, { name: string; tensor: tf.Tensor }[]>

export interface SavedCheckpoint {
  dir: string
  manifestSha256: string
  bytes: number
}

export class CheckpointError extends Error {
  override name = 'CheckpointError'
}

export async function saveCheckpoint(parentDir: string, step: number, epoch: number, groups: TensorGroups): Promise<SavedCheckpoint> {
  const entries: TensorEntry[] = []
  const chunks: Buffer[] = []
  let offset = 0
  for (const [group, tensors] of Object.entries(groups)) {
    for (const { name, tensor } of tensors) {
      const data = Buffer.from(Float32Array.from(await tensor.data()).buffer)
      const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32'
      entries.push({ group, name, shape: tensor.shape, dtype, offset, length: data.byteLength })
      chunks.push(data)
      offset += data.byteLength
    }
  }
  const weights = Buffer.concat(chunks)
  const manifest: CheckpointManifest = { format: CHECKPOINT_FORMAT, step, epoch, weightsSha256: sha256(weights), tensors: entries }
  const manifestText = JSON.stringify(manifest)
  fs.mkdirSync(parentDir, { recursive: true })
  const final = path.join(parentDir, checkpointDirName(step))
  const tmp = path.join(parentDir, `.tmp-step-${step}-${process.pid}`)
  fs.rmSync(tmp, { recursive: true, force: true })
  fs.mkdirSync(tmp)
  writeFileDurable(path.join(tmp, 'weights.bin'), weights)
  faultPoint('checkpoint-write')
  writeFileDurable(path.join(tmp, 'manifest.json'), manifestText)
  fsyncDir(tmp)
  fs.rmSync(final, { recursive: true, force: true })
  fs.renameSync(tmp, final)
  fsyncDir(parentDir)
  faultPoint('checkpoint-commit') // on disk, not yet in the registry
  return { dir: final, manifestSha256: sha256(manifestText), bytes: weights.byteLength + manifestText.length }
}

export interface LoadedCheckpoint {
  manifest: CheckpointManifest
  groups: Record<string, { name: string; tensor: tf.Tensor }[]>
}

/** What a manifest must hold before any of it is used to slice the weights. */
const manifestSchema = z.object({
  format: z.number(),
  step: z.int().min(0),
  epoch: z.int().min(0),
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  tensors: z
    .array(
      z.object({
        group: z.string().min(1).max(200),
        name: z.string().max(1000),
        shape: z
          .array(
            z
              .int()
              .min(0)
              .max(2 ** 31),
          )
          .max(8),
        dtype: z.enum(['float32', 'int32']),
        offset: z.int().min(0),
        length: z.int().min(0),
      }),
    )
    .max(100_000),
})

const MAX_MANIFEST_BYTES = 64 * 1024 ** 2

/**
 * Loads and verifies a checkpoint; the caller owns (and disposes) the returned tensors. Both files
 * are read as regular files, never through a symlink; the manifest is checked against its schema
 * (and, given `manifestSha256`, against the checksum its registry row recorded), every tensor's
 * bytes must lie inside the weights, and the weights must match the manifest's checksum.
 */
export function loadCheckpoint(dir: string, expected: { manifestSha256?: string } = {}): LoadedCheckpoint {
  const fail = (problem: string) => new CheckpointError(`checkpoint ${dir} cannot be read: ${problem}`)
  const read = (name: string, maxBytes: number) =>
    readRegularFile(path.join(dir, name), { maxBytes, noFollow: true, fail: (p) => fail(`${name} ${p}`) })
  const manifestBytes = read('manifest.json', MAX_MANIFEST_BYTES)
  if (expected.manifestSha256 !== undefined && sha256(manifestBytes) !== expected.manifestSha256) {
    throw new CheckpointError(`checkpoint ${dir} is not the one recorded (manifest checksum mismatch)`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'))
  } catch {
    throw fail('manifest.json is not valid JSON')
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success)
    throw fail(
      `manifest.json: ${fieldErrors(parsed.error)
        .map((f) => `${f.path || '(manifest)'}: ${f.message}`)
        .join('; ')}`,
    )
  const manifest = parsed.data as CheckpointManifest
  if (manifest.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`checkpoint ${dir} has unknown format ${manifest.format}`)
  const weights = read('weights.bin', MAX_BUFFER_BYTES)
  if (sha256(weights) !== manifest.weightsSha256) throw new CheckpointError(`checkpoint ${dir} is corrupt (weights checksum mismatch)`)
  for (const [i, e] of manifest.tensors.entries()) {
    const size = e.shape.reduce((a, b) => a * b, 1)
    if (e.offset % 4 !== 0 || e.length !== 4 * size || e.offset + e.length > weights.length) {
      throw fail(
        `manifest.json: tensors[${i}] (${e.group}/${e.name}) does not fit the weights (offset ${e.offset}, ${e.length} bytes for shape [${e.shape}], weights.bin has ${weights.length})`,
      )
    }
  }
  const groups: LoadedCheckpoint['groups'] = {}
  for (const e of manifest.tensors) {
    const values = new Float32Array(weights.buffer.slice(weights.byteOffset + e.offset, weights.byteOffset + e.offset + e.length))
    const tensor = e.dtype === 'int32' ? tf.tensor(Int32Array.from(values), e.shape, 'int32') : tf.tensor(values, e.shape)
    ;(groups[e.group] ??= []).push({ name: e.name, tensor })
  }
  return { manifest, groups }
}

/** A checkpoint the registry records: its folder confined to the run's, its manifest the one recorded. */
export function loadCheckpointArtifact(
  home: string,
  artifact: Pick<ArtifactRecord, 'runId' | 'kind' | 'step' | 'path' | 'sha256'>,
): LoadedCheckpoint {
  return loadCheckpoint(artifactPath(home, artifact), { manifestSha256: artifact.sha256 })
}

/** Sets a model's weights from a checkpoint group, checking count and shapes. */
export function restoreWeights(model: tf.LayersModel, saved: { name: string; tensor: tf.Tensor }[] | undefined, what: string): void {
  const current = model.getWeights()
  if (!saved || saved.length !== current.length) {
    throw new CheckpointError(`${what}: the checkpoint has ${saved?.length ?? 0} weight tensors, the model ${current.length}`)
  }
  saved.forEach((s, i) => {
    if (s.tensor.shape.join() !== current[i]!.shape.join()) {
      throw new CheckpointError(`${what}: weight ${i} has shape [${s.tensor.shape}] in the checkpoint, [${current[i]!.shape}] in the model`)
    }
  })
  model.setWeights(saved.map((s) => s.tensor))
}

/** A checkpoint's folder name (what saveCheckpoint writes and copies keep). */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`
}

/**
 * Places a checkpoint's two files as `parentDir/name` atomically (temp dir, fsync, rename, fsync
 * the parent), for checkpoints that arrive whole: a fork's copy, a queue worker's download.
 */
export function placeCheckpointFiles(
  parentDir: string,
  name: string,
  files: { weights: Uint8Array; manifest: Uint8Array | string },
): string {
  fs.mkdirSync(parentDir, { recursive: true })
  const final = path.join(parentDir, name)
  const tmp = path.join(parentDir, `.tmp-place-${process.pid}`)
  fs.rmSync(tmp, { recursive: true, force: true })
  fs.mkdirSync(tmp)
  writeFileDurable(path.join(tmp, 'weights.bin'), files.weights)
  writeFileDurable(path.join(tmp, 'manifest.json'), files.manifest)
  fsyncDir(tmp)
  fs.renameSync(tmp, final)
  fsyncDir(parentDir)
  return final
}

/** Copies a checkpoint directory into `parentDir` atomically; returns its path. Both files are read as regular files, never through a symlink. */
export function copyCheckpoint(source: string, parentDir: string): string {
  const read = (name: string) =>
    readRegularFile(path.join(source, name), {
      maxBytes: MAX_BUFFER_BYTES,
      noFollow: true,
      fail: (p) => new CheckpointError(`checkpoint ${source}: ${name} ${p}`),
    })
  return placeCheckpointFiles(parentDir, path.basename(source), { weights: read('weights.bin'), manifest: read('manifest.json') })
}
