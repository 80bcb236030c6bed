/**
 * Kernel initialisation per layer (`initStd`): absent, Glorot-uniform; a number, N(0, initStd²),
 * as Radford et al. start every DCGAN layer. Checked on the weights tfjs actually creates.
 */
import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { modelSpecSchema } from '../../src-shared/model/spec'
import { buildModel } from '../../src-main/training/models'

function stats(values: Float32Array): { mean: number; std: number; maxAbs: number } {
  let sum = 0
  let sq = 0
  let maxAbs = 0
  for (const v of values) {
    sum += v
    sq += v * v
    maxAbs = Math.max(maxAbs, Math.abs(v))
  }
  const mean = sum / values.length
  return { mean, std: Math.sqrt(sq / values.length - mean * mean), maxAbs }
}

/** The kernel (first weight) of the layer whose name ends with `suffix`. */
function kernelOf(model: tf.LayersModel, suffix: string): Float32Array {
  const layer = model.layers.find((l) => l.name.endsWith(suffix))!
  return layer.getWeights()[0]!.dataSync() as Float32Array
}

describe('layer kernel initialisation (initStd)', () => {
  const spec = (initStd?: number) =>
    modelSpecSchema.parse({
      inputShape: [100],
      layers: [
        { type: 'dense', units: 3136, useBias: false, ...(initStd ? { initStd } : {}) },
        { type: 'reshape', targetShape: [7, 7, 64] },
        { type: 'conv2dTranspose', filters: 32, kernelSize: 4, strides: 2, ...(initStd ? { initStd } : {}) },
        { type: 'conv2d', filters: 1, kernelSize: 3, activation: 'tanh' },
      ],
    })

  it('draws N(0, initStd²) kernels for dense and transposed convolutions, and leaves other layers Glorot-uniform', () => {
    const model = buildModel(spec(0.02), { prefix: 'g', seed: 5 })
    try {
      for (const suffix of ['00_dense', '02_conv2dTranspose']) {
        const s = stats(kernelOf(model, suffix))
        expect(Math.abs(s.mean)).toBeLessThan(0.002)
        expect(s.std).toBeGreaterThan(0.019)
        expect(s.std).toBeLessThan(0.021)
      }
      // The last conv has no initStd: Glorot-uniform, bound √(6 / (fanIn + fanOut)) = √(6 / (9·32 + 9·1)).
      const bound = Math.sqrt(6 / (9 * 32 + 9))
      const last = stats(kernelOf(model, '03_conv2d'))
      expect(last.maxAbs).toBeLessThanOrEqual(bound)
      expect(last.std).toBeGreaterThan((bound / Math.sqrt(3)) * 0.8)
    } finally {
      model.dispose()
    }
  })

  it('keeps Glorot-uniform when initStd is absent (the default of every existing preset)', () => {
    const model = buildModel(spec(), { prefix: 'g', seed: 5 })
    try {
      const bound = Math.sqrt(6 / (100 + 3136))
      const s = stats(kernelOf(model, '00_dense'))
      expect(s.maxAbs).toBeLessThanOrEqual(bound)
      expect(s.std).toBeGreaterThan((bound / Math.sqrt(3)) * 0.95)
      expect(s.std).toBeLessThan((bound / Math.sqrt(3)) * 1.05)
    } finally {
      model.dispose()
    }
  })

  it('refuses a standard deviation that is not positive, naming the field', () => {
    const r = modelSpecSchema.safeParse({ inputShape: [4], layers: [{ type: 'dense', units: 2, initStd: 0 }] })
    expect(r.success).toBe(false)
    expect(JSON.stringify(r.error?.issues)).toContain('initStd')
  })
})
