/**
 * The wasm convolution gradient kernels (src-main/training/wasm-kernels.ts) against tfjs' pure-JS
 * `cpu` kernels: random shapes, strides, paddings; full gradients of a small conv model; leaks.
 */
import * as tf from '@tensorflow/tfjs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'
import { registerWasmConvKernels } from '../../src-main/training/wasm-kernels'

// These test the WebAssembly kernels, the fallbacks of the native BLAS ones (native-kernels.test.ts).
process.env.GWB_NATIVE_BLAS = '0'

type Shape4 = [number, number, number, number]
type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]]

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1)

function randomValues(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32 - 0.5
  })
}

async function on<T>(backend: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(backend)
  return f()
}

/** Runs a kernel directly and returns its output's values (then frees it). */
function runKernel(
  name: string,
  inputs: Record<string, { values: number[]; shape: number[] }>,
  attrs: object,
): { shape: number[]; values: Float32Array } {
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]))
  const out = tf.engine().runKernel(name, tensors, attrs as tf.NamedAttrMap) as tf.Tensor
  const result = { shape: out.shape, values: out.dataSync() as Float32Array }
  out.dispose()
  Object.values(tensors).forEach((t) => t.dispose())
  return result
}

function expectClose(
  actual: { shape: number[]; values: ArrayLike<number> },
  expected: { shape: number[]; values: ArrayLike<number> },
  what: string,
) {
  expect(actual.shape, what).toEqual(expected.shape)
  let maxRef = 0
  for (let i = 0; i < expected.values.length; i++) maxRef = Math.max(maxRef, Math.abs(expected.values[i]!))
  const tol = 1e-4 * Math.max(1, maxRef)
  let worst = 0
  for (let i = 0; i < expected.values.length; i++) worst = Math.max(worst, Math.abs(actual.values[i]! - expected.values[i]!))
  expect(worst, `${what}: max abs error ${worst} > ${tol}`).toBeLessThanOrEqual(tol)
}

interface ConvCase {
  x: Shape4
  filter: Shape4
  strides: [number, number]
  pad: Pad
  seed: number
}

/** Random NHWC conv geometries with at least one output pixel. */
const convCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 10 }),
    w: fc.integer({ min: 1, max: 10 }),
    inC: fc.integer({ min: 1, max: 4 }),
    outC: fc.integer({ min: 1, max: 4 }),
    kh: fc.integer({ min: 1, max: 5 }),
    kw: fc.integer({ min: 1, max: 5 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    pad: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom<Pad>('same', 'valid') },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)).map(
          ([t, b, l, r]): Pad => [
            [0, 0],
            [t, b],
            [l, r],
            [0, 0],
          ],
        ),
      },
    ),
    seed: fc.nat(),
  })
  .filter(({ h, w, kh, kw, pad }) => {
    const [padH, padW] =
      pad === 'same'
        ? [kh, kw]
        : pad === 'valid'
          ? [0, 0]
          : typeof pad === 'number'
            ? [2 * pad, 2 * pad]
            : [pad[1][0] + pad[1][1], pad[2][0] + pad[2][1]]
    return h + padH >= kh && w + padW >= kw
  })
  .map(
    ({ batch, h, w, inC, outC, kh, kw, sh, sw, pad, seed }): ConvCase => ({
      x: [batch, h, w, inC],
      filter: [kh, kw, inC, outC],
      strides: [sh, sw],
      pad,
      seed,
    }),
  )
  // tfjs sizes a numeric pad's output with the filter height in both dimensions: skip empty outputs.
  .filter((c) => dyShape(c).every((d) => d > 0))

function dyShape(c: ConvCase): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, false, 'channelsLast')
  return info.outShape
}

beforeAll(async () => {
  await selectBackend('wasm')
  registerWasmConvKernels()
})

afterAll(async () => {
  await tf.setBackend('wasm')
})

describe('wasm conv kernels: registration', () => {
  it('registers Conv2DBackpropFilter and replaces Conv2DBackpropInput, idempotently and silently', () => {
    const warn = vi.spyOn(console, 'warn')
    const before = [tf.getKernel('Conv2DBackpropFilter', 'wasm'), tf.getKernel('Conv2DBackpropInput', 'wasm')]
    registerWasmConvKernels()
    registerWasmConvKernels()
    expect([tf.getKernel('Conv2DBackpropFilter', 'wasm'), tf.getKernel('Conv2DBackpropInput', 'wasm')]).toEqual(before)
    expect(before.every((k) => k !== undefined)).toBe(true)
    expect(warn).not.toHaveBeenCalled()
    warn.mockRestore()
  })
})

describe('wasm conv kernels match the cpu backend', () => {
  it('Conv2DBackpropFilter on random shapes, strides and paddings', async () => {
    await fc.assert(
      fc.asyncProperty(convCase, async (c) => {
        const dy = dyShape(c)
        const inputs = {
          x: { values: randomValues(size(c.x), c.seed), shape: c.x },
          dy: { values: randomValues(size(dy), c.seed + 1), shape: dy },
        }
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter }
        const expected = await on('cpu', () => runKernel('Conv2DBackpropFilter', inputs, attrs))
        const actual = await on('wasm', () => runKernel('Conv2DBackpropFilter', inputs, attrs))
        expectClose(actual, expected, `dW ${JSON.stringify(c)}`)
      }),
      { numRuns: 300 },
    )
  })

  it('Conv2DBackpropInput on random shapes, strides and paddings', async () => {
    await fc.assert(
      fc.asyncProperty(convCase, async (c) => {
        const dy = dyShape(c)
        const inputs = {
          dy: { values: randomValues(size(dy), c.seed), shape: dy },
          filter: { values: randomValues(size(c.filter), c.seed + 1), shape: c.filter },
        }
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }
        const expected = await on('cpu', () => runKernel('Conv2DBackpropInput', inputs, attrs))
        const actual = await on('wasm', () => runKernel('Conv2DBackpropInput', inputs, attrs))
        expectClose(actual, expected, `dx ${JSON.stringify(c)}`)
      }),
      { numRuns: 300 },
    )
  })

  it('Conv2DBackpropInput in NCHW falls back to the stock kernel', async () => {
    const inputs = {
      dy: { values: randomValues(2 * 3 * 4 * 4, 7), shape: [2, 3, 4, 4] },
      filter: { values: randomValues(3 * 3 * 2 * 3, 8), shape: [3, 3, 2, 3] },
    }
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', inputShape: [2, 2, 8, 8] }
    const expected = await on('cpu', () => runKernel('Conv2DBackpropInput', inputs, attrs))
    const actual = await on('wasm', () => runKernel('Conv2DBackpropInput', inputs, attrs))
    expectClose(actual, expected, 'dx NCHW')
  })

  it('the gradients of a conv2d + conv2dTranspose model', async () => {
    // x [3,9,8,2] → conv2d 3×3/2 same → leaky → conv2dTranspose 4×4/2 same → tanh → conv2d 5×5/1 valid
    const shapes = { x: [3, 9, 8, 2], w1: [3, 3, 2, 4], w2: [4, 4, 3, 4], w3: [5, 5, 3, 2] }
    const values = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, randomValues(size(s), 11 + i)]))
    const grads = () => {
      const t = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.tensor4d(values[k]!, s as Shape4)])) as Record<
        string,
        tf.Tensor4D
      >
      const model = (x: tf.Tensor4D, w1: tf.Tensor4D, w2: tf.Tensor4D, w3: tf.Tensor4D) => {
        const h1 = tf.leakyRelu(tf.conv2d(x, w1, 2, 'same'), 0.2)
        const h2 = tf.tanh(tf.conv2dTranspose(h1, w2, [3, 10, 8, 3], 2, 'same'))
        const y = tf.conv2d(h2, w3, 1, 'valid')
        return tf.mean(tf.square(tf.sub(y, 0.1)))
      }
      const g = tf.grads((...a: tf.Tensor[]) => model(...(a as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D])))([
        t.x!,
        t.w1!,
        t.w2!,
        t.w3!,
      ])
      const out = g.map((gi) => ({ shape: gi.shape, values: gi.dataSync() as Float32Array }))
      tf.dispose([...g, ...Object.values(t)])
      return out
    }
    const expected = await on('cpu', grads)
    const actual = await on('wasm', grads)
    expected.forEach((e, i) => expectClose(actual[i]!, e, `gradient ${Object.keys(shapes)[i]}`))
  })

  it('tf.variableGrads through tf.layers conv2d and conv2dTranspose', async () => {
    const run = () => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2dTranspose({
            inputShape: [4, 4, 3],
            filters: 4,
            kernelSize: 4,
            strides: 2,
            padding: 'same',
            kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          }),
          tf.layers.leakyReLU({ alpha: 0.2 }),
          tf.layers.conv2d({
            filters: 2,
            kernelSize: 3,
            strides: 2,
            padding: 'same',
            kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
          }),
        ],
      })
      const x = tf.tensor4d(randomValues(2 * 4 * 4 * 3, 5), [2, 4, 4, 3])
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar)
      const out = model.trainableWeights
        .map((w) => grads[(w.read() as tf.Variable).name]!)
        .map((g) => ({ shape: g.shape, values: g.dataSync() as Float32Array }))
      tf.dispose([value, x, ...Object.values(grads)])
      model.dispose()
      return out
    }
    const expected = await on('cpu', run)
    const actual = await on('wasm', run)
    expect(actual).toHaveLength(4)
    expected.forEach((e, i) => expectClose(actual[i]!, e, `layer weight ${i}`))
  })
})

describe('wasm conv kernels do not leak', () => {
  it('keeps the tensor count and the wasm data count flat across repeated calls', async () => {
    await tf.setBackend('wasm')
    const backend = tf.backend() as tf.KernelBackend
    const x = tf.tensor4d(randomValues(2 * 9 * 7 * 3, 1), [2, 9, 7, 3])
    const w = tf.tensor4d(randomValues(4 * 3 * 3 * 5, 2), [4, 3, 3, 5])
    const step = () =>
      tf.tidy(() => {
        const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) => {
          const y = tf.conv2d(xx, ww, [2, 3], 'same') // cropping geometry in dx
          const z = tf.conv2dTranspose(y, ww, [2, 9, 7, 3], [2, 3], 'same')
          const v = tf.conv2d(xx, ww, 1, [
            [0, 0],
            [0, 3],
            [2, 0],
            [0, 0],
          ])
          return tf.add(tf.sum(tf.square(z)), tf.sum(v))
        }
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor4D, b as tf.Tensor4D))([x, w])
        return tf.add(tf.sum(gx!), tf.sum(gw!))
      })
    step().dispose() // warm-up
    const tensors = tf.memory().numTensors
    const dataIds = backend.numDataIds()
    for (let i = 0; i < 5; i++) step().dispose()
    expect(tf.memory().numTensors).toBe(tensors)
    expect(backend.numDataIds()).toBe(dataIds)
    tf.dispose([x, w])
  })
})
