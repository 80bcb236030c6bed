/**
 * Where a training step's time goes, kernel by kernel: wraps every registered kernel of the backend
 * with a timer, runs a few steps of a preset, prints ms per step and calls per step of the top 25.
 * Usage: tsx bench/profile.ts [PRESET=dcgan-mnist] [BATCH=64] [STEPS=4] [--backend NAME] [--shapes] [--json]
 * (--shapes prints each convolution's input shapes and time; --json prints one JSON line instead of
 * the table). Kernel times include the dispatch inside the kernel function, not tfjs' own
 * bookkeeping around it: "in kernels" vs "step" shows that.
 *
 * The MLP GAN's native step is one call these timers cannot see into; for it:
 *   tsx bench/profile.ts --mlp [--steps 300] [--rounds 3] [--threads 1,2] [--json]
 * prints its phases (the addon's own timers) beside the PyTorch peer's, in alternating rounds
 * (bench/mlp-profile.ts).
 */
import * as tf from '@tensorflow/tfjs'
import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs'
import { requirePreset } from '../src-shared/config/presets'
import { applyOverrides } from '../src-shared/config/overrides'
import { validateExperiment } from '../src-shared/config/validate'
import { isConvolutional, selectBackend } from '../src-main/training/backend'
import { createDataSource } from '../src-main/datasets/create-data-source'
import { disposeMetrics } from '../src-main/training/step-metrics'
import { createGan } from '../src-main/training/create-gan'
import type { BackendName } from '../src-shared/config/experiment'
import { mlpProfile, oursChild } from './mlp-profile'

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const flag = (name: string) => {
    const i = args.indexOf(name)
    return i >= 0 ? args.splice(i, 2)[1] : undefined
  }
  const count = (name: string, fallback: number) => {
    const v = flag(name) ?? String(fallback)
    if (!/^[1-9]\d*$/.test(v)) throw new Error(`${name} expects a positive whole number, got "${v}"`)
    return Number(v)
  }
  if (args[0] === '--mlp-child') return oursChild(Number(args[1]))
  if (args.includes('--mlp')) {
    const threads = (flag('--threads') ?? '1,2').split(',').map(Number)
    if (!threads.every((t) => Number.isInteger(t) && t > 0)) throw new Error('--threads expects thread counts like 1,2')
    return mlpProfile({ steps: count('--steps', 300), rounds: count('--rounds', 3), threads, json: args.includes('--json') })
  }
  const backendName = (flag('--backend') ?? 'wasm') as BackendName
  const shapes = args.includes('--shapes')
  const json = args.includes('--json')
  const [preset = 'dcgan-mnist', batch = '64', steps = '4'] = args.filter((a) => !a.startsWith('--'))
  const { config } = validateExperiment(applyOverrides(requirePreset(preset).config, [`training.batchSize=${batch}`, 'training.dSteps=1']))
  const selected = await selectBackend(backendName, { convolutional: isConvolutional(config), training: true })
  if (!json) console.log(`${preset}, batch ${batch}, backend ${selected.name}: ${selected.reason}`)
  const times = new Map<string, { ms: number; calls: number }>()
  for (const k of getKernelsForBackend(selected.name === 'tensorflow-gpu' ? 'tensorflow' : selected.name)) {
    const inner = k.kernelFunc
    unregisterKernel(k.kernelName, k.backendName)
    const timed = (a: { inputs: Record<string, TensorInfo | undefined>; attrs: Record<string, unknown> }) => {
      const t0 = performance.now()
      const result = inner(a as never)
      const ms = performance.now() - t0
      const entry = times.get(k.kernelName) ?? { ms: 0, calls: 0 }
      entry.ms += ms
      entry.calls++
      times.set(k.kernelName, entry)
      if (shapes && /Conv/.test(k.kernelName)) {
        console.log(
          `  ${k.kernelName} ${Object.values(a.inputs)
            .map((x) => x?.shape.join('×'))
            .join(' ')} strides ${String(a.attrs.strides)} ${String(a.attrs.pad)}: ${ms.toFixed(1)} ms`,
        )
      }
      return result
    }
    registerKernel({ ...k, kernelFunc: timed } as unknown as KernelConfig)
  }
  const gan = createGan(config, createDataSource(config.dataset, 1))
  for (let i = 0; i < 2; i++) disposeMetrics(gan.trainStep(i, 0, false))
  times.clear()
  const n = Number(steps)
  const t0 = performance.now()
  for (let i = 0; i < n; i++) disposeMetrics(gan.trainStep(i, 0, false))
  const total = performance.now() - t0
  const rows = [...times.entries()].sort((a, b) => b[1].ms - a[1].ms)
  const inKernels = rows.reduce((s, [, e]) => s + e.ms, 0)
  const calls = rows.reduce((s, [, e]) => s + e.calls, 0)
  if (json) {
    const perStep = (name: string) => (times.get(name)?.calls ?? 0) / n
    console.log(
      JSON.stringify({
        preset,
        batch: Number(batch),
        backend: selected.name,
        stepMs: total / n,
        inKernelsMs: inKernels / n,
        kernelCallsPerStep: calls / n,
        // tfjs' bookkeeping kernels: a copy of each tensor a gradient needs, and reshapes around fused products.
        identityCallsPerStep: perStep('Identity'),
        reshapeCallsPerStep: perStep('Reshape'),
      }),
    )
  } else {
    console.log(`step ${(total / n).toFixed(1)} ms; in kernels ${(inKernels / n).toFixed(1)} ms; ${calls / n} kernel calls`)
    for (const [name, e] of rows.slice(0, 25))
      console.log(`${name.padEnd(28)} ${(e.ms / n).toFixed(2).padStart(9)} ms/step ${String(e.calls / n).padStart(6)} calls/step`)
  }
  gan.dispose()
  tf.disposeVariables()
}

main().catch((e: unknown) => {
  console.error(`bench/profile.ts: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
