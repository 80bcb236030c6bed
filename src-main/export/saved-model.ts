/**
 * `--format savedmodel`: TensorFlow's SavedModel, for TF Serving or Python TensorFlow. Neither
 * tfjs nor tfjs-node can write one (tfjs-node only reads them), so the export converts its own
 * tfjs files with TensorFlow's converter (`pip install tensorflowjs`), found on PATH or at
 * GAN_WORKBENCH_TFJS_CONVERTER. Without it the export is refused before anything is written, and
 * the message says what to install and what works without it.
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { ConflictError } from '../util/errors'

const CONVERTER = 'tensorflowjs_converter'

export function findConverter(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env.GAN_WORKBENCH_TFJS_CONVERTER
  if (explicit) return fs.existsSync(explicit) ? explicit : null
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, process.platform === 'win32' ? `${CONVERTER}.exe` : CONVERTER)
    if (fs.existsSync(candidate)) return candidate
  }
  return null
}

/** Why a SavedModel export is refused without the converter (the Export dialog and the CLI say the same). */
export const NO_CONVERTER =
  "a SavedModel needs TensorFlow's converter (tensorflowjs_converter), which is not installed on the machine the workbench runs on: `pip install tensorflowjs` there (it brings TensorFlow). The TensorFlow.js export already has weights.npz and a PyTorch loader for Python."

export function requireConverter(): string {
  const found = findConverter()
  if (found) return found
  throw new ConflictError(NO_CONVERTER)
}

/** Converts `dir`/model.json into `dir`/saved_model with the converter. */
export function convertToSavedModel(converter: string, dir: string): void {
  const r = spawnSync(
    converter,
    ['--input_format=tfjs_layers_model', '--output_format=keras_saved_model', path.join(dir, 'model.json'), path.join(dir, 'saved_model')],
    { encoding: 'utf8', timeout: 600_000 },
  )
  if (r.error) throw new ConflictError(`${converter} could not be started: ${r.error.message}`)
  if (r.status !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')
    throw new ConflictError(`${converter} failed (exit ${r.status}): ${tail}`)
  }
  if (!fs.existsSync(path.join(dir, 'saved_model', 'saved_model.pb')))
    throw new ConflictError(`${converter} finished but wrote no saved_model/saved_model.pb`)
}
