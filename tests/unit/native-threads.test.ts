/**
 * The native kernels keep one set of process-wide scratch buffers, so the addon serves one
 * JavaScript thread: a worker thread that loads it while another thread holds it gets a clear
 * error, and its backend keeps the WebAssembly kernels; when the holder exits, another may load it.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { NATIVE_ADDON, nativeBlas } from '../../src-main/training/native-blas'
import { wasmThreadCount } from '../../src-main/training/wasm-threads'
import { requireNativeOrSkip } from '../helpers/native-variant'

const status = nativeBlas(wasmThreadCount())
const skip = requireNativeOrSkip(status, 'native-threads.test')
const ROOT = path.resolve(__dirname, '..', '..')
const REFUSAL = /already serve another thread of this process/

/** Runs `code` (CommonJS, TypeScript through tsx) in a worker thread; resolves with what it posts. */
function inWorker(code: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w = new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\n${code}`, {
      eval: true,
      env: { ...process.env },
    })
    w.once('message', (m) => {
      resolve(m)
      void w.terminate()
    })
    w.once('error', reject)
  })
}

describe.skipIf(skip)('the native kernels serve one thread of a process', () => {
  it('a worker thread gets a clear error loading the addon, and its wasm backend keeps the WebAssembly kernels', async () => {
    const direct = await inWorker(`
      const { parentPort } = require('node:worker_threads')
      try { require(${JSON.stringify(NATIVE_ADDON)}); parentPort.postMessage('loaded') } catch (e) { parentPort.postMessage(String(e.message)) }`)
    expect(direct).toMatch(REFUSAL)
    const backend = (await inWorker(`
      const { parentPort } = require('node:worker_threads')
      const { selectBackend } = require(${JSON.stringify(path.join(ROOT, 'src-main/training/backend.ts'))})
      const { nativeBlas } = require(${JSON.stringify(path.join(ROOT, 'src-main/training/native-blas.ts'))})
      const tf = require('@tensorflow/tfjs')
      selectBackend('wasm', { convolutional: true }).then((s) => {
        const x = tf.ones([2, 3])
        const product = Array.from(tf.matMul(x, x, false, true).dataSync())
        parentPort.postMessage({ reason: s.reason, blas: nativeBlas(1).blas !== null, product })
      }, (e) => parentPort.postMessage({ error: String(e) }))`)) as { reason: string; blas: boolean; product: number[] }
    expect(backend.blas).toBe(false)
    expect(backend.reason).toMatch(/native BLAS kernels failed to load \(gwb_native: the native kernels already serve another thread/)
    expect(backend.product).toEqual([3, 3, 3, 3])
    // This thread still has them.
    const a = new Float32Array([1, 2, 3, 4])
    const c = new Float32Array(4)
    status.blas!.gemm(a, a, c, 1, 2, 2, 2, 0, 0, 0, 0, null, false)
    expect(Array.from(c)).toEqual([7, 10, 15, 22])
  })

  it('when the thread holding them exits, another thread may load them', () => {
    // A fresh process whose main thread never loads the addon: worker A holds it, B is refused, A exits, C loads it.
    const script = `
      const { Worker } = require('node:worker_threads')
      const load = (stay) => new Promise((resolve) => {
        const w = new Worker(${JSON.stringify(`
          const { parentPort, workerData } = require('node:worker_threads')
          let answer
          try { require(${JSON.stringify(NATIVE_ADDON)}); answer = 'loaded' } catch (e) { answer = e.message }
          parentPort.postMessage(answer)
          if (workerData.stay) parentPort.once('message', () => process.exit(0))`)}, { eval: true, workerData: { stay } })
        w.once('message', (answer) => resolve({ answer, worker: w }))
      })
      ;(async () => {
        const a = await load(true)
        const b = await load(false)
        const exited = new Promise((r) => a.worker.once('exit', r))
        a.worker.postMessage('exit')
        await exited
        const c = await load(false)
        console.log(JSON.stringify([a.answer, b.answer, c.answer]))
        process.exit(0)
      })()`
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000, env: process.env })
    expect(r.status, r.stderr).toBe(0)
    const [a, b, c] = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[]
    expect(a).toBe('loaded')
    expect(b).toMatch(REFUSAL)
    expect(c).toBe('loaded')
  })
})
