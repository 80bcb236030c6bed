/**
 * Training backends, best first: TensorFlow C++ with CUDA (tfjs-node-gpu), TensorFlow C++ on the
 * CPU (tfjs-node), WebGPU through Dawn on a hardware adapter, WebAssembly, then tfjs' pure-JS
 * `cpu` kernels. The native packages are optional dependencies: they download libtensorflow at
 * install and are simply absent where that failed. WebGPU serves training runs only: tfjs cannot
 * read a WebGPU tensor synchronously in Node, which sampling and evaluation code does.
 */
import path from 'node:path'
import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'
import type { BackendName, ExperimentConfig } from '../../src-shared/config/experiment'
import type { BackendInfo } from '../../src-shared/contract'
import { specLayers } from '../../src-shared/model/spec'
import { registerWasmConvKernels } from './wasm-kernels'
import { registerWasmSegmentSum } from './wasm-segment-sum'
import { registerWasmMatMulKernels } from './wasm-matmul'
import { registerWasmIdentity } from './wasm-identity'
import { setUpWebGpu } from './webgpu'
import { registerThreadedWasm, wasmBinaryDir, wasmThreadCount, wasmThreads } from './wasm-threads'
import { nativeBlas } from './native-blas'
import { registerWasmNativeKernels } from './wasm-native-kernels'
import { registerCpuResizeNearestGrad } from './cpu-resize-grad'

const requireHere = createRequire(__filename)

interface Candidate {
  name: BackendName
  /** tfjs' registry name of the backend. */
  tfName: string
  /** Throws the reason in words when the backend cannot (or, unforced, should not) be used. */
  load: (forced: boolean) => Promise<void>
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e)
  return text.split('\n')[0]!.trim()
}

function notInstalledReason(pkg: string, e: unknown): string {
  const code = (e as { code?: string }).code
  if (code === 'MODULE_NOT_FOUND' && firstLine(e).includes(pkg)) {
    return `${pkg} is not installed (optional dependency; its install downloads libtensorflow, which needs internet)`
  }
  return `${pkg} failed to load: ${firstLine(e)}`
}

/** A TensorFlow C++ binding: loading the package registers its 'tensorflow' backend. */
function nativeCandidate(name: BackendName, pkg: string): Candidate {
  return {
    name,
    tfName: 'tensorflow',
    load: async () => {
      try {
        requireHere(pkg)
      } catch (e) {
        throw new Error(notInstalledReason(pkg, e))
      }
    },
  }
}

const CANDIDATES: Candidate[] = [
  nativeCandidate('tensorflow-gpu', '@tensorflow/tfjs-node-gpu'),
  nativeCandidate('tensorflow', '@tensorflow/tfjs-node'),
  {
    name: 'webgpu',
    tfName: 'webgpu',
    load: async (forced) => {
      const adapter = await setUpWebGpu()
      if (adapter.software && !forced) {
        throw new Error(
          `only a software WebGPU adapter here (${adapter.description}): far slower than wasm, so skipped (force it with --backend webgpu)`,
        )
      }
      requireHere('@tensorflow/tfjs-backend-webgpu')
    },
  },
  {
    name: 'wasm',
    tfName: 'wasm',
    load: async () => {
      const wasm = requireHere('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')
      wasm.setWasmPaths(wasmBinaryDir() + path.sep)
      // Matrix products and convolutions go to the machine's BLAS where there is one: per core ~4×
      // the speed of XNNPACK in WebAssembly. It gets the cores; WebAssembly, left with memory-bound
      // element-wise ops, keeps one thread, because a wasm thread pool beside it slowed whole steps
      // (measured per step: DCGAN 683 ms with one wasm thread vs 907 with two, AC-GAN 608 vs 935).
      // Without a BLAS, tfjs' threaded wasm build gets the cores (tfjs runs wasm single-threaded
      // under Node).
      const threads = wasmThreadCount()
      const native = nativeBlas(threads)
      registerThreadedWasm(native.blas ? Math.min(threads, 1) : threads)
      // Stock tfjs-backend-wasm cannot train conv models (no Conv2DBackpropFilter) and its
      // Conv2DBackpropInput is a scalar loop: ours express both through XNNPACK convolutions.
      registerWasmConvKernels()
      registerWasmSegmentSum()
      registerWasmMatMulKernels()
      registerWasmIdentity()
      // In front of the kernels above, which become their fallbacks.
      if (native.blas) registerWasmNativeKernels(native.blas)
    },
  },
  // tfjs' cpu gradient of nearest up-sampling is wrong from batch 2 on: ours replaces it.
  { name: 'cpu', tfName: 'cpu', load: async () => registerCpuResizeNearestGrad() },
]

const WHY_USED: Record<BackendName, string> = {
  'tensorflow-gpu': 'TensorFlow C++ with CUDA (tfjs-node-gpu) is installed: the fastest backend',
  tensorflow: 'TensorFlow C++ (tfjs-node) is installed: native multi-threaded CPU kernels',
  webgpu: 'a WebGPU adapter (Dawn): GPU kernels without CUDA',
  wasm: 'fastest backend here: WebAssembly (XNNPACK) kernels, with our conv-gradient kernels',
  cpu: "tfjs' pure-JavaScript kernels: the slowest backend, used only when nothing else loads",
}

/** The threads of the wasm backend's heavy kernels: the native BLAS's, or XNNPACK's without one. */
export function wasmComputeThreads(): number {
  return nativeBlas(wasmThreadCount()).threads || wasmThreads.count
}

/** Why wasm, and what runs where on it: the native BLAS and its threads, or why there is none. */
function wasmReason(): string {
  const native = nativeBlas(wasmThreadCount())
  const threads = `${wasmThreads.count} thread${wasmThreads.count === 1 ? '' : 's'}${wasmThreads.note ? `: ${wasmThreads.note}` : ''}`
  if (native.blas) return `fastest backend here: ${native.note}, the other ops in WebAssembly (${threads})`
  return `${WHY_USED.wasm}; ${threads}; ${native.note}`
}

export interface SelectedBackend {
  name: BackendName
  reason: string
  probes: BackendInfo[]
}

async function tryActivate(c: Candidate, forced: boolean): Promise<string | null> {
  try {
    await c.load(forced)
    if (!(await tf.setBackend(c.tfName))) return `tf.setBackend('${c.tfName}') failed`
    await tf.ready()
    return null
  } catch (e) {
    return firstLine(e)
  }
}

/** tfjs-node-gpu falls back to the CPU when CUDA finds no device; say so rather than claim a GPU. */
function gpuCaveat(name: BackendName): string {
  if (name !== 'tensorflow-gpu') return ''
  const usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice
  return usingGpu === false ? ' — but CUDA found no GPU device, so TensorFlow runs on the CPU' : ''
}

/**
 * Activates the requested backend, or with `auto` the best one that loads. Returns why it was
 * chosen and why each better one was skipped, for `doctor`, the UI and the run record.
 */
export interface SelectOptions {
  /** Conv models are never put on the pure-JS cpu backend silently (~12 min per DCGAN step). */
  convolutional?: boolean
  /**
   * A training run (its code reads tensors asynchronously): only then may WebGPU be chosen. Other
   * callers (sampling, evaluation, exports) read synchronously, which WebGPU cannot in Node.
   */
  training?: boolean
  /** Probe WebGPU for the report even when not training (doctor, the System page): loads Dawn. */
  describe?: boolean
}

export function isConvolutional(config: Pick<ExperimentConfig, 'generator' | 'discriminator'>): boolean {
  return [...specLayers(config.generator), ...specLayers(config.discriminator)].some(
    (l) => l.type === 'conv2d' || l.type === 'conv2dTranspose',
  )
}

export async function selectBackend(requested: 'auto' | BackendName = 'auto', options: SelectOptions = {}): Promise<SelectedBackend> {
  const probes: BackendInfo[] = []
  const order = requested === 'auto' ? CANDIDATES : CANDIDATES.filter((c) => c.name === requested)
  for (const c of order) {
    if (requested === 'auto' && c.name === 'cpu' && options.convolutional) {
      probes.push({
        name: c.name,
        available: false,
        reason: 'skipped for a convolutional model: pure-JS kernels take minutes per step (force it with --backend cpu)',
      })
      break
    }
    if (c.name === 'webgpu' && !options.training) {
      probes.push(
        options.describe
          ? await webGpuProbe()
          : { name: 'webgpu', available: false, reason: 'used by training runs only (not probed here)' },
      )
      if (requested !== 'auto') break
      continue
    }
    const failure = await tryActivate(c, requested !== 'auto')
    if (failure === null) {
      const why =
        c.name === 'wasm'
          ? wasmReason()
          : WHY_USED[c.name] + gpuCaveat(c.name) + (c.name === 'webgpu' ? ` (${(await setUpWebGpu()).description})` : '')
      const reason = requested === 'auto' ? why : `forced by the config/--backend (${why})`
      probes.push({ name: c.name, available: true, reason })
      for (const rest of CANDIDATES.slice(CANDIDATES.indexOf(c) + 1)) {
        probes.push({ name: rest.name, available: true, reason: 'not probed: a better backend is in use' })
      }
      return { name: c.name, reason, probes }
    }
    probes.push({ name: c.name, available: false, reason: failure })
  }
  throw new Error(`backend "${requested}" is not available here: ${probes.map((p) => `${p.name}: ${p.reason}`).join('; ')}`)
}

/** What training would make of WebGPU here, without activating it (hosts sample on the next backend). */
async function webGpuProbe(): Promise<BackendInfo> {
  try {
    const a = await setUpWebGpu()
    return a.software
      ? {
          name: 'webgpu',
          available: false,
          reason: `only a software adapter (${a.description}): training skips it unless forced with --backend webgpu`,
        }
      : {
          name: 'webgpu',
          available: true,
          reason: `hardware adapter (${a.description}): used by training runs; sampling and evaluation use the next backend`,
        }
  } catch (e) {
    return { name: 'webgpu', available: false, reason: firstLine(e) }
  }
}

let probed: Promise<SelectedBackend> | undefined

/** Selects `auto` once per process (for hosts that sample or report, WebGPU described); the answer does not change. */
export function probeBackendsOnce(): Promise<SelectedBackend> {
  probed ??= selectBackend('auto', { describe: true })
  return probed
}

let activated: Promise<SelectedBackend> | undefined

/** The backend for sampling and evaluation in this process, without loading Dawn just to describe WebGPU. */
export function hostBackendOnce(): Promise<SelectedBackend> {
  activated ??= probed ?? selectBackend('auto')
  return activated
}
