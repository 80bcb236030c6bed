/**
 * Raw kernel throughput of our wasm backend on one thread and on all cores: a 512³ matrix product
 * and a 3×3 convolution (16×28×28×64 → 64), the two kernel families that dominate the workloads.
 * Set against bench/torch_kernels.py, it separates the kernels' own speed from tfjs' per-op
 * overhead. Prints one JSON line. Usage: tsx bench/kernels.ts
 */
import * as tf from '@tensorflow/tfjs'
import { selectBackend, wasmComputeThreads } from '../src-main/training/backend'

/**
 * Fastest milliseconds of `f` over `reps` runs, after two warm-ups (the machine's noise only adds
 * time: a median here moved 2.4 → 3.6 ms between runs a minute apart). The wasm backend runs a kernel
 * when the op is called, so the timing stops there, as PyTorch's does: reading the result back
 * (a copy into JavaScript, 0.4 ms for the 1 MB product) is not part of the kernel.
 */
function timeMs(f: () => tf.Tensor, reps: number): number {
  for (let i = 0; i < 2; i++) f().dispose()
  const times: number[] = []
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now()
    const out = f()
    times.push(performance.now() - t0)
    out.dispose()
  }
  return Math.min(...times)
}

async function main(): Promise<void> {
  await selectBackend('wasm', { convolutional: true })
  const a = tf.randomNormal([512, 512])
  const b = tf.randomNormal([512, 512])
  const x = tf.randomNormal([16, 28, 28, 64]) as tf.Tensor4D
  const w = tf.randomNormal([3, 3, 64, 64]) as tf.Tensor4D
  const matmulMs = timeMs(() => tf.matMul(a, b), 20)
  const convMs = timeMs(() => tf.conv2d(x, w, 1, 'same'), 10)
  console.log(
    JSON.stringify({
      threads: wasmComputeThreads(),
      matmulMs,
      matmulGflops: (2 * 512 ** 3) / matmulMs / 1e6,
      convMs,
      convGflops: (2 * 16 * 28 * 28 * 64 * 64 * 9) / convMs / 1e6,
    }),
  )
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
