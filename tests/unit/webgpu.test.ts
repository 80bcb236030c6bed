/**
 * The WebGPU backend (Dawn through the npm `webgpu` package). `auto` must never pick a software
 * adapter; forced, it trains for real. Here that is Mesa's lavapipe from bookworm-backports
 * (.ci/run installs it); where no adapter exists at all the training tests skip and say why.
 */
import { describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'
import { setUpWebGpu } from '../../src-main/training/webgpu'
import { trainRun, totalSteps } from '../../src-main/training/train-run'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { useTempRegistry } from '../helpers/temp-registry'
import { itFull } from '../helpers/full'
import { available } from '../helpers/requirements'

const adapter = await setUpWebGpu().then(
  (a) => a,
  (e: Error) => e,
)
available('lavapipe', adapter instanceof Error ? `WebGPU training tests: ${adapter.message}` : undefined)

describe('WebGPU backend', () => {
  it('is probed and explained, and auto never trains on a software adapter', async () => {
    const chosen = await selectBackend('auto', { training: true })
    const probe = chosen.probes.find((p) => p.name === 'webgpu')!
    expect(probe.reason.length).toBeGreaterThan(10)
    if (adapter instanceof Error) expect(probe).toMatchObject({ available: false, reason: adapter.message })
    else if (adapter.software) {
      expect(chosen.name).not.toBe('webgpu')
      expect(probe.reason).toMatch(/^only a software WebGPU adapter here \(.+\): far slower than wasm/)
    }
    // Hosts that sample (synchronous reads) never activate it, and say what training would do.
    const host = await selectBackend('auto')
    expect(host.name).not.toBe('webgpu')
    expect(host.probes.find((p) => p.name === 'webgpu')!.reason).toBeTruthy()
  })

  describe.skipIf(adapter instanceof Error)('forced', () => {
    const ctx = useTempRegistry()
    const run = async (preset: string, backend: string, extra: string[] = []) => {
      const config = validateExperiment(
        applyOverrides(requirePreset(preset).config, [
          'training.epochs=1',
          'training.stepsPerEpoch=3',
          'training.batchSize=8',
          'training.logEvery=1',
          'training.evalSamples=0',
          `backend=${backend}`,
          ...extra,
        ]),
      ).config
      const r = ctx.registry.createRun({ config, totalSteps: totalSteps(config) })
      const status = await trainRun(ctx.registry, ctx.dir, r.id, { progress: () => {}, status: () => {}, stopRequested: () => false })
      return { status, run: ctx.registry.getRun(r.id), metrics: ctx.registry.metrics(r.id) }
    }

    it('trains the MLP GAN to the same losses as wasm, step for step (float32 rounding apart)', async () => {
      const gpu = await run('mlp-2d-ring8', 'webgpu')
      expect(gpu.status, gpu.run.error ?? '').toBe('completed')
      expect(gpu.run.backend).toBe('webgpu')
      expect(gpu.run.backendReason).toMatch(/^forced by the config\/--backend \(a WebGPU adapter \(Dawn\)/)
      const wasm = await run('mlp-2d-ring8', 'wasm')
      for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake']) {
        gpu.metrics[key]!.forEach((p, i) =>
          expect(Math.abs(p.value - wasm.metrics[key]![i]!.value), `${key} at ${p.step}`).toBeLessThan(2e-3),
        )
      }
    })

    // Two minutes on lavapipe (one DCGAN step, its grid and per-epoch samples): the full suite's.
    itFull('trains a conv GAN (transposed convolutions and their gradients) and saves its grid', { timeout: 300_000 }, async () => {
      const gpu = await run('dcgan-mnist-bn', 'webgpu', ['dataset.limit=64', 'training.batchSize=4', 'training.stepsPerEpoch=1'])
      expect(gpu.status, gpu.run.error ?? '').toBe('completed')
      expect(gpu.metrics.gLoss!.every((p) => Number.isFinite(p.value))).toBe(true)
      expect(ctx.registry.artifacts(gpu.run.id, 'samples-grid')).toHaveLength(1)
    })
  })
})
