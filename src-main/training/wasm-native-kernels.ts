/**
 * The wasm backend's matrix products and convolutions on the machine's native BLAS, and the
 * memory-bound ops that dominate what is left of a conv GAN's step, natively too.
 *
 * Per core, XNNPACK compiled to WebAssembly multiplies ~4× slower than an AVX2+FMA BLAS (128-bit
 * SIMD without fused multiply-add; `npm run bench` measures it), and those kernels were most of a
 * DCGAN step. After them, LeakyReLU, its gradient (Greater, Select) and the bias/batch-norm sums
 * were a third of it: the wasm build ran them at ~0.6 GB/s (42 ms for a 64×28×28×128 LeakyReLU).
 * Each replacement reads its inputs and writes its output in the wasm heap through the addon
 * (src-main/native/gwb_native.c), so nothing is copied, and every other op keeps running in wasm.
 * What the addon does not cover (dilations, NCHW, fused activations other than linear/ReLU,
 * general broadcasting, non-float inputs) goes to the kernel it replaced.
 */
import { createRequire } from 'node:module'
import { backend_util, getKernel, util, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import type { NativeBlas } from './native-blas'
import { NATIVE_LAYER, replaceWasmKernel } from './wasm-kernel-layers'
import { nearestSources } from './resize-nearest-sources'

const BACKEND = 'wasm'
const requireHere = createRequire(__filename)

type Shape4 = [number, number, number, number]
type Attrs = Record<string, unknown>
interface Args {
  inputs: Record<string, TensorInfo | undefined>
  backend: BackendWasm
  attrs: Attrs
}
/** Computes the kernel natively, or returns null to hand it to the kernel it replaced. */
type NativeKernel = (blas: NativeBlas, args: Args) => TensorInfo | TensorInfo[] | null

const floats = (backend: BackendWasm, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array
const allFloat32 = (...ts: Array<TensorInfo | undefined>) => ts.every((t) => !t || t.dtype === 'float32')

/**
 * A bias the addon adds per output channel: `channels` values along the last axis, every other
 * axis 1, of a rank that does not raise the output's (broadcasting [n, 1] or [m, n] would not be
 * per channel, and [1, 1, 1, n] against a matrix product makes a rank-4 output).
 */
function perChannel(bias: TensorInfo, channels: number, outRank: number): boolean {
  const shape = bias.shape
  return shape.length >= 1 && shape.length <= outRank && shape[shape.length - 1] === channels && shape.slice(0, -1).every((d) => d === 1)
}

/** Fused activations the addon applies itself. */
function fusedRelu(attrs: Attrs): boolean | null {
  const activation = (attrs.activation as string | undefined) ?? 'linear'
  return activation === 'relu' ? true : activation === 'linear' ? false : null
}

/** The addon's 13 geometry integers, or null for what it does not cover. */
function geometry(xShape: number[], filterShape: number[], attrs: Attrs): number[] | null {
  const format = (attrs.dataFormat as string | undefined) ?? 'NHWC'
  if (format !== 'NHWC' || xShape.length !== 4 || filterShape.length !== 4) return null
  const info = backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | number | undefined) ?? 1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  )
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.padInfo.top < 0 || info.padInfo.left < 0) return null
  const [n, h, w, c] = xShape as Shape4
  return [
    n,
    h,
    w,
    c,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]
}

function conv2d(blas: NativeBlas, { inputs, backend, attrs }: Args): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = inputs
  const relu = fusedRelu(attrs)
  if (!x || !filter || preluActivationWeights || relu === null || !allFloat32(x, filter, bias)) return null
  const g = geometry(x.shape, filter.shape, attrs)
  if (!g || (bias && !perChannel(bias, g[6]!, 4))) return null
  const out = backend.makeOutput([g[0]!, g[7]!, g[8]!, g[6]!], 'float32')
  // Views after makeOutput: an allocation may grow (and so replace) the wasm heap.
  blas.conv2d(floats(backend, x), floats(backend, filter), floats(backend, out), ...g, bias ? floats(backend, bias) : null, relu)
  return out
}

function conv2DBackpropInput(blas: NativeBlas, { inputs, backend, attrs }: Args): TensorInfo | null {
  const { dy, filter } = inputs
  const inputShape = attrs.inputShape as number[]
  if (!dy || !filter || !allFloat32(dy, filter)) return null
  const g = geometry(inputShape, filter.shape, attrs)
  if (!g || g[7] !== dy.shape[1] || g[8] !== dy.shape[2]) return null
  const out = backend.makeOutput(inputShape, 'float32')
  blas.conv2dBackpropInput(floats(backend, out), floats(backend, filter), floats(backend, dy), ...g)
  return out
}

function conv2DBackpropFilter(blas: NativeBlas, { inputs, backend, attrs }: Args): TensorInfo | null {
  const { x, dy } = inputs
  const filterShape = attrs.filterShape as number[]
  if (!x || !dy || !allFloat32(x, dy)) return null
  const g = geometry(x.shape, filterShape, attrs)
  if (!g || g[7] !== dy.shape[1] || g[8] !== dy.shape[2]) return null
  const out = backend.makeOutput(filterShape, 'float32')
  blas.conv2dBackpropFilter(floats(backend, x), floats(backend, out), floats(backend, dy), ...g)
  return out
}

/** a·b over batch dimensions (equal, or one side a single matrix), optionally + bias and ReLU. */
function matMul(blas: NativeBlas, { inputs, backend, attrs }: Args): TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = inputs
  const relu = fusedRelu(attrs)
  if (!a || !b || preluActivationWeights || relu === null || !allFloat32(a, b, bias) || a.shape.length < 2 || b.shape.length < 2)
    return null
  const transA = attrs.transposeA === true
  const transB = attrs.transposeB === true
  const [ra, rb] = [a.shape.length, b.shape.length]
  const m = a.shape[transA ? ra - 1 : ra - 2]!
  const k = a.shape[transA ? ra - 2 : ra - 1]!
  const n = b.shape[transB ? rb - 2 : rb - 1]!
  if (k !== b.shape[transB ? rb - 1 : rb - 2]) return null
  const batchShapeA = a.shape.slice(0, -2)
  const batchShapeB = b.shape.slice(0, -2)
  const batchA = util.sizeFromShape(batchShapeA)
  const batchB = util.sizeFromShape(batchShapeB)
  // The output's batch shape is the broadcast of both (a [1, 1] batch against [4] makes [1, 4]);
  // the addon pairs matrices one to one, or one single matrix with every matrix of the other side.
  const batchShape = broadcastShape(batchShapeA, batchShapeB)
  if (!batchShape) return null
  const batch = util.sizeFromShape(batchShape)
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null
  if (bias && !perChannel(bias, n, batchShape.length + 2)) return null
  const out = backend.makeOutput([...batchShape, m, n], 'float32')
  const strideA = batchA === 1 ? 0 : m * k
  const strideB = batchB === 1 ? 0 : k * n
  blas.gemm(
    floats(backend, a),
    floats(backend, b),
    floats(backend, out),
    batch,
    m,
    n,
    k,
    transA ? 1 : 0,
    transB ? 1 : 0,
    strideA,
    strideB,
    bias ? floats(backend, bias) : null,
    relu,
  )
  return out
}

function leakyRelu(blas: NativeBlas, { inputs: { x }, backend, attrs }: Args): TensorInfo | null {
  if (!x || x.dtype !== 'float32') return null
  const out = backend.makeOutput(x.shape, 'float32')
  blas.leakyRelu(floats(backend, x), floats(backend, out), attrs.alpha as number)
  return out
}

/** The broadcast of two shapes, or null where they do not broadcast. */
function broadcastShape(a: number[], b: number[]): number[] | null {
  try {
    return backend_util.assertAndGetBroadcastShape(a, b)
  } catch {
    return null
  }
}

/** a > b, of the broadcast shape, where one side has a single value or both have the same values in the same order. */
function greater(blas: NativeBlas, { inputs: { a, b }, backend }: Args): TensorInfo | null {
  if (!a || !b || !allFloat32(a, b)) return null
  const [na, nb] = [util.sizeFromShape(a.shape), util.sizeFromShape(b.shape)]
  const shape = broadcastShape(a.shape, b.shape)
  if (!shape || na === 0 || nb === 0) return null
  const n = util.sizeFromShape(shape)
  if ((na !== n && na !== 1) || (nb !== n && nb !== 1)) return null
  const out = backend.makeOutput(shape, 'bool')
  blas.greater(floats(backend, a), floats(backend, b), backend.typedArrayFromHeap(out) as Uint8Array)
  return out
}

function select(blas: NativeBlas, { inputs: { condition, t, e }, backend }: Args): TensorInfo | null {
  if (!condition || !t || !e || condition.dtype !== 'bool' || !allFloat32(t, e)) return null
  if (!util.arraysEqual(condition.shape, t.shape) || !util.arraysEqual(t.shape, e.shape)) return null
  const out = backend.makeOutput(t.shape, 'float32')
  blas.select(backend.typedArrayFromHeap(condition) as Uint8Array, floats(backend, t), floats(backend, e), floats(backend, out))
  return out
}

/** Sums over leading axes (bias gradients, batch statistics) or trailing ones. */
function sum(blas: NativeBlas, args: Args): TensorInfo | null {
  return reduce(blas, args, false)
}

/**
 * Means over leading or trailing axes: the native sum, then divided by the count. Batch norm's
 * moments over N, H, W of an NHWC batch are leading axes; tfjs' wasm Mean transposes them to the
 * end first (a copy of the whole activation), which made Mean 133 ms of pix2pix's 2 s step.
 */
function mean(blas: NativeBlas, args: Args): TensorInfo | null {
  return reduce(blas, args, true)
}

function reduce(blas: NativeBlas, { inputs: { x }, backend, attrs }: Args, average: boolean): TensorInfo | null {
  if (!x || x.dtype !== 'float32' || x.shape.length === 0) return null
  const rank = x.shape.length
  const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((p, q) => p - q)
  if (axes.length === 0) return null
  const leading = axes.every((axis, i) => axis === i)
  const trailing = axes.every((axis, i) => axis === rank - axes.length + i)
  if (!leading && !trailing) return null
  const split = leading ? axes.length : rank - axes.length
  const rows = util.sizeFromShape(x.shape.slice(0, split))
  const cols = util.sizeFromShape(x.shape.slice(split))
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
  const shape = attrs.keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i))
  const out = backend.makeOutput(shape, 'float32')
  blas.sum(floats(backend, x), rows, cols, floats(backend, out), leading)
  if (average) {
    const count = leading ? rows : cols
    const values = floats(backend, out)
    for (let i = 0; i < values.length; i++) values[i] = values[i]! / count
  }
  return out
}

/**
 * Concatenation of float32 tensors along any axis: one native row copy per input (copyRows in
 * gwb_native.c; tfjs' wasm Concat copies pixel by pixel in JavaScript). pix2pix's U-Net joins
 * its skip connections along the channels: 94 ms of a 2 s step on one thread.
 */
function concat(blas: NativeBlas, { inputs, backend, attrs }: Args): TensorInfo | null {
  const list = Object.values(inputs) as TensorInfo[]
  if (
    typeof (blas as Partial<NativeBlas>).copyRows !== 'function' ||
    list.length < 2 ||
    !list.every((t) => t?.dtype === 'float32' && t.shape.length > 0)
  )
    return null
  const axis = util.parseAxisParam(attrs.axis as number, list[0]!.shape)[0]!
  const shapes = list.map((t) => t.shape)
  // Mismatched shapes, empty inputs: the stock kernel's errors and special cases.
  if (shapes.some((s) => s.length !== shapes[0]!.length || s.some((d, i) => i !== axis && d !== shapes[0]![i]))) return null
  if (list.some((t) => util.sizeFromShape(t.shape) === 0)) return null
  const outShape = backend_util.computeOutShape(shapes, axis)
  const out = backend.makeOutput(outShape, 'float32')
  const rows = util.sizeFromShape(outShape.slice(0, axis))
  const total = util.sizeFromShape(outShape.slice(axis))
  let offset = 0
  for (const t of list) {
    const width = util.sizeFromShape(t.shape.slice(axis))
    blas.copyRows(floats(backend, t), floats(backend, out).subarray(offset), rows, width, width, total)
    offset += width
  }
  return out
}

/** Splitting a float32 tensor along any axis (Concat's gradient): one native row copy per part. */
function splitV(blas: NativeBlas, { inputs: { x }, backend, attrs }: Args): TensorInfo[] | null {
  if (
    !x ||
    x.dtype !== 'float32' ||
    x.shape.length === 0 ||
    typeof (blas as Partial<NativeBlas>).copyRows !== 'function' ||
    util.sizeFromShape(x.shape) === 0
  )
    return null
  const axis = util.parseAxisParam(attrs.axis as number, x.shape)[0]!
  let sizes: number[]
  try {
    sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits as number | number[], axis)
  } catch {
    return null
  }
  if (sizes.reduce((a, b) => a + b, 0) !== x.shape[axis] || sizes.some((d) => d < 0)) return null
  const rows = util.sizeFromShape(x.shape.slice(0, axis))
  const inner = util.sizeFromShape(x.shape.slice(axis + 1))
  const total = x.shape[axis]! * inner
  const outs = sizes.map((d) =>
    backend.makeOutput(
      x.shape.map((n, i) => (i === axis ? d : n)),
      'float32',
    ),
  )
  let offset = 0
  sizes.forEach((d, i) => {
    const width = d * inner
    if (width > 0) blas.copyRows(floats(backend, x).subarray(offset), floats(backend, outs[i]!), rows, width, total, width)
    offset += width
  })
  return outs
}

/** Nearest-neighbour resizing (UpSampling2D) and its gradient: a gather, and its scatter-add. */
function resizeNearest(backward: boolean): NativeKernel {
  return (blas, { inputs: { images, dy }, backend, attrs }) => {
    const alignCorners = attrs.alignCorners === true
    const halfPixelCenters = attrs.halfPixelCenters === true
    const small = images
    const large = backward ? dy : undefined
    if (!small || small.shape.length !== 4 || !allFloat32(small, large)) return null
    const [n, h, w, c] = small.shape as Shape4
    const [oh, ow] = backward ? (large!.shape.slice(1, 3) as [number, number]) : (attrs.size as [number, number])
    if (n * h * w * c === 0 || oh * ow === 0) return null
    const rows = nearestSources(h, oh, alignCorners, halfPixelCenters)
    const cols = nearestSources(w, ow, alignCorners, halfPixelCenters)
    const out = backend.makeOutput(backward ? small.shape : [n, oh, ow, c], 'float32')
    const [x, y] = backward ? [out, large!] : [small, out]
    blas.resizeNearest(floats(backend, x), floats(backend, y), n, h, w, c, oh, ow, rows, cols, backward)
    return out
  }
}

/** The addon's geometry of a 2-D max pool (NHWC, no dilation), or null. */
function poolGeometry(x: TensorInfo, attrs: Attrs): number[] | null {
  if (x.shape.length !== 4 || x.dtype !== 'float32' || ((attrs.dataFormat as string | undefined) ?? 'NHWC') !== 'NHWC') return null
  const info = backend_util.computePool2DInfo(
    x.shape as Shape4,
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'floor' | undefined,
  )
  const [n, h, w, c] = x.shape as Shape4
  return [
    n,
    h,
    w,
    c,
    info.filterHeight,
    info.filterWidth,
    c,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]
}

/** The gradient of a max pool (XNNPACK's forward pool is fast; tfjs' wasm gradient was not). */
function maxPoolGrad(blas: NativeBlas, { inputs: { dy, input, output }, backend, attrs }: Args): TensorInfo | null {
  const g = input && poolGeometry(input, attrs)
  const outShape = g && [g[0]!, g[7]!, g[8]!, g[3]!]
  if (
    !input ||
    !dy ||
    !output ||
    !g ||
    g.some((v) => v < 0) ||
    !allFloat32(dy, output) ||
    !util.arraysEqual(dy.shape, outShape!) ||
    !util.arraysEqual(output.shape, outShape!)
  )
    return null
  const out = backend.makeOutput(input.shape, 'float32')
  blas.maxPoolGrad(floats(backend, input), floats(backend, output), floats(backend, dy), floats(backend, out), ...g)
  return out
}

/** The fused Adam update's kernel (fused-adam.ts): outputs the new value, first and second moments. */
export const FUSED_ADAM = 'GanWorkbenchAdam'

function fusedAdam(blas: NativeBlas, { inputs: { value, gradient, m, v }, backend, attrs }: Args): TensorInfo[] {
  const outs = [value!, m!, v!].map((t) => backend.makeOutput(t.shape, 'float32'))
  const [w2, m2, v2] = outs.map((t) => floats(backend, t))
  const a = attrs as Record<string, number>
  blas.adam(
    floats(backend, value!),
    floats(backend, gradient!),
    floats(backend, m!),
    floats(backend, v!),
    w2!,
    m2!,
    v2!,
    a.beta1!,
    a.beta2!,
    a.oneMinusAccBeta1!,
    a.oneMinusAccBeta2!,
    a.learningRate!,
    a.epsilon!,
  )
  return outs
}

/** The global norm of many tensors in one kernel (gradient norms on logged steps). */
export const GLOBAL_NORM = 'GanWorkbenchGlobalNorm'

function globalNorm(blas: NativeBlas, { inputs, backend }: Args): TensorInfo {
  const out = backend.makeOutput([], 'float32')
  blas.globalNorm(floats(backend, out), ...Object.values(inputs).map((t) => floats(backend, t!)))
  return out
}

const NATIVE: Record<string, NativeKernel> = {
  Conv2D: conv2d,
  FusedConv2D: conv2d,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  BatchMatMul: matMul,
  _FusedMatMul: matMul,
  LeakyRelu: leakyRelu,
  Greater: greater,
  Select: select,
  Sum: sum,
  Mean: mean,
  Concat: concat,
  SplitV: splitV,
  ResizeNearestNeighbor: resizeNearest(false),
  ResizeNearestNeighborGrad: resizeNearest(true),
  MaxPoolGrad: maxPoolGrad,
}

/**
 * Puts the native kernels in front of the wasm backend's current ones (after the other wasm kernel
 * registrations, whose kernels become the fallbacks). Idempotent.
 */
export function registerWasmNativeKernels(blas: NativeBlas): void {
  requireHere('@tensorflow/tfjs-backend-wasm')
  replaceWasmKernel(FUSED_ADAM, NATIVE_LAYER, () => ((args: Args) => fusedAdam(blas, args)) as unknown as KernelFunc)
  replaceWasmKernel(GLOBAL_NORM, NATIVE_LAYER, () => ((args: Args) => globalNorm(blas, args)) as unknown as KernelFunc)
  for (const [name, native] of Object.entries(NATIVE)) {
    if (!getKernel(name, BACKEND)) continue
    replaceWasmKernel(name, NATIVE_LAYER, (current) => {
      const fallback = current!.kernelFunc
      return ((args: Args) => native(blas, args) ?? fallback(args as never)) as unknown as KernelFunc
    })
  }
}
