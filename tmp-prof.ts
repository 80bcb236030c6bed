import * as tf from '@tensorflow/tfjs'
import { getKernelsForBackend, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs'
import { requirePreset } from './src-shared/config/presets'
import { applyOverrides } from './src-shared/config/overrides'
import { validateExperiment } from './src-shared/config/validate'
import { selectBackend } from './src-main/training/backend'
import { createDataSource } from './src-main/datasets/data-source'
import { VanillaGan, disposeMetrics } from './src-main/training/vanilla-gan'
async function main() {
  const preset = process.argv[2] ?? 'dcgan-mnist'
  const bs = Number(process.argv[3] ?? 64)
  const { config } = validateExperiment(applyOverrides(requirePreset(preset).config, [`training.batchSize=${bs}`, 'training.dSteps=1']))
  console.log((await selectBackend('wasm', { convolutional: true, training: true })).reason)
  const times = new Map<string, [number, number]>()
  for (const k of getKernelsForBackend('wasm')) {
    const f = k.kernelFunc
    unregisterKernel(k.kernelName, 'wasm')
    registerKernel({ ...k, kernelFunc: ((a: never) => { const t = performance.now(); const r = f(a); const dt = performance.now() - t; const e = times.get(k.kernelName) ?? [0, 0]; e[0] += dt; e[1]++; times.set(k.kernelName, e); if (/Conv/.test(k.kernelName) && process.env.SHAPES) { const aa = a as any; console.log(k.kernelName, Object.values(aa.inputs).map((x: any) => x?.shape?.join('x')).join(' '), aa.attrs.strides, aa.attrs.pad, dt.toFixed(1)) } return r }) } as KernelConfig)
  }
  const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
  for (let i = 0; i < 2; i++) disposeMetrics(gan.trainStep(i, 0, false))
  times.clear()
  const n = Number(process.argv[4] ?? 5)
  const t0 = performance.now()
  for (let i = 0; i < n; i++) disposeMetrics(gan.trainStep(i, 0, false))
  const total = performance.now() - t0
  const rows = [...times.entries()].sort((a, b) => b[1][0] - a[1][0])
  const inK = rows.reduce((s, r) => s + r[1][0], 0)
  console.log(`step ${(total / n).toFixed(1)} ms; in kernels ${(inK / n).toFixed(1)} ms`)
  for (const [k, [ms, c]] of rows.slice(0, 25)) console.log(k.padEnd(28), (ms / n).toFixed(2).padStart(9), 'ms/step', String(c / n).padStart(6), 'calls/step')
}
main()
