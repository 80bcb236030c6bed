/**
 * Training backends, best first: TensorFlow C++ with CUDA (tfjs-node-gpu), TensorFlow C++ on the
 * CPU (tfjs-node), WebAssembly, then tfjs' pure-JS `cpu` kernels. The native packages are optional
 * dependencies: they download libtensorflow at install and are simply absent where that failed.
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

const requireHere = createRequire(__filename)

interface Candidate {
  name: BackendName
  /** tfjs' registry name of the backend. */
  tfName: string
  load: () => Promise<void>
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
    name: 'wasm',
    tfName: 'wasm',
    load: async () => {
      const wasm = requireHere('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')
      const dir = path.join(path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep
      wasm.setWasmPaths(dir)
      // Stock tfjs-backend-wasm cannot train conv models (no Conv2DBackpropFilter) and its
      // Conv2DBackpropInput is a scalar loop: ours express both through XNNPACK convolutions.
      registerWasmConvKernels()
      registerWasmSegmentSum()
      registerWasmMatMulKernels()
    },
  },
  { name: 'cpu', tfName: 'cpu', load: async () => {} },
]

const WHY_USED: Record<BackendName, string> = {
  'tensorflow-gpu': 'TensorFlow C++ with CUDA (tfjs-node-gpu) is installed: the fastest backend',
  tensorflow: 'TensorFlow C++ (tfjs-node) is installed: native multi-threaded CPU kernels',
  wasm: 'fastest pure backend here: WebAssembly (XNNPACK) kernels, with our conv-gradient kernels',
  cpu: "tfjs' pure-JavaScript kernels: the slowest backend, used only when nothing else loads",
}

export interface SelectedBackend {
  name: BackendName
  reason: string
  probes: BackendInfo[]
}

async function tryActivate(c: Candidate): Promise<string | null> {
  try {
    await c.load()
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
}

export function isConvolutional(config: Pick<ExperimentConfig, 'generator' | 'discriminator'>): boolean {
  return [...specLayers(config.generator), ...specLayers(config.discriminator)].some((l) => l.type === 'conv2d' || l.type === 'conv2dTranspose')
}

export async function selectBackend(requested: 'auto' | BackendName = 'auto', options: SelectOptions = {}): Promise<SelectedBackend> {
  const probes: BackendInfo[] = []
  const order = requested === 'auto' ? CANDIDATES : CANDIDATES.filter((c) => c.name === requested)
  for (const c of order) {
    if (requested === 'auto' && c.name === 'cpu' && options.convolutional) {
      probes.push({ name: c.name, available: false, reason: 'skipped for a convolutional model: pure-JS kernels take minutes per step (force it with --backend cpu)' })
      break
    }
    const failure = await tryActivate(c)
    if (failure === null) {
      const why = WHY_USED[c.name] + gpuCaveat(c.name)
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

let probed: Promise<SelectedBackend> | undefined

/** Selects `auto` once per process (for hosts that sample or report); the answer does not change. */
export function probeBackendsOnce(): Promise<SelectedBackend> {
  probed ??= selectBackend('auto')
  return probed
}
