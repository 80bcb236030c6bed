/**
 * The native MLP step's optional per-phase timers (gwb_mlp.c mlpTimers / mlpTimersRead, read by
 * bench/mlp-phases.ts for `tsx bench/profile.ts --mlp`): off by default and then untouched by
 * steps; on, every step counted and each phase that runs timed, BLAS time within its phase's time;
 * switching on zeroes them, off keeps them; bad arguments are clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { validateExperiment } from '../../src-shared/config/validate'
import { selectBackend } from '../../src-main/training/backend'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { disposeMetrics } from '../../src-main/training/step-metrics'
import { nativeBlas } from '../../src-main/training/native-blas'
import { wasmThreadCount } from '../../src-main/training/wasm-threads'
import { decodeNativeTimers, NATIVE_PHASES } from '../../bench/mlp-phases'
import { requireNativeOrSkip } from '../helpers/native-variant'

const status = nativeBlas(wasmThreadCount())
const skip = requireNativeOrSkip(status, 'native-mlp-timers.test')

describe.skipIf(skip)("the native MLP step's phase timers", () => {
  const blas = status.blas!
  let gan: VanillaGan
  const read = () => {
    const out = new Float64Array(4 * NATIVE_PHASES.length + 2)
    return decodeNativeTimers(out, blas.mlpTimersRead!(out))
  }
  const steps = (n: number, from: number) => {
    for (let i = 0; i < n; i++) disposeMetrics(gan.trainStep(from + i, 0, false))
  }

  beforeAll(async () => {
    await selectBackend('wasm')
    const config = validateExperiment(applyOverrides(requirePreset('mlp-2d-ring8').config, ['training.batchSize=64'])).config
    gan = new VanillaGan(config, createDataSource(config.dataset, 3))
    expect(typeof gan.nativeStep, String(gan.nativeStep)).toBe('object')
  })
  afterAll(() => {
    blas.mlpTimers?.(false)
    gan?.dispose()
  })

  it('are off until switched on: steps leave them as they are', () => {
    const before = read()
    steps(3, 0)
    expect(read()).toEqual(before)
  })

  it('on, count every D and G step and time each phase the step runs, BLAS time within its phase', () => {
    blas.mlpTimers!(true)
    steps(4, 3)
    const t = read()
    blas.mlpTimers!(false)
    expect(t.calls).toEqual({ d: 4, g: 4 })
    // Phases both steps run (copy: D's joint batch, G's input gradient; tiny but timed).
    for (const side of ['d', 'g'])
      for (const phase of ['args', 'gForward', 'dForward', 'loss', 'dBackward', 'norm', 'adam'])
        expect(t.seconds[`${side}.${phase}`], `${side}.${phase}`).toBeGreaterThan(0)
    expect(t.seconds['g.gBackward']).toBeGreaterThan(0)
    expect(t.seconds['d.gBackward'], 'the D step has no G backward').toBe(0)
    for (const key of ['d.gForward', 'd.dForward', 'd.dBackward', 'g.gForward', 'g.dForward', 'g.dBackward', 'g.gBackward']) {
      expect(t.gemmSeconds[key], `${key}: BLAS time`).toBeGreaterThan(0)
      expect(t.gemmSeconds[key]!, `${key}: BLAS time within the phase's`).toBeLessThanOrEqual(t.seconds[key]!)
    }
    expect(t.gemmSeconds['d.adam'], 'no product in Adam').toBe(0)
  })

  it('switching on again zeroes them; off, they keep what they had', () => {
    blas.mlpTimers!(true)
    steps(1, 7)
    blas.mlpTimers!(false)
    const after = read()
    expect(after.calls).toEqual({ d: 1, g: 1 })
    steps(2, 8)
    expect(read()).toEqual(after)
  })

  it('refuse bad arguments with a clear error', () => {
    expect(() => blas.mlpTimers!('yes' as unknown as boolean)).toThrow(/mlpTimers: expected a boolean/)
    expect(() => blas.mlpTimersRead!(new Float64Array(3))).toThrow()
    expect(() => decodeNativeTimers(new Float64Array(100), NATIVE_PHASES.length + 1)).toThrow(/rebuild the addon/)
  })
})
