/**
 * UnsortedSegmentSum for the wasm backend, which tfjs-backend-wasm 4.22 lacks. It is the gradient
 * of `gather`, so without it an Embedding layer (AC-GAN's and cGAN's label input) cannot train on
 * wasm. Segment sums are memory-bound and small here (batch × embedding size), so a plain loop over
 * the wasm heap is as fast as a native kernel would be.
 */
import { getKernel, registerKernel, type KernelFunc, type TensorInfo, type UnsortedSegmentSumAttrs } from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

function unsortedSegmentSum(args: {
  inputs: Record<string, TensorInfo>
  backend: BackendWasm
  attrs: UnsortedSegmentSumAttrs
}): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo }
  const { numSegments } = args.attrs
  const { backend } = args
  if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum on wasm supports float32 data, got ${x.dtype}`)
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1)
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1)
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32')
  // Views after makeOutput: an allocation may grow (and so replace) the wasm heap.
  const src = backend.typedArrayFromHeap(x) as Float32Array
  const ids = backend.typedArrayFromHeap(segmentIds)
  const dst = backend.typedArrayFromHeap(out) as Float32Array
  dst.fill(0)
  for (let r = 0; r < rows; r++) {
    const id = ids[r]!
    if (id < 0 || id >= numSegments) continue // TensorFlow drops out-of-range ids
    const s = r * inner
    const d = id * inner
    for (let i = 0; i < inner; i++) dst[d + i]! += src[s + i]!
  }
  return out
}

export function registerWasmSegmentSum(): void {
  if (getKernel('UnsortedSegmentSum', 'wasm')) return
  registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as KernelFunc })
}
