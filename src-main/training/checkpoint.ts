/**
 * Checkpoints: G and D weights plus both optimizers' state, as one binary blob with a JSON
 * manifest. Written into a temporary directory, fsynced, renamed into place, and only then
 * recorded in the registry, so every checkpoint the registry names is complete.
 */
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { fsyncDir, sha256, writeFileDurable } from '../util/atomic-fs'
import { faultPoint } from '../util/faults'

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

/** Loads and verifies a checkpoint; the caller owns (and disposes) the returned tensors. */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  let manifest: CheckpointManifest
  let weights: Buffer
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as CheckpointManifest
    weights = fs.readFileSync(path.join(dir, 'weights.bin'))
  } catch (e) {
    throw new CheckpointError(`checkpoint ${dir} cannot be read: ${(e as Error).message}`)
  }
  if (manifest.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`checkpoint ${dir} has unknown format ${manifest.format}`)
  if (sha256(weights) !== manifest.weightsSha256) throw new CheckpointError(`checkpoint ${dir} is corrupt (weights checksum mismatch)`)
  const groups: LoadedCheckpoint['groups'] = {}
  for (const e of manifest.tensors) {
    const values = new Float32Array(weights.buffer.slice(weights.byteOffset + e.offset, weights.byteOffset + e.offset + e.length))
    const tensor = e.dtype === 'int32' ? tf.tensor(Int32Array.from(values), e.shape, 'int32') : tf.tensor(values, e.shape)
    ;(groups[e.group] ??= []).push({ name: e.name, tensor })
  }
  return { manifest, groups }
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
export function placeCheckpointFiles(parentDir: string, name: string, files: { weights: Uint8Array; manifest: Uint8Array | string }): string {
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

/** Copies a checkpoint directory into `parentDir` atomically; returns its path. */
export function copyCheckpoint(source: string, parentDir: string): string {
  return placeCheckpointFiles(parentDir, path.basename(source), {
    weights: fs.readFileSync(path.join(source, 'weights.bin')),
    manifest: fs.readFileSync(path.join(source, 'manifest.json')),
  })
}
