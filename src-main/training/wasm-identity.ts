/**
 * Identity on the wasm backend without a copy. The stock kernel (4.22) allocates and copies the
 * whole tensor; a DCGAN step calls it ~150 times (gradient bookkeeping, optimizer slots), 59 ms of
 * a 1.4 s step. Sharing the buffer under a second reference is what the cpu backend does and what
 * the wasm Reshape kernel already does: the backend frees it when the last reference goes.
 */
import { createRequire } from 'node:module'
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { WASM_LAYER, replaceWasmKernel } from './wasm-kernel-layers'

const requireHere = createRequire(__filename)

/** Replaces the wasm Identity kernel (strings keep the stock one). Idempotent. */
export function registerWasmIdentity(): void {
  requireHere('@tensorflow/tfjs-backend-wasm')
  replaceWasmKernel('Identity', WASM_LAYER, (stock) => {
    const copy = stock!.kernelFunc
    const identity = (args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo => {
      const { x } = args.inputs
      if (x.dtype === 'string') return copy(args as never) as TensorInfo
      args.backend.incRef(x.dataId)
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
    }
    return identity as unknown as KernelFunc
  })
}
