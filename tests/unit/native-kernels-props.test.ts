/**
 * Every native kernel (src-main/native/gwb_native.c through wasm-native-kernels.ts) against tfjs'
 * pure-JS `cpu` backend, over random shapes, broadcasts, paddings and strides drawn by fast-check
 * (fixed seed), with NaN and ±Infinity among the inputs: the output's shape and dtype must be the
 * cpu backend's, its NaN and infinities exactly where the cpu backend has them, and its finite
 * values within float32 rounding of the cpu backend's. Fallbacks (shapes a native kernel hands
 * back to the WebAssembly kernel) are drawn too, so the answer is right whoever computes it.
 *
 * Also run by `npm run test:native-variants` on a sanitizer (ASan + UBSan) build and on a build
 * without OpenMP (GWB_NATIVE_ADDON names the build; GWB_REQUIRE_NATIVE=1 fails instead of skipping).
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'
import { nativeBlas } from '../../src-main/training/native-blas'
import { wasmThreadCount } from '../../src-main/training/wasm-threads'
import { FusedAdamOptimizer } from '../../src-main/training/fused-adam'
import { globalNorm } from '../../src-main/training/optimizers'
import { requireNativeOrSkip } from '../helpers/native-variant'

process.env.GWB_WASM_THREADS = '2'
const status = nativeBlas(wasmThreadCount())
const skip = requireNativeOrSkip(status, 'native-kernels-props.test')

const SEED = 20261201
/** Runs per property: enough to reach every regime of every kernel; KERNEL_PROP_RUNS raises it for a soak. */
const RUNS = Number(process.env.KERNEL_PROP_RUNS ?? 30)
/** KERNEL_PROP_NO_SHRINK=1 reports the first failing case as drawn (shrinking re-runs kernels on a heap a failure may have broken). */
const NO_SHRINK = process.env.KERNEL_PROP_NO_SHRINK === '1'

type Shape = number[]
type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]]
interface Input {
  values: Float32Array | Uint8Array
  shape: Shape
  dtype?: 'float32' | 'bool'
}
interface Output {
  shape: Shape
  dtype: string
  values: ArrayLike<number>
}

const size = (shape: Shape) => shape.reduce((a, b) => a * b, 1)

/**
 * n values in [-1, 1] from a seeded generator; a share `specials` of them NaN, +∞ or −∞. `ties`
 * rounds them to a few levels (max pooling's first-maximum rule then matters).
 */
function values(n: number, seed: number, specials = 0, ties = false): Float32Array {
  let s = seed >>> 0 || 1
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const v = next() * 2 - 1
    out[i] = ties ? Math.round(v * 3) / 3 : v
    if (specials > 0 && next() < specials) out[i] = [NaN, Infinity, -Infinity][Math.floor(next() * 3)]!
  }
  return out
}

const float = (shape: Shape, seed: number, specials = 0, ties = false): Input => ({
  values: values(size(shape), seed, specials, ties),
  shape,
})

/** Runs one kernel on a backend from the same input values; returns every output (then frees all). */
async function run(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, Input> | Input[], attrs: object): Promise<Output[]> {
  await tf.setBackend(backend)
  const before = tf.memory().numTensors
  const make = (v: Input) => tf.tensor(v.values, v.shape, v.dtype ?? 'float32')
  // Concat takes its inputs as a list (tf.concat passes the array itself).
  const tensors = Array.isArray(inputs) ? inputs.map(make) : Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, make(v)]))
  const out = tf.engine().runKernel(kernel, tensors as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[]
  const outs = Array.isArray(out) ? out : [out]
  const result = outs.map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.dataSync().slice() }))
  tf.dispose([...outs, ...Object.values(tensors)])
  expect(tf.memory().numTensors, `${kernel} on ${backend}: tensors leaked`).toBe(before)
  return result
}

/** Same shape and dtype; NaN and ±∞ at the same places; finite values within `tolerance` of the largest. */
function expectSame(actual: Output[], expected: Output[], what: string, tolerance = 2e-5): void {
  expect(actual.length, what).toBe(expected.length)
  expected.forEach((ref, o) => {
    const got = actual[o]!
    const label = `${what}, output ${o}`
    expect(got.shape, `${label}: shape`).toEqual(ref.shape)
    expect(got.dtype, `${label}: dtype`).toBe(ref.dtype)
    expect(got.values.length, `${label}: size`).toBe(ref.values.length)
    let scale = 1e-3
    for (let i = 0; i < ref.values.length; i++) if (Number.isFinite(ref.values[i]!)) scale = Math.max(scale, Math.abs(ref.values[i]!))
    for (let i = 0; i < ref.values.length; i++) {
      const [r, g] = [ref.values[i]!, got.values[i]!]
      if (!Number.isFinite(r) || !Number.isFinite(g)) {
        if (!Object.is(r, g) && !(Number.isNaN(r) && Number.isNaN(g))) expect.fail(`${label}: [${i}] is ${g}, the cpu backend's ${r}`)
      } else if (Math.abs(r - g) > tolerance * scale) {
        expect.fail(`${label}: [${i}] is ${g}, the cpu backend's ${r} (tolerance ${tolerance * scale})`)
      }
    }
  })
}

async function agree(
  kernel: string,
  inputs: Record<string, Input> | Input[],
  attrs: object,
  what: string,
  tolerance?: number,
): Promise<void> {
  expectSame(await run('wasm', kernel, inputs, attrs), await run('cpu', kernel, inputs, attrs), `${kernel} ${what}`, tolerance)
}

const specialRate = fc.constantFrom(0, 0, 0.01, 0.1)

/* ---- convolutions ---------------------------------------------------------------------------- */

interface ConvCase {
  x: Shape
  filter: Shape
  strides: [number, number]
  pad: Pad
  seed: number
  xSpecials: number
  wSpecials: number
}

const padArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Pad>('same', 'valid') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)).map(
      ([t, b, l, r]): Pad => [
        [0, 0],
        [t, b],
        [l, r],
        [0, 0],
      ],
    ),
  },
)

/** One geometry family: an inclusive [min, max] range (or one value) per n, h, w, c, co, kh, kw, sh, sw. */
type Range = number | [number, number]
type Nine<T> = [T, T, T, T, T, T, T, T, T]
const geometry = (weight: number, ranges: Nine<Range>) => ({
  weight,
  arbitrary: fc.tuple(
    ...ranges.map((r) => (typeof r === 'number' ? fc.constant(r) : fc.integer({ min: r[0], max: r[1] }))),
  ) as fc.Arbitrary<Nine<number>>,
})

/**
 * Geometries from each of the addon's paths: small im2col blocks; few output channels with a wide
 * filter (output columns); 1×1 stride 1 (pointwise); 3×3 stride 1 with 64+ channels (Winograd);
 * columns over 2^18 floats (several blocks, split between threads).
 */
// prettier-ignore
const convGeometries = [
  //           n       h         w         c         co        kh      kw      sh      sw
  geometry(4, [[1, 3], [1, 9],   [1, 9],   [1, 5],   [1, 5],   [1, 5], [1, 5], [1, 3], [1, 3]]),
  geometry(2, [[1, 2], [5, 9],   [5, 9],   [8, 16],  [1, 2],   [5, 7], [5, 7], [1, 2], [1, 2]]),
  geometry(1, [[1, 2], [1, 6],   [1, 6],   [1, 6],   [1, 6],   1,      1,      1,      1]),
  geometry(2, [[1, 2], [8, 11],  [8, 11],  [64, 68], [64, 68], 3,      3,      1,      1]),
  geometry(1, [[3, 4], [20, 24], [20, 24], 8,        [3, 8],   [5, 7], [5, 7], 1,      1]),
]
const convCase: fc.Arbitrary<ConvCase> = fc
  .oneof(...convGeometries)
  .chain(([n, h, w, c, co, kh, kw, sh, sw]) =>
    fc.record({ pad: padArb, seed: fc.nat(), xSpecials: specialRate, wSpecials: specialRate }).map(
      ({ pad, seed, xSpecials, wSpecials }): ConvCase => ({
        x: [n, h, w, c],
        filter: [kh, kw, c, co],
        strides: [sh, sw],
        pad,
        seed,
        xSpecials,
        wSpecials,
      }),
    ),
  )
  .filter((c) => {
    try {
      return outShape(c).every((d) => d > 0)
    } catch {
      return false // a pad tfjs refuses for this geometry
    }
  })

/** tfjs' own geometry of the case's convolution (output shape, padding), NHWC. */
function convInfo(c: ConvCase) {
  return tf.backend_util.computeConv2DInfo(
    c.x as [number, number, number, number],
    c.filter as [number, number, number, number],
    c.strides,
    1,
    c.pad,
    undefined,
    false,
    'channelsLast',
  )
}

function outShape(c: ConvCase): Shape {
  return convInfo(c).outShape
}

/**
 * dw computed by the cpu backend's Conv2D: tfjs' cpu Conv2DBackpropFilter reads every value through
 * a TensorBuffer (12.6 s for 2×11×11×68 → 68, 3×3, where its Conv2D takes 0.5 s). dw[i, j, c, q] =
 * Σ x[b, oy·sh − pt + i, ox·sw − pl + j, c]·dy[b, oy, ox, q] over the pixels inside the image: a
 * convolution of x with batch and channels swapped by dy as the filter, dilated by the strides, with
 * the forward pass's padding (rows no tap reaches sliced off). Both skip padding, as the kernel does.
 */
async function filterGradOnCpu(c: ConvCase, x: Input, dy: Input): Promise<Output> {
  await tf.setBackend('cpu')
  const info = convInfo(c)
  const [, h, w] = c.x as [number, number, number, number]
  const shape4 = (s: Shape) => s as [number, number, number, number]
  const { top, left } = info.padInfo
  const bottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - h - top
  const right = (info.outWidth - 1) * info.strideWidth + info.filterWidth - w - left
  const dw = tf.tidy(() => {
    let xt = tf.transpose(tf.tensor4d(x.values as Float32Array, shape4(x.shape)), [3, 1, 2, 0])
    xt = tf.slice(xt, [0, 0, 0, 0], shape4([-1, h + Math.min(0, bottom), w + Math.min(0, right), -1]))
    const filter = tf.transpose(tf.tensor4d(dy.values as Float32Array, shape4(dy.shape)), [1, 2, 0, 3])
    const pad: [[0, 0], [number, number], [number, number], [0, 0]] = [
      [0, 0],
      [top, Math.max(0, bottom)],
      [left, Math.max(0, right)],
      [0, 0],
    ]
    return tf.transpose(tf.conv2d(xt, filter, 1, pad, 'NHWC', [info.strideHeight, info.strideWidth]), [1, 2, 0, 3])
  })
  const out = { shape: dw.shape, dtype: dw.dtype, values: dw.dataSync().slice() }
  dw.dispose()
  return out
}

const convAttrs = (c: ConvCase) => ({ strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] })
const conv = (c: ConvCase) => JSON.stringify({ x: c.x, f: c.filter, s: c.strides, pad: c.pad, specials: [c.xSpecials, c.wSpecials] })

/* ---- matrix products ------------------------------------------------------------------------- */

interface MatMulCase {
  a: Shape
  b: Shape
  transposeA: boolean
  transposeB: boolean
  seed: number
  specials: number
  bias?: Shape
  activation: string
}

/**
 * Batch shapes the kernel itself broadcasts: equal, or one side a single matrix of any rank (tfjs'
 * kernels take a batch dimension of 1 against any other, not general broadcasting).
 */
const matMulCase: fc.Arbitrary<MatMulCase> = fc
  .record({
    batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    single: fc.constantFrom('none', 'a', 'b'),
    singleRank: fc.integer({ min: 0, max: 3 }),
    m: fc.integer({ min: 1, max: 9 }),
    n: fc.integer({ min: 1, max: 9 }),
    k: fc.integer({ min: 0, max: 9 }),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    seed: fc.nat(),
    specials: specialRate,
    bias: fc.constantFrom<'none' | 'n' | '1n'>('none', 'n', 'n', '1n'),
    activation: fc.constantFrom('linear', 'relu', 'relu', 'elu', 'leakyrelu', 'relu6'),
  })
  .map(({ batch, single, singleRank, m, n, k: inner, transposeA, transposeB, seed, specials, bias, activation }): MatMulCase => {
    // tfjs-backend-wasm's own _FusedMatMul (the fallback of other activations) takes a rank-1 bias
    // only, leaves the output unwritten for an empty inner dimension, puts NaN and ∞ elsewhere than
    // the cpu backend, and applies ELU wrongly past the first matrix of a batch (4.22, measured):
    // those cases go to ours alone; the fallback gets one matrix, as a dense layer gives it.
    const native = activation === 'linear' || activation === 'relu'
    const k = native ? inner : Math.max(1, inner)
    const ones = Array.from({ length: singleRank }, () => 1)
    const batchA = !native ? [] : single === 'a' ? ones : batch
    const batchB = !native ? [] : single === 'b' ? ones : batch
    const biasShape = { none: undefined, n: [n], '1n': native ? [1, n] : [n] }[bias]
    return {
      a: [...batchA, ...(transposeA ? [k, m] : [m, k])],
      b: [...batchB, ...(transposeB ? [n, k] : [k, n])],
      transposeA,
      transposeB,
      seed,
      specials: native ? specials : 0,
      bias: biasShape,
      activation,
    }
  })

/* ---- broadcasting binary ops ------------------------------------------------------------------ */

/** Two shapes that broadcast together: the same, one of size 1 (any rank, scalars too), or general. */
const broadcastPair = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).map((s) => [s, s]),
  fc.tuple(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 4 }), fc.integer({ min: 0, max: 5 }), fc.boolean()).map(([s, r, swap]) => {
    const one = Array.from({ length: r }, () => 1)
    return swap ? [one, s] : [s, one]
  }),
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('both', 'a1', 'b1')), { minLength: 1, maxLength: 4 })
    .map((dims) => [dims.map(([d, w]) => (w === 'a1' ? 1 : d)), dims.map(([d, w]) => (w === 'b1' ? 1 : d))]),
) as fc.Arbitrary<[Shape, Shape]>

describe.skipIf(skip)('native kernels against the cpu backend (fast-check, fixed seed, NaN and ±∞ included)', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { convolutional: true })
  })
  afterAll(async () => {
    await tf.setBackend('wasm')
  })

  it('Greater: a size-1 operand of higher rank broadcasts to the higher rank ([5] > [1,1] is [1,5])', async () => {
    await agree('Greater', { a: float([5], 1), b: float([1, 1], 2) }, {}, '[5] > [1,1]')
    await agree('Greater', { a: float([1, 1, 1], 3), b: float([4], 4) }, {}, '[1,1,1] > [4]')
  })

  it('Greater over random broadcasts', async () => {
    await fc.assert(
      fc.asyncProperty(broadcastPair, fc.nat(), specialRate, async ([a, b], seed, specials) => {
        await agree('Greater', { a: float(a, seed, specials), b: float(b, seed + 1, specials) }, {}, JSON.stringify([a, b]))
      }),
      { numRuns: RUNS * 2, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('LeakyRelu, and Select on the same shapes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 4 }),
        fc.nat(),
        specialRate,
        fc.double({ min: -1, max: 1, noNaN: true }),
        async (shape, seed, specials, alpha) => {
          await agree('LeakyRelu', { x: float(shape, seed, specials) }, { alpha }, JSON.stringify({ shape, alpha }))
          const condition = {
            values: Uint8Array.from(values(size(shape), seed + 1), (v) => (v > 0 ? 1 : 0)),
            shape,
            dtype: 'bool' as const,
          }
          await agree(
            'Select',
            { condition, t: float(shape, seed + 2, specials), e: float(shape, seed + 3, specials) },
            {},
            JSON.stringify(shape),
          )
        },
      ),
      { numRuns: RUNS * 2, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  // Sum and Mean share the reduction path (Mean divides the native sum by the reduced count).
  for (const [op, maxSide] of [
    ['Sum', 6],
    ['Mean', 7],
  ] as const) {
    it(`${op} over any axes (leading, trailing, middle, negative), with and without keepDims`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: maxSide }), { minLength: 1, maxLength: 4 }).chain((shape) =>
            fc.record({
              shape: fc.constant(shape),
              axes: fc
                .subarray(
                  shape.map((_, i) => i),
                  { minLength: 1 },
                )
                .chain((axes) =>
                  fc.constantFrom(
                    axes,
                    axes.map((a) => a - shape.length),
                  ),
                ),
              keepDims: fc.boolean(),
              seed: fc.nat(),
              specials: specialRate,
            }),
          ),
          async ({ shape, axes, keepDims, seed, specials }) => {
            await agree(op, { x: float(shape, seed, specials) }, { axis: axes, keepDims }, JSON.stringify({ shape, axes, keepDims }))
          },
        ),
        { numRuns: RUNS * 2, seed: SEED, endOnFailure: NO_SHRINK },
      )
    })
  }

  it('Concat along any axis (negative too) of 1 to 4 inputs, and SplitV into given sizes (-1 included), empty parts included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            axis: fc.integer({ min: 0, max: shape.length - 1 }),
            negative: fc.boolean(),
            sizes: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
            inferLast: fc.boolean(),
            seed: fc.nat(),
            specials: specialRate,
          }),
        ),
        async ({ shape, axis, negative, sizes, inferLast, seed, specials }) => {
          const attrAxis = negative ? axis - shape.length : axis
          const parts = sizes.map((d, i) =>
            float(
              shape.map((n, k) => (k === axis ? d : n)),
              seed + i,
              specials,
            ),
          )
          await agree('Concat', parts, { axis: attrAxis }, JSON.stringify({ shapes: parts.map((p) => p.shape), axis: attrAxis }))
          const whole = float(
            shape.map((n, k) => (k === axis ? sizes.reduce((a, b) => a + b, 0) : n)),
            seed,
            specials,
          )
          const numOrSizeSplits = inferLast && sizes.length > 1 ? [...sizes.slice(0, -1), -1] : sizes
          await agree(
            'SplitV',
            { x: whole },
            { numOrSizeSplits, axis: attrAxis },
            JSON.stringify({ shape: whole.shape, numOrSizeSplits, axis: attrAxis }),
          )
        },
      ),
      { numRuns: RUNS * 2, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('BatchMatMul and _FusedMatMul: transposes, batches, a single matrix of any rank against a batch, bias shapes, activations', async () => {
    await fc.assert(
      fc.asyncProperty(matMulCase, async (c) => {
        const what = JSON.stringify(c)
        const inputs: Record<string, Input> = { a: float(c.a, c.seed, c.specials), b: float(c.b, c.seed + 1, c.specials) }
        await agree('BatchMatMul', inputs, { transposeA: c.transposeA, transposeB: c.transposeB }, what)
        // tf.fused.matMul hands its kernel 3-D operands (batch axes folded into one), as here.
        const as3d = (x: Input): Input => ({ values: x.values, shape: [size(x.shape.slice(0, -2)), ...x.shape.slice(-2)] })
        const fused: Record<string, Input> = { a: as3d(inputs.a!), b: as3d(inputs.b!) }
        if (c.bias) fused.bias = float(c.bias, c.seed + 2, c.specials)
        await agree(
          '_FusedMatMul',
          fused,
          { transposeA: c.transposeA, transposeB: c.transposeB, activation: c.activation, leakyreluAlpha: 0.2 },
          what,
        )
      }),
      { numRuns: RUNS * 3, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('Conv2D and FusedConv2D (bias, ReLU and the activations left to the fallback) on every path of the addon', async () => {
    await fc.assert(
      fc.asyncProperty(
        convCase,
        fc.constantFrom('none', 'co', '1co', '1111co'),
        fc.constantFrom('linear', 'relu', 'relu', 'elu'),
        async (c, bias, activation) => {
          const x = float(c.x, c.seed, c.xSpecials)
          const filter = float(c.filter, c.seed + 1, c.wSpecials)
          await agree('Conv2D', { x, filter }, convAttrs(c), conv(c))
          const co = c.filter[3]!
          // tfjs-backend-wasm's own FusedConv2D (the fallback of other activations) takes a rank-1 bias only.
          const biasShape =
            activation === 'elu'
              ? bias === 'none'
                ? undefined
                : [co]
              : { none: undefined, co: [co], '1co': [1, co], '1111co': [1, 1, 1, co] }[bias]
          await agree(
            'FusedConv2D',
            { x, filter, ...(biasShape ? { bias: float(biasShape, c.seed + 2, c.wSpecials) } : {}) },
            { ...convAttrs(c), activation },
            `${conv(c)} bias ${bias} ${activation}`,
          )
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('Conv2DBackpropInput (a transposed convolution) on every path of the addon', async () => {
    await fc.assert(
      fc.asyncProperty(convCase, async (c) => {
        const inputs = { dy: float(outShape(c), c.seed, c.xSpecials), filter: float(c.filter, c.seed + 1, c.wSpecials) }
        await agree('Conv2DBackpropInput', inputs, { ...convAttrs(c), inputShape: c.x }, conv(c))
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('Conv2DBackpropFilter on every path of the addon', async () => {
    await fc.assert(
      fc.asyncProperty(convCase, async (c) => {
        const inputs = { x: float(c.x, c.seed, c.xSpecials), dy: float(outShape(c), c.seed + 1, c.wSpecials) }
        const attrs = { ...convAttrs(c), filterShape: c.filter }
        const actual = await run('wasm', 'Conv2DBackpropFilter', inputs, attrs)
        expectSame(actual, [await filterGradOnCpu(c, inputs.x, inputs.dy)], `Conv2DBackpropFilter ${conv(c)} (as the cpu backend's Conv2D)`)
        const [n, oh, ow, co] = outShape(c)
        if (n! * oh! * ow! * c.filter[0]! * c.filter[1]! * c.filter[2]! * co! <= 300_000)
          expectSame(actual, await run('cpu', 'Conv2DBackpropFilter', inputs, attrs), `Conv2DBackpropFilter ${conv(c)}`)
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('ResizeNearestNeighbor, and its gradient as the scatter of the cpu forward pass', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          x: fc.tuple(
            fc.integer({ min: 1, max: 3 }),
            fc.integer({ min: 1, max: 6 }),
            fc.integer({ min: 1, max: 6 }),
            fc.integer({ min: 1, max: 4 }),
          ),
          size: fc.tuple(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 13 })),
          corners: fc.constantFrom<[boolean, boolean]>([false, false], [true, false], [false, true]),
          seed: fc.nat(),
          specials: specialRate,
        }),
        async ({ x, size: outSize, corners: [alignCorners, halfPixelCenters], seed, specials }) => {
          const attrs = { size: outSize, alignCorners, halfPixelCenters }
          const what = JSON.stringify({ x, outSize, alignCorners, halfPixelCenters })
          await agree('ResizeNearestNeighbor', { images: float(x, seed, specials) }, attrs, what)
          // tfjs' cpu gradient is not the adjoint of its own forward pass for a batch of several or a
          // ratio that is not whole (README, Training backends), so the reference is the scatter-add
          // of dy to the sources the cpu forward pass reads: each pixel's index resized as a value.
          const [n, h, w, c] = x
          const index = { values: Float32Array.from({ length: n * h * w * c }, (_, i) => i), shape: x }
          const sources = (await run('cpu', 'ResizeNearestNeighbor', { images: index }, attrs))[0]!.values
          const dy = float([n, ...outSize, c], seed + 1, specials)
          const expected = new Float32Array(n * h * w * c)
          const sums = new Float64Array(n * h * w * c)
          Array.from(sources).forEach((source, i) => (sums[source] = sums[source]! + dy.values[i]!))
          expected.set(sums)
          const [actual] = await run('wasm', 'ResizeNearestNeighborGrad', { images: index, dy }, { alignCorners, halfPixelCenters })
          expectSame([actual!], [{ shape: x, dtype: 'float32', values: expected }], `ResizeNearestNeighborGrad ${what}`)
        },
      ),
      { numRuns: RUNS * 2, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('MaxPoolGrad: ties (the first maximum takes the gradient), padding, windows of NaN or −∞', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({
            x: fc.tuple(
              fc.integer({ min: 1, max: 3 }),
              fc.integer({ min: 1, max: 9 }),
              fc.integer({ min: 1, max: 9 }),
              fc.integer({ min: 1, max: 5 }),
            ),
            filterSize: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
            strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
            pad: fc.constantFrom<'same' | 'valid' | number>('same', 'valid', 0, 1),
            seed: fc.nat(),
            specials: specialRate,
          })
          .filter(({ x, filterSize, pad }) => pad !== 'valid' || (x[1] >= filterSize[0] && x[2] >= filterSize[1])),
        async ({ x, filterSize, strides, pad, seed, specials }) => {
          const attrs = { filterSize, strides, pad, dimRoundingMode: undefined }
          let info: tf.backend_util.Conv2DInfo
          try {
            info = tf.backend_util.computePool2DInfo(x, filterSize, strides, 1, pad)
            if (info.outShape.some((d) => d <= 0) || (typeof pad === 'number' && (pad >= filterSize[0] || pad >= filterSize[1]))) return
          } catch {
            return
          }
          const input = float(x, seed, specials, true)
          const [output] = await run('cpu', 'MaxPool', { x: input }, attrs)
          await agree(
            'MaxPoolGrad',
            { dy: float(info.outShape, seed + 1), input, output: { values: Float32Array.from(output!.values), shape: output!.shape } },
            attrs,
            JSON.stringify({ x, filterSize, strides, pad, specials }),
          )
        },
      ),
      { numRuns: RUNS * 2, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('fused Adam: tfjs AdamOptimizer on the cpu backend, step for step, on random shapes and gradients with NaN and ±∞', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        specialRate,
        fc.constantFrom(1e-3, 0.01, 0.2),
        fc.constantFrom(0.5, 0.9),
        fc.constantFrom(0.9, 0.999),
        async (shapes, seed, specials, lr, beta1, beta2) => {
          const steps = 3
          const trace = async (backend: 'cpu' | 'wasm'): Promise<Output[]> => {
            await tf.setBackend(backend)
            const vars = shapes.map((s, i) => tf.variable(tf.tensor(values(size(s), seed + i), s), true, `adam${backend}${seed}_${i}`))
            const opt = backend === 'wasm' ? new FusedAdamOptimizer(lr, beta1, beta2) : tf.train.adam(lr, beta1, beta2)
            for (let step = 0; step < steps; step++) {
              const grads = shapes.map((s, i) => tf.tensor(values(size(s), seed + 100 * (step + 1) + i, specials), s))
              opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! })))
              tf.dispose(grads)
            }
            const state = [...vars, ...(await opt.getWeights()).slice(1).map((w) => w.tensor)]
            const out = state.map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.dataSync().slice() }))
            opt.dispose()
            tf.dispose(vars)
            return out
          }
          expectSame(await trace('wasm'), await trace('cpu'), `Adam ${JSON.stringify({ shapes, lr, beta1, beta2, specials })}`, 1e-6)
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })

  it('the global norm of many tensors: the norm tfjs computes op by op on the cpu backend', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        specialRate,
        async (shapes, seed, specials) => {
          const norm = async (backend: 'cpu' | 'wasm'): Promise<Output[]> => {
            await tf.setBackend(backend)
            const grads = Object.fromEntries(shapes.map((s, i) => [`g${i}`, tf.tensor(values(size(s), seed + i, specials), s)]))
            const t = backend === 'wasm' ? globalNorm(grads) : tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))))
            const out = [{ shape: t.shape, dtype: t.dtype, values: t.dataSync().slice() }]
            tf.dispose([t, ...Object.values(grads)])
            return out
          }
          expectSame(await norm('wasm'), await norm('cpu'), `global norm ${JSON.stringify({ shapes, specials })}`)
        },
      ),
      { numRuns: RUNS, seed: SEED, endOnFailure: NO_SHRINK },
    )
  })
})
