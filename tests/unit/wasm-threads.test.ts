/**
 * tfjs' threaded wasm build started in Node (src-main/training/wasm-threads.ts): XNNPACK gets the
 * threads asked for, the backend report says how many, gradients match the pure-JS kernels, and
 * the pool's threads do not keep a finished process alive.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'

const root = path.join(__dirname, '..', '..')
// The threaded wasm build is what runs where no native BLAS is found; with one, WebAssembly keeps a
// single thread (native-kernels.test.ts checks that split).
process.env.GWB_NATIVE_BLAS = '0'

interface WasmInternals {
  wasm: { tfjs: { getThreadsCount(): number }; PThread: { runningWorkers: unknown[]; unusedWorkers: unknown[] } }
}

/** The gradients of a small conv + transposed-conv + batch-norm model's loss, as flat arrays. */
function modelGradients(): Float32Array[] {
  return tf.tidy(() => {
    const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -0.5, 0.5, 'float32', seed)
    const x = rand([8, 28, 28, 1], 1)
    const w1 = tf.variable(rand([4, 4, 1, 32], 2))
    const w2 = tf.variable(rand([4, 4, 32, 64], 3))
    const wt = tf.variable(rand([4, 4, 16, 64], 4))
    const { grads } = tf.variableGrads(() => {
      const h1 = tf.leakyRelu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'), 0.2)
      const h2 = tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'same')
      const { mean, variance } = tf.moments(h2, [0, 1, 2])
      const normed = tf.relu(tf.batchNorm(h2, mean, variance, tf.zeros([64]), tf.ones([64])))
      const up = tf.conv2dTranspose(normed as tf.Tensor4D, wt as tf.Tensor4D, [8, 14, 14, 16], 2, 'same')
      return tf.mean(tf.square(tf.tanh(up)))
    }, [w1, w2, wt])
    return Object.values(grads).map((g) => g.dataSync() as Float32Array)
  })
}

describe('threaded wasm in Node', () => {
  it('gives XNNPACK two threads, says so, and computes what the cpu backend computes', async () => {
    process.env.GWB_WASM_THREADS = '2'
    const selected = await selectBackend('wasm', { convolutional: true })
    expect(selected.reason).toContain('2 threads')
    const internals = tf.backend() as unknown as WasmInternals
    expect(internals.wasm.tfjs.getThreadsCount()).toBe(2)
    // One pool thread beside the caller; Emscripten's other preallocated workers were let go.
    expect(internals.wasm.PThread.runningWorkers).toHaveLength(1)
    expect(internals.wasm.PThread.unusedWorkers).toHaveLength(0)

    const onWasm = modelGradients()
    await tf.setBackend('cpu')
    const onCpu = modelGradients()
    for (let i = 0; i < onCpu.length; i++) {
      const ref = onCpu[i]!
      const scale = Math.max(1e-6, ...Array.from(ref, Math.abs))
      const worst = Math.max(...Array.from(ref, (v, j) => Math.abs(v - onWasm[i]![j]!)))
      expect(worst / scale, `gradient ${i}`).toBeLessThan(1e-4)
    }
    await tf.setBackend('wasm')
  })

  it('lets a process that used it exit on its own', () => {
    const script = `
      const tf = require('@tensorflow/tfjs')
      const { selectBackend } = require('./src-main/training/backend.ts')
      selectBackend('wasm', { convolutional: true }).then((b) => {
        tf.tidy(() => tf.conv2d(tf.ones([8, 28, 28, 8]), tf.ones([3, 3, 8, 8]), 1, 'same').dataSync())
        console.log(b.reason)
      })`
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      env: { ...process.env, GWB_WASM_THREADS: '2' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(child.error, 'the process was still running after 60 s').toBeUndefined()
    expect(child.status, child.stderr).toBe(0)
    expect(child.stdout).toContain('2 threads')
  })

  it("keeps tfjs' own single-threaded loader with GWB_WASM_THREADS=0", () => {
    const script = `
      const tf = require('@tensorflow/tfjs')
      const { selectBackend } = require('./src-main/training/backend.ts')
      selectBackend('wasm').then((b) => console.log(b.reason, '|', 'PThread' in tf.backend().wasm))`
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      env: { ...process.env, GWB_WASM_THREADS: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(child.status, child.stderr).toBe(0)
    expect(child.stdout).toContain('1 thread: threads off (GWB_WASM_THREADS=0)')
    expect(child.stdout.trim().endsWith('| false'), 'the single-threaded build has no PThread').toBe(true)
  })
})
