/**
 * Walking a trained generator's latent space from the UI: a row of images between two z (spherical
 * interpolation for a normal prior, straight for a uniform one), and, for conditional models, one
 * image per class or categorical code for a z, with InfoGAN's continuous codes set by sliders.
 * The generator stays loaded for a minute after its last use, so sliders answer quickly.
 */
import * as tf from '@tensorflow/tfjs'
import { toGraph } from '../../src-shared/model/shape-inference'
import { isTranslation, type ExperimentConfig } from '../../src-shared/config/experiment'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { conditionerFor } from '../training/conditions'
import { sampleLatent } from '../training/latent'
import { loadGenerator } from '../model-io/load-generator'
import { imageGridPng } from '../util/image-grid'
import { infoganCodes, isPointData } from '../../src-shared/config/validate'

export type ExploreRequest =
  | { id: number; kind: 'interpolate'; seeds: [number, number]; steps: number; label?: number }
  | { id: number; kind: 'codes'; seed: number; continuous?: number[] }

export interface ExploreResult {
  /** One row of images as a PNG data URL. */
  dataUrl: string
  /** Caption of each image (the interpolation's t, or the class / code value). */
  captions: string[]
  /** The checkpoint step whose generator made them. */
  step: number
}

const KEEP_LOADED_MS = 60_000

interface Cached {
  generator: tf.LayersModel
  config: ExperimentConfig
  step: number
  checkpointId: number
  timer: NodeJS.Timeout
}
const cache = new Map<number, Cached>()

async function generatorOf(registry: Registry, runId: number): Promise<Cached> {
  const latest = registry.latestArtifact(runId, 'checkpoint')
  const hit = cache.get(runId)
  if (hit && latest && hit.checkpointId === latest.id) {
    hit.timer.refresh()
    return hit
  }
  if (hit) drop(runId)
  const loaded = await loadGenerator(registry, runId)
  const entry: Cached = {
    generator: loaded.generator,
    config: loaded.config,
    step: loaded.checkpoint.step,
    checkpointId: loaded.checkpoint.id,
    timer: setTimeout(() => drop(runId), KEEP_LOADED_MS).unref(),
  }
  cache.set(runId, entry)
  return entry
}

function drop(runId: number): void {
  const c = cache.get(runId)
  if (!c) return
  clearTimeout(c.timer)
  c.generator.dispose()
  cache.delete(runId)
}

/** Spherical interpolation (Shoemake; White 2016 for GAN latents): stays at the prior's typical radius. */
function slerp(a: tf.Tensor2D, b: tf.Tensor2D, t: number[]): tf.Tensor2D {
  return tf.tidy(() => {
    const na = tf.div(a, tf.norm(a))
    const nb = tf.div(b, tf.norm(b))
    const omega = Math.acos(Math.min(1, Math.max(-1, tf.sum(tf.mul(na, nb)).dataSync()[0]!)))
    const rows = t.map((s) => {
      if (omega < 1e-6) return tf.add(tf.mul(a, 1 - s), tf.mul(b, s))
      return tf.add(tf.mul(a, Math.sin((1 - s) * omega) / Math.sin(omega)), tf.mul(b, Math.sin(s * omega) / Math.sin(omega)))
    })
    return tf.concat(rows, 0) as tf.Tensor2D
  })
}

function lerp(a: tf.Tensor2D, b: tf.Tensor2D, t: number[]): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.concat(
        t.map((s) => tf.add(tf.mul(a, 1 - s), tf.mul(b, s))),
        0,
      ) as tf.Tensor2D,
  )
}

export async function explore(registry: Registry, req: ExploreRequest): Promise<ExploreResult> {
  const run = registry.getRun(req.id)
  if (isPointData(run.config)) throw new ConflictError(`run ${req.id} makes 2D points: its scatter shows them`)
  if (isTranslation(run.config.conditioning))
    throw new ConflictError(`run ${req.id} translates images (${run.config.conditioning} has no latent space to walk)`)
  const { generator, config, step } = await generatorOf(registry, req.id)
  const conditioner = conditionerFor(config)
  const roles = toGraph(config.generator, 'latent').inputs.map((i) => i.role)
  const [height, width] = (generator.outputs[0]!.shape as number[]).slice(1, 3) as [number, number]
  let captions: string[]
  const values = tf.tidy(() => {
    let z: tf.Tensor2D
    let condition: tf.Tensor2D | undefined
    if (req.kind === 'interpolate') {
      const t = Array.from({ length: req.steps }, (_, i) => i / (req.steps - 1))
      captions = t.map((s) => `t=${s.toFixed(2)}`)
      const a = sampleLatent(config.latent, 1, req.seeds[0])
      const b = sampleLatent(config.latent, 1, req.seeds[1])
      z = config.latent.distribution === 'normal' || config.latent.spherical ? slerp(a, b, t) : lerp(a, b, t)
      if (conditioner) {
        if (req.label !== undefined && (req.label < 0 || req.label >= conditioner.rows))
          throw new ConflictError(`label must be 0–${conditioner.rows - 1}`)
        condition = conditioner.fixed(Array.from({ length: req.steps }, () => req.label ?? 0))
      }
    } else {
      if (!conditioner) throw new ConflictError(`run ${req.id} is unconditional: it has no classes or codes to vary`)
      const rows = Array.from({ length: conditioner.rows }, (_, i) => i)
      const continuous = conditioner.kind === 'code' ? infoganCodes(config).continuous : 0
      if ((req.continuous?.length ?? 0) > continuous) throw new ConflictError(`run ${req.id} has ${continuous} continuous code(s)`)
      const codes = Array.from({ length: continuous }, (_, i) => req.continuous?.[i] ?? 0)
      captions = rows.map((r) => (conditioner.kind === 'code' ? `c=${r}` : `class ${r}`))
      z = tf.tile(sampleLatent(config.latent, 1, req.seed), [rows.length, 1])
      condition = conditioner.fixed(
        rows,
        rows.flatMap(() => codes),
      )
    }
    const out = (condition ? generator.predict(roles.map((r) => (r === 'latent' ? z : condition!))) : generator.predict(z)) as tf.Tensor4D
    // The grid is greyscale, like the runs' sample grids: colour images show as their mean.
    return (out.shape[3] > 1 ? tf.mean(out, 3) : out).dataSync() as Float32Array
  })
  const png = imageGridPng(values, { count: captions!.length, height, width, columns: captions!.length, scale: 3 })
  return { dataUrl: `data:image/png;base64,${png.toString('base64')}`, captions: captions!, step }
}
