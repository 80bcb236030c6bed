/**
 * WebGPU in Node through Dawn (the npm `webgpu` package, an optional dependency): real GPUs of any
 * vendor (Vulkan, Metal, D3D12) without CUDA. tfjs-backend-webgpu looks for `navigator.gpu`,
 * which Node 20 does not have, so the adapter is put there. A software adapter (Mesa's lavapipe,
 * SwiftShader) works but is far slower than our wasm kernels, so `auto` skips it (measured on this
 * project's 2-core build machine: 0.03 DCGAN iterations/s on lavapipe against 0.5 on wasm).
 */
export interface WebGpuAdapter {
  software: boolean
  /** Vendor, architecture and driver, e.g. "mesa software llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)". */
  description: string
}

interface DawnModule {
  create(flags: string[]): { requestAdapter(options?: object): Promise<DawnAdapter | null> }
  globals: Record<string, unknown>
}
interface DawnAdapter {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean }
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software/i
/** How long Dawn may take to find an adapter (lavapipe answers in well under a second). */
const ADAPTER_WAIT_MS = 30_000

let setUp: Promise<WebGpuAdapter> | undefined

/** Loads Dawn, finds an adapter and exposes it as navigator.gpu; the reason in words when it cannot. */
export function setUpWebGpu(): Promise<WebGpuAdapter> {
  setUp ??= (async () => {
    let dawn: DawnModule
    try {
      const pkg = 'webgpu' // a variable: resolved at run time, not bundled
      dawn = (await import(/* @vite-ignore */ pkg)) as DawnModule
    } catch (e) {
      const code = (e as { code?: string }).code
      throw new Error(
        code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
          ? 'the webgpu package (Dawn) is not installed (optional dependency)'
          : `the webgpu package (Dawn) failed to load: ${(e as Error).message.split('\n')[0]}`,
      )
    }
    Object.assign(globalThis, dawn.globals)
    const gpu = dawn.create([])
    // Bounded: a driver that never answers must not hold up every host that probes backends at start.
    let timer: NodeJS.Timeout | undefined
    const adapter = await Promise.race([
      gpu.requestAdapter({ powerPreference: 'high-performance' }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from a WebGPU adapter in ${ADAPTER_WAIT_MS / 1000} s`)), ADAPTER_WAIT_MS)
        timer.unref()
      }),
    ]).finally(() => clearTimeout(timer))
    if (!adapter)
      throw new Error("no WebGPU adapter: it needs a Vulkan, Metal or D3D12 GPU driver (on Linux: libvulkan1 and the GPU's Vulkan driver)")
    const i = adapter.info
    const description = [i.vendor, i.architecture, i.description || i.device].filter(Boolean).join(' ')
    const software = i.isFallbackAdapter === true || SOFTWARE.test(`${i.architecture} ${i.device} ${i.description}`)
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator
    if (!nav) (globalThis as { navigator?: unknown }).navigator = { gpu, userAgent: `Node.js ${process.version}` }
    else if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true })
    return { software, description }
  })()
  return setUp
}
