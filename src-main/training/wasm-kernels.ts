/**
 * Convolution gradient kernels for tfjs' WebAssembly backend.
 *
 * The stock wasm backend (4.22) has no `Conv2DBackpropFilter` kernel, so no conv model can train on
 * it, and its `Conv2DBackpropInput` (the input gradient of conv2d and the forward pass of
 * conv2dTranspose) is a scalar loop. Both are expressed here through the backend's own XNNPACK
 * `Conv2D` kernel:
 *
 * - dW[kh,kw,ci,co] = Σ x[n, oh·s+kh−pad, ow·s+kw−pad, ci]·dy[n,oh,ow,co] is a stride-1 convolution,
 *   dilated by the forward stride, of x transposed to [Ci,H,W,N] (Ci as the batch, N as the
 *   channels) with dy transposed to [OH,OW,N,Co] as the filter; the result [Ci,KH,KW,Co] is
 *   transposed to [KH,KW,Ci,Co]. Dilation costs XNNPACK nothing: no FLOP is spent on zeros.
 *   XNNPACK's GEMM computes 8 output channels at a time, so for stride 1 and few output channels
 *   (the 7×7 conv to 1 channel ending the DCGAN generator) the roles of x and dy are swapped.
 * - dx is computed sub-pixel: output row h+pad = q·s+r only sees the taps kh ≡ r (mod s), so all
 *   s² phases are one stride-1 convolution of dy with a ⌈KH/s⌉×⌈KW/s⌉ filter that has s²·Ci output
 *   channels (the taps of W, flipped and regrouped per phase), followed by interleaving the phases
 *   into rows and columns ("pixel shuffle") and cropping the padding. Unlike convolving a
 *   zero-dilated dy, it spends no FLOP on inserted zeros.
 *
 * The kernels call the wasm backend's kernel functions on TensorInfos (never public tf ops, so the
 * gradient tape is not involved) and free every intermediate with `backend.disposeData`; the one
 * TensorInfo each returns is then owned by the engine.
 */
import { createRequire } from 'node:module'
import {
  backend_util,
  getKernel,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type KernelFunc,
  type TensorInfo,
  type TransposeAttrs,
} from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { WASM_LAYER, replaceWasmKernel } from './wasm-kernel-layers'

const BACKEND = 'wasm'
type Shape4 = [number, number, number, number]
type Pad4 = [[number, number], [number, number], [number, number], [number, number]]

interface Args<A> {
  inputs: Record<string, TensorInfo>
  backend: BackendWasm
  attrs: A
}

/** A registered wasm kernel function, looked up when it is first needed (after the package loads). */
function wasmKernel(name: string): KernelFunc {
  const kernel = getKernel(name, BACKEND)
  if (!kernel) throw new Error(`the wasm backend has no '${name}' kernel (is @tensorflow/tfjs-backend-wasm loaded?)`)
  return kernel.kernelFunc
}

function conv2d(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, pad: Pad4, dilations: [number, number]): TensorInfo {
  const attrs: Conv2DAttrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dilations }
  return wasmKernel('Conv2D')({ inputs: { x, filter }, backend, attrs: attrs as unknown as Record<string, number[]> }) as TensorInfo
}

function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  const attrs: TransposeAttrs = { perm }
  return wasmKernel('Transpose')({ inputs: { x }, backend, attrs: attrs as unknown as Record<string, number[]> }) as TensorInfo
}

function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32')
  backend.typedArrayFromHeap(out).fill(0)
  return out
}

/** A new [N, h1-h0, w1-w0, C] tensor holding rows h0..h1 and columns w0..w1 of an NHWC tensor. */
function crop(backend: BackendWasm, x: TensorInfo, h0: number, h1: number, w0: number, w1: number): TensorInfo {
  const [n, h, w, c] = x.shape as Shape4
  const out = backend.makeOutput([n, h1 - h0, w1 - w0, c], 'float32')
  // Views after makeOutput: an allocation may grow (and so replace) the wasm heap.
  const src = backend.typedArrayFromHeap(x)
  const dst = backend.typedArrayFromHeap(out)
  const rowLen = (w1 - w0) * c
  let o = 0
  for (let b = 0; b < n; b++) {
    for (let r = h0; r < h1; r++) {
      const i = ((b * h + r) * w + w0) * c
      dst.set(src.subarray(i, i + rowLen), o)
      o += rowLen
    }
  }
  return out
}

function padInfo(
  attrs: { strides: [number, number] | number; pad: Conv2DAttrs['pad']; dimRoundingMode?: Conv2DAttrs['dimRoundingMode'] },
  inShape: Shape4,
  filterShape: Shape4,
) {
  return backend_util.computeConv2DInfo(inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast')
}

function conv2DBackpropFilter({ inputs, backend, attrs }: Args<Conv2DBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
  if (attrs.dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports only dataFormat NHWC, got ${attrs.dataFormat}`)
  const info = padInfo(attrs, x.shape as Shape4, attrs.filterShape)
  const [n, inH, inW, inC] = x.shape as Shape4
  const [, outH, outW, outC] = dy.shape as Shape4
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info
  if (
    outH !== info.outHeight ||
    outW !== info.outWidth ||
    n !== dy.shape[0] ||
    inC !== attrs.filterShape[2] ||
    outC !== attrs.filterShape[3]
  ) {
    throw new Error(`Conv2DBackpropFilter: dy ${dy.shape} does not match x ${x.shape}, filter ${attrs.filterShape}`)
  }
  const top = info.padInfo.top
  const left = info.padInfo.left
  if (sh === 1 && sw === 1 && channelWaste(outC) > channelWaste(inC)) {
    // dy padded by these yields KH×KW outputs against an H×W "filter" (x); from the actual sizes,
    // as tfjs sizes the output of a numeric pad with the filter height in both dimensions.
    const pads: Pad4 = [
      [0, 0],
      [kh - 1 - top, inH - outH + top],
      [kw - 1 - left, inW - outW + left],
      [0, 0],
    ]
    if (pads.every(([a, b]) => a >= 0 && b >= 0)) return backpropFilterByDy(backend, x, dy, kh, kw, pads)
  }
  // Bottom/right padding for which the dilated "filter" (dy) yields exactly KH×KW outputs; when it
  // is negative the last rows/columns of x are never read by the forward conv: crop them.
  let bottom = kh + (outH - 1) * sh - inH - top
  let right = kw + (outW - 1) * sw - inW - left
  const usedH = inH + Math.min(bottom, 0)
  const usedW = inW + Math.min(right, 0)
  bottom = Math.max(bottom, 0)
  right = Math.max(right, 0)
  if (usedH <= 0 || usedW <= 0) return zeros(backend, attrs.filterShape)

  const temps: TensorInfo[] = []
  try {
    let xUsed = x
    if (usedH < inH || usedW < inW) temps.push((xUsed = crop(backend, x, 0, usedH, 0, usedW)))
    const xT = transpose(backend, xUsed, [3, 1, 2, 0]) // [Ci, H, W, N]
    temps.push(xT)
    const dyT = transpose(backend, dy, [1, 2, 0, 3]) // [OH, OW, N, Co]
    temps.push(dyT)
    const dwT = conv2d(
      backend,
      xT,
      dyT,
      [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      [sh, sw],
    ) // [Ci, KH, KW, Co]
    temps.push(dwT)
    if (inC === 1) return { dataId: reshapeRef(backend, dwT), shape: [kh, kw, 1, outC], dtype: 'float32' }
    return transpose(backend, dwT, [1, 2, 0, 3])
  } finally {
    for (const t of temps) backend.disposeData(t.dataId)
  }
}

/** How many times more work XNNPACK's GEMM does than needed for `c` output channels (8 lanes). */
function channelWaste(c: number): number {
  return (Math.ceil(c / 8) * 8) / c
}

/**
 * dW for stride 1 with the roles swapped, for few output channels: dy transposed to [Co,OH,OW,N]
 * is the input and x transposed to [H,W,N,Ci] the filter, so XNNPACK's output channels are Ci.
 * With dy padded by KH−1−top above, the result [Co,KH,KW,Ci] holds dW flipped in KH and KW.
 */
function backpropFilterByDy(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, kh: number, kw: number, pads: Pad4): TensorInfo {
  const [, , , inC] = x.shape as Shape4
  const [, , , outC] = dy.shape as Shape4
  const temps: TensorInfo[] = []
  try {
    const dyT = transpose(backend, dy, [3, 1, 2, 0]) // [Co, OH, OW, N]
    temps.push(dyT)
    const xT = transpose(backend, x, [1, 2, 0, 3]) // [H, W, N, Ci]
    temps.push(xT)
    const flipped = conv2d(backend, dyT, xT, pads, [1, 1]) // [Co, KH, KW, Ci]
    temps.push(flipped)
    const out = backend.makeOutput([kh, kw, inC, outC], 'float32')
    const src = backend.typedArrayFromHeap(flipped)
    const dst = backend.typedArrayFromHeap(out)
    for (let co = 0; co < outC; co++) {
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          const s = ((co * kh + a) * kw + b) * inC
          const d = ((kh - 1 - a) * kw + (kw - 1 - b)) * inC * outC + co
          for (let ci = 0; ci < inC; ci++) dst[d + ci * outC] = src[s + ci]!
        }
      }
    }
    return out
  } finally {
    for (const t of temps) backend.disposeData(t.dataId)
  }
}

/** Shares a buffer under a new shape (as the Reshape kernel does): the caller's dispose drops one ref. */
function reshapeRef(backend: BackendWasm, t: TensorInfo): object {
  backend.incRef(t.dataId)
  return t.dataId
}

/**
 * The sub-pixel filter [⌈KH/sh⌉, ⌈KW/sw⌉, Co, sh·sw·Ci]: for output phase (rh, rw) and tap (jh, jw)
 * it holds W[rh + (Mh−1−jh)·sh, rw + (Mw−1−jw)·sw, ci, co] (zero past the kernel's edge).
 */
function subPixelFilter(backend: BackendWasm, filter: TensorInfo, sh: number, sw: number): TensorInfo {
  const [kh, kw, inC, outC] = filter.shape as Shape4
  const mh = Math.ceil(kh / sh)
  const mw = Math.ceil(kw / sw)
  const phases = sh * sw * inC
  const out = backend.makeOutput([mh, mw, outC, phases], 'float32')
  const src = backend.typedArrayFromHeap(filter)
  const dst = backend.typedArrayFromHeap(out)
  dst.fill(0)
  for (let jh = 0; jh < mh; jh++) {
    for (let jw = 0; jw < mw; jw++) {
      for (let rh = 0; rh < sh; rh++) {
        const fh = rh + (mh - 1 - jh) * sh
        if (fh >= kh) continue
        for (let rw = 0; rw < sw; rw++) {
          const fw = rw + (mw - 1 - jw) * sw
          if (fw >= kw) continue
          const srcBase = (fh * kw + fw) * inC * outC
          const dstBase = (jh * mw + jw) * outC * phases + (rh * sw + rw) * inC
          for (let co = 0; co < outC; co++) {
            const d = dstBase + co * phases
            for (let ci = 0; ci < inC; ci++) dst[d + ci] = src[srcBase + ci * outC + co]!
          }
        }
      }
    }
  }
  return out
}

let stockBackpropInput: KernelFunc | null = null

function conv2DBackpropInput(args: Args<Conv2DBackpropInputAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo }
  if (attrs.dataFormat !== 'NHWC') {
    if (!stockBackpropInput) throw new Error(`wasm Conv2DBackpropInput supports only dataFormat NHWC, got ${attrs.dataFormat}`)
    return stockBackpropInput(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo
  }
  const inputShape = attrs.inputShape
  const info = padInfo(attrs, inputShape, filter.shape as Shape4)
  const [n, inH, inW, inC] = inputShape
  const [, outH, outW, outC] = dy.shape as Shape4
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info
  if (outH !== info.outHeight || outW !== info.outWidth || n !== dy.shape[0] || inC !== filter.shape[2] || outC !== filter.shape[3]) {
    throw new Error(`Conv2DBackpropInput: dy ${dy.shape} does not match input ${inputShape}, filter ${filter.shape}`)
  }
  // Padded row t = h + top = q·sh + r. Shifting q by ⌊top/sh⌋ leaves the crop offset top mod sh.
  const geometry = (k: number, s: number, pad: number, inSize: number, outSize: number) => {
    const m = Math.ceil(k / s)
    const shift = Math.floor(pad / s)
    const offset = pad - shift * s
    const q = Math.ceil((inSize + offset) / s)
    const before = m - 1 - shift
    const after = q - outSize - before + m - 1
    // Negative padding: those dy rows only reach outputs that are cropped away.
    const cropBefore = Math.max(-before, 0)
    const cropAfter = Math.max(-after, 0)
    return { q, offset, before: before + cropBefore, after: after + cropAfter, from: cropBefore, to: outSize - cropAfter }
  }
  const gh = geometry(kh, sh, info.padInfo.top, inH, outH)
  const gw = geometry(kw, sw, info.padInfo.left, inW, outW)
  if (gh.to <= gh.from || gw.to <= gw.from) return zeros(backend, inputShape)

  const temps: TensorInfo[] = []
  try {
    let dyUsed = dy
    if (gh.from > 0 || gh.to < outH || gw.from > 0 || gw.to < outW) temps.push((dyUsed = crop(backend, dy, gh.from, gh.to, gw.from, gw.to)))
    const g = subPixelFilter(backend, filter, sh, sw)
    temps.push(g)
    const phased = conv2d(
      backend,
      dyUsed,
      g,
      [
        [0, 0],
        [gh.before, gh.after],
        [gw.before, gw.after],
        [0, 0],
      ],
      [1, 1],
    ) // [N, Qh, Qw, sh·sw·Ci]
    temps.push(phased)
    const fullH = gh.q * sh
    const fullW = gw.q * sw
    let full = phased
    if (sh * sw > 1) {
      // [N·Qh, Qw, sh, sw·Ci] → [N·Qh, sh, Qw, sw·Ci] = [N, Qh·sh, Qw·sw, Ci]
      const view: TensorInfo = { dataId: phased.dataId, shape: [n * gh.q, gw.q, sh, sw * inC], dtype: 'float32' }
      full = transpose(backend, view, [0, 2, 1, 3])
      temps.push(full)
    }
    full = { dataId: full.dataId, shape: [n, fullH, fullW, inC], dtype: 'float32' }
    if (gh.offset === 0 && gw.offset === 0 && fullH === inH && fullW === inW) {
      return { dataId: reshapeRef(backend, full), shape: [n, inH, inW, inC], dtype: 'float32' }
    }
    return crop(backend, full, gh.offset, gh.offset + inH, gw.offset, gw.offset + inW)
  } finally {
    for (const t of temps) backend.disposeData(t.dataId)
  }
}

const requireHere = createRequire(__filename)

/**
 * Registers the wasm `Conv2DBackpropFilter` kernel and replaces the wasm `Conv2DBackpropInput`
 * kernel (keeping the stock one for NCHW). Idempotent; call it any time before training on wasm.
 * It loads @tensorflow/tfjs-backend-wasm first, so the package's own registrations cannot later
 * overwrite these.
 */
export function registerWasmConvKernels(): void {
  requireHere('@tensorflow/tfjs-backend-wasm')
  replaceWasmKernel('Conv2DBackpropFilter', WASM_LAYER, () => conv2DBackpropFilter as unknown as KernelFunc)
  replaceWasmKernel('Conv2DBackpropInput', WASM_LAYER, (stock) => {
    stockBackpropInput = stock?.kernelFunc ?? null
    return conv2DBackpropInput as unknown as KernelFunc
  })
}
