/**
 * The native BLAS kernels (src-main/native/gwb_native.c, built by scripts/build-native.mjs into
 * resources/native/): optional twice over. The addon needs a C compiler at install, and at run time
 * it needs an optimised BLAS library on the machine, found by name. Where either is missing the
 * wasm backend keeps its WebAssembly kernels, and the backend report says why.
 */
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

/** The addon's functions (all work in place on Float32Array views of the wasm heap). */
export interface NativeBlas {
  load(libraries: string[]): string | null
  setThreads(n: number): boolean
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    strideA: number,
    strideB: number,
    bias: Float32Array | null,
    relu: boolean,
  ): void
  /** Geometry: n, h, w, c, kh, kw, co, oh, ow, sh, sw, padTop, padLeft. */
  conv2d(x: Float32Array, w: Float32Array, y: Float32Array, ...rest: [...number[], Float32Array | null, boolean]): void
  conv2dBackpropInput(dx: Float32Array, w: Float32Array, dy: Float32Array, ...geometry: number[]): void
  conv2dBackpropFilter(x: Float32Array, dw: Float32Array, dy: Float32Array, ...geometry: number[]): void
  leakyRelu(x: Float32Array, y: Float32Array, alpha: number): void
  /** out = a > b; a side of one value is broadcast. */
  greater(a: Float32Array, b: Float32Array, out: Uint8Array): void
  select(condition: Uint8Array, t: Float32Array, e: Float32Array, out: Float32Array): void
  /** x as rows×cols: `leading` sums over rows (cols outputs), otherwise over columns. */
  sum(x: Float32Array, rows: number, cols: number, out: Float32Array, leading: boolean): void
  /** Row r's `width` values from src[r·srcStride] to dst[r·dstStride] (absent from addons built before it). */
  copyRows(src: Float32Array, dst: Float32Array, rows: number, width: number, srcStride: number, dstStride: number): void
  /** y[b, oy, ox] = x[b, rows[oy], cols[ox]]; `backward`: x = 0, then x at those sources += y. */
  /** dx = 0, then dy added at each window's first maximum (y: the pooling's output); geometry as for conv2d, co = c. */
  maxPoolGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, ...geometry: number[]): void
  /** One Adam update (tfjs' formula and order, float32): w2, m2, v2 from w, g, m, v. */
  adam(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    w2: Float32Array,
    m2: Float32Array,
    v2: Float32Array,
    beta1: number,
    beta2: number,
    oneMinusAccBeta1: number,
    oneMinusAccBeta2: number,
    learningRate: number,
    epsilon: number,
  ): void
  /** out[0] = √(Σ x²) over all the arrays. */
  globalNorm(out: Float32Array, ...arrays: Float32Array[]): void
  resizeNearest(
    x: Float32Array,
    y: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    rows: Int32Array,
    cols: Int32Array,
    backward: boolean,
  ): void
  /**
   * A whole D (spec[0] = 0) or G (1) step of an MLP GAN, in place on the weights and Adam slots
   * (native-mlp-step.ts; the layout is described in gwb_mlp.c). out: loss, mean D(x), mean D(G(z)), gradient norm.
   */
  mlpGanStep(spec: Int32Array, alphas: Float64Array, hyper: Float64Array, tensors: Float32Array[], out: Float32Array): void
  /** mlpGanStep's per-phase timers (bench/profile.ts --mlp): on zeroes and starts them, off stops them (off by default; absent from older addons). */
  mlpTimers?(on: boolean): void
  /** The timers into `out` (layout in gwb_mlp.c; bench/mlp-phases.ts reads it); returns the number of phases. */
  mlpTimersRead?(out: Float64Array): number
  /** How this build was compiled: with OpenMP threads, with sanitizers ("address,undefined") or none (""). */
  buildInfo(): { openmp: boolean; sanitizers: string }
}

/**
 * out/main → ../../resources; src-main/training → ../../resources. GWB_NATIVE_ADDON names another
 * build (the sanitizer and no-OpenMP builds the kernel tests also run on).
 */
export const NATIVE_ADDON = process.env.GWB_NATIVE_ADDON || path.join(__dirname, '..', '..', 'resources', 'native', 'gwb_native.node')

/**
 * Optimised BLAS libraries by the names their packages install. Not the bare libblas.so.3: on
 * Debian that may be the reference BLAS, slower than WebAssembly's XNNPACK.
 */
function candidateLibraries(): string[] {
  const fromEnv = process.env.GWB_BLAS_LIBRARY ? [process.env.GWB_BLAS_LIBRARY] : []
  switch (process.platform) {
    case 'darwin':
      return [
        ...fromEnv,
        '/System/Library/Frameworks/Accelerate.framework/Accelerate',
        '/opt/homebrew/opt/openblas/lib/libopenblas.dylib',
        '/usr/local/opt/openblas/lib/libopenblas.dylib',
      ]
    case 'win32':
      return [...fromEnv, 'libopenblas.dll', 'openblas.dll', 'mkl_rt.2.dll']
    default:
      return [...fromEnv, 'libopenblas.so.0', 'libopenblas.so', 'libmkl_rt.so.2', 'libmkl_rt.so', 'libblis.so.4', 'libblis.so.3']
  }
}

/** "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64" → "OpenBLAS 0.3.21 Zen"; a path → its file name. */
function libraryName(library: string): string {
  if (library.startsWith('OpenBLAS'))
    return library
      .split(/\s+/)
      .filter((w) => !/^(NO_|USE_|DYNAMIC_ARCH|MAX_THREADS)/.test(w))
      .join(' ')
  return path.basename(library)
}

export interface NativeBlasStatus {
  /** The loaded addon, when it found a BLAS. */
  blas: NativeBlas | null
  /** Its threads (0 without a BLAS). */
  threads: number
  /** What the backend report says: the library and its threads, or why there is none. */
  note: string
}

let status: NativeBlasStatus | null = null

/** The addon if this process has loaded it with a BLAS (without loading it). */
export function loadedNativeBlas(): NativeBlas | null {
  return status?.blas ?? null
}

/**
 * Loads the addon and a BLAS once per process, with `threads` BLAS threads (the wasm pool's share
 * of the cores). GWB_NATIVE_BLAS=0 turns it off.
 */
export function nativeBlas(threads: number): NativeBlasStatus {
  if (status) return status
  if (process.env.GWB_NATIVE_BLAS === '0') return (status = { blas: null, threads: 0, note: 'native BLAS kernels off (GWB_NATIVE_BLAS=0)' })
  if (!fs.existsSync(NATIVE_ADDON)) {
    return (status = {
      blas: null,
      threads: 0,
      note: 'native BLAS kernels not built (no C compiler at install?), so WebAssembly kernels only',
    })
  }
  // Idle threads must not spin long: OpenBLAS's (2^28 cycles by default, ~0.1 s) and OpenMP's
  // took the core the other library, or WebAssembly, needed next. Read when each library starts,
  // so set before the addon (and its OpenMP runtime) and the BLAS load; a user's values win.
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '16'
  process.env.OMP_WAIT_POLICY ??= 'passive'
  let addon: NativeBlas
  try {
    addon = createRequire(__filename)(NATIVE_ADDON) as NativeBlas
  } catch (e) {
    return (status = {
      blas: null,
      threads: 0,
      note: `native BLAS kernels failed to load (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    })
  }
  const library = addon.load(candidateLibraries())
  if (!library) {
    return (status = {
      blas: null,
      threads: 0,
      note: 'no optimised BLAS found (OpenBLAS, MKL, BLIS or Accelerate; GWB_BLAS_LIBRARY names another), so WebAssembly kernels only',
    })
  }
  const count = Math.max(1, threads)
  const threaded = addon.setThreads(count)
  const threadNote = threaded ? `, ${count} thread${count > 1 ? 's' : ''}` : ''
  return (status = {
    blas: addon,
    threads: count,
    note: `matrix products and convolutions on native BLAS (${libraryName(library)}${threadNote})`,
  })
}
