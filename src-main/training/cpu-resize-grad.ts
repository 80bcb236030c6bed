/**
 * The gradient of nearest-neighbour resizing (UpSampling2D) on tfjs' pure-JS `cpu` backend. tfjs
 * 4.22's kernel offsets dy by the *image's* batch stride (h·w·c) instead of dy's own (oh·ow·c), so
 * every image after the first in a batch gets the gradient of the wrong pixels (relative error
 * ~1 from batch 2 on; exact for batch 1). Training on cpu (forced with --backend cpu, or a test)
 * then trains every layer before an up-sampling on wrong gradients. This replacement scatters dy
 * back to the sources the forward pass read (nearestSources), image by image.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs'
import { nearestSources } from './resize-nearest-sources'

interface CpuBackend {
  data: { get(id: unknown): { values: Float32Array } }
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo
}

function resizeNearestGrad(args: {
  inputs: { images: TensorInfo; dy: TensorInfo }
  backend: CpuBackend
  attrs: { alignCorners?: boolean; halfPixelCenters?: boolean }
}): TensorInfo {
  const { images, dy } = args.inputs
  const [n, h, w, c] = images.shape as [number, number, number, number]
  const [, oh, ow] = dy.shape as [number, number, number, number]
  const rows = nearestSources(h, oh, args.attrs.alignCorners === true, args.attrs.halfPixelCenters === true)
  const cols = nearestSources(w, ow, args.attrs.alignCorners === true, args.attrs.halfPixelCenters === true)
  const g = args.backend.data.get(dy.dataId).values
  const dx = new Float32Array(n * h * w * c)
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const srcRow = (b * h + rows[oy]!) * w
      const outRow = (b * oh + oy) * ow
      for (let ox = 0; ox < ow; ox++) {
        const to = (srcRow + cols[ox]!) * c
        const from = (outRow + ox) * c
        for (let k = 0; k < c; k++) dx[to + k]! += g[from + k]!
      }
    }
  }
  return args.backend.makeTensorInfo(images.shape, 'float32', dx)
}

let registered = false

/** Replaces the cpu backend's ResizeNearestNeighborGrad (once per process). */
export function registerCpuResizeNearestGrad(): void {
  if (registered) return
  registered = true
  if (getKernel('ResizeNearestNeighborGrad', 'cpu')) unregisterKernel('ResizeNearestNeighborGrad', 'cpu')
  registerKernel({ kernelName: 'ResizeNearestNeighborGrad', backendName: 'cpu', kernelFunc: resizeNearestGrad as unknown as KernelFunc })
}
