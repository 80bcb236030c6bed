/**
 * Our replacements of wasm kernels come in layers: the WebAssembly ones (conv gradients, matrix
 * products, Identity) replace tfjs' stock kernels, and the native BLAS ones go in front of those,
 * each keeping the kernel it replaced as its fallback. Registering is idempotent per layer: a
 * kernel already replaced by this layer or a later one is left alone, so calling the registrations
 * again (every backend selection does) never wraps a layer around itself.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs'

export const WASM_LAYER = 1
export const NATIVE_LAYER = 2

const layerOf = new WeakMap<KernelFunc, number>()

/**
 * Replaces the wasm kernel `name` by `make(previous)`, keeping the previous kernel's setup (run when
 * the backend initialises; it binds the C++ function the previous kernel, now the fallback, calls).
 */
export function replaceWasmKernel(name: string, layer: number, make: (previous: KernelConfig | undefined) => KernelFunc): void {
  const current = getKernel(name, 'wasm')
  if (current && (layerOf.get(current.kernelFunc) ?? 0) >= layer) return
  const kernelFunc = make(current)
  layerOf.set(kernelFunc, layer)
  if (current) unregisterKernel(name, 'wasm')
  registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, setupFunc: current?.setupFunc } as KernelConfig)
}
