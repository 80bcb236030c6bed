/**
 * tfjs-backend-wasm with threads, in Node.
 *
 * tfjs turns wasm threads off under Node (WASM_HAS_MULTITHREAD_SUPPORT is false there, tfjs issue
 * #3830): its threaded loader hands Emscripten Blob URLs for the pthread worker and the main script,
 * which Node's worker_threads cannot start. The Emscripten glue itself supports Node (it uses
 * worker_threads), so we start the threaded-SIMD build ourselves with real file paths: the glue's
 * own file as the script each pthread imports, and the worker code tfjs ships as a string written
 * once to a file. Then 'wasm' is registered again with a factory that wraps that module in tfjs'
 * own BackendWasm, so every wasm kernel (and ours) runs on it unchanged; XNNPACK's thread pool
 * then spreads convolutions and matrix products over the cores.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

const requireHere = createRequire(__filename)
const PKG = '@tensorflow/tfjs-backend-wasm'

interface EmscriptenModule {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => number
  tfjs?: Record<string, unknown>
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>

/** The package's folder of .wasm binaries (tfjs' setWasmPaths and the threaded build both read it). */
export function wasmBinaryDir(): string {
  return path.join(path.dirname(requireHere.resolve(`${PKG}/package.json`)), 'dist')
}

/** The slice of the WebAssembly JS API used here (Node has it; this project's TS libs do not declare it). */
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }>
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/**
 * The pthread worker's code as a file, in a directory of this process's own (mkdtemp: mode 0700,
 * so no other user can swap the code a worker runs), removed when the process exits.
 */
function workerFile(): string {
  const { wasmWorkerContents } = requireHere(`${PKG}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`) as { wasmWorkerContents: string }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-workbench-wasm-'))
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'pthread-worker.cjs')
  // As tfjs does before making its Blob: the template literal turned the code's "\n" escapes into newlines.
  fs.writeFileSync(file, wasmWorkerContents.replace(/\n/g, '\\n'))
  return file
}

/**
 * How many threads training's heavy kernels get: native BLAS's where there is one, otherwise
 * XNNPACK's in WebAssembly (backend.ts decides). Every core, as PyTorch does (tfjs' own default is
 * half of them). GWB_WASM_THREADS overrides it (side-by-side runs get a share); 0 keeps tfjs' own
 * single-threaded wasm loader.
 */
export function wasmThreadCount(): number {
  const fromEnv = process.env.GWB_WASM_THREADS
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv)
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length)
}

interface PThreads {
  unusedWorkers: Array<{ terminate(): void }>
  runningWorkers: Array<{ unref(): void }>
}

/** What the wasm backend ended up with, for the backend report. */
export const wasmThreads = { count: 1, note: '' }

/** Starts the threaded-SIMD build with real file paths (see the top of this file). */
async function startThreaded(threads: number): Promise<BackendWasm> {
  const wasm = requireHere(PKG) as typeof import('@tensorflow/tfjs-backend-wasm')
  const glue = requireHere.resolve(`${PKG}/wasm-out/tfjs-backend-wasm-threaded-simd.js`)
  const binary = path.join(wasmBinaryDir(), 'tfjs-backend-wasm-threaded-simd.wasm')
  const factory = requireHere(glue) as Factory
  const worker = workerFile()
  let failed: (e: unknown) => void = () => {}
  const instantiationFailed = new Promise<never>((_, reject) => {
    failed = reject
  })
  const module = await Promise.race([
    instantiationFailed,
    factory({
      mainScriptUrlOrBlob: glue,
      locateFile: (file: string, prefix: string) =>
        file.endsWith('.worker.js') ? worker : file.endsWith('.wasm') ? binary : prefix + file,
      // tfjs caps XNNPACK's pool at half the logical cores Emscripten reports (it assumes
      // hyper-threading), which on a 2-core machine is one thread: report twice what we want.
      instantiateWasm: (info: { env: Record<string, unknown> }, receive: (instance: unknown, module: unknown) => void) => {
        info.env.emscripten_num_logical_cores = () => 2 * threads
        WebAssemblyApi.instantiate(fs.readFileSync(binary), info).then((r) => receive(r.instance, r.module), failed)
        return {}
      },
    }),
  ])
  // What tfjs' own loader attaches (backend_wasm.ts init()).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  }
  wasm.setThreadsCount(threads)
  const backend = new wasm.BackendWasm(module as never) as BackendWasm
  // Emscripten starts 8 workers up front; the pool now holds what it needs. The rest go, and the
  // pool's own threads must not keep a finished CLI command's process alive.
  const pthreads = (module as unknown as { PThread: PThreads }).PThread
  for (const w of pthreads.unusedWorkers) w.terminate()
  pthreads.unusedWorkers.length = 0
  for (const w of pthreads.runningWorkers) w.unref()
  return backend
}

let registered = false

/**
 * Replaces tfjs' 'wasm' backend factory with one that starts the threaded-SIMD build, falling back
 * to tfjs' own single-threaded loader if that fails (the reason goes into the backend report).
 * Call before the backend is first activated; later calls do nothing.
 */
export function registerThreadedWasm(threads = wasmThreadCount()): void {
  if (registered) return
  registered = true
  const stock = tf.findBackendFactory('wasm')
  if (!stock) throw new Error('the wasm backend is not registered (is @tensorflow/tfjs-backend-wasm loaded?)')
  if (threads <= 1) {
    wasmThreads.note = threads === 0 ? 'threads off (GWB_WASM_THREADS=0)' : ''
    return
  }
  tf.removeBackend('wasm')
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const backend = await startThreaded(threads)
        wasmThreads.count = (backend as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm.tfjs.getThreadsCount()
        return backend
      } catch (e) {
        wasmThreads.count = 1
        wasmThreads.note = `threads unavailable (${e instanceof Error ? e.message : String(e)}), so one thread`
        return stock() as Promise<BackendWasm>
      }
    },
    2,
  )
}
