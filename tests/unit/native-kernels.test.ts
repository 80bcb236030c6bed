/**
 * The wasm backend's matrix products and convolutions on native BLAS
 * (src-main/training/wasm-native-kernels.ts, src-main/native/gwb_native.c): on many small shapes,
 * both convolution lowerings (input and output columns), every padding and stride, fused bias and
 * ReLU, transposed and batched products, values and gradients match tfjs' pure-JS cpu backend.
 * Skipped, saying why, where the addon was not built or no optimised BLAS is installed.
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../src-main/training/backend'
import { nativeBlas } from '../../src-main/training/native-blas'
import { wasmThreadCount } from '../../src-main/training/wasm-threads'
import { registerWasmConvKernels } from '../../src-main/training/wasm-kernels'
import { registerWasmMatMulKernels } from '../../src-main/training/wasm-matmul'
import { registerWasmIdentity } from '../../src-main/training/wasm-identity'
import { registerWasmNativeKernels } from '../../src-main/training/wasm-native-kernels'
import { FusedAdamOptimizer } from '../../src-main/training/fused-adam'
import { globalNorm } from '../../src-main/training/optimizers'
import { requireNativeOrSkip } from '../helpers/native-variant'

process.env.GWB_WASM_THREADS = '2'
const status = nativeBlas(wasmThreadCount())
const skip = requireNativeOrSkip(status, 'native-kernels.test')

const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed)

/** Runs `f` on wasm and on cpu; every output must agree to float32 rounding of the sums. */
async function agree(label: string, f: () => tf.Tensor[]): Promise<void> {
  await tf.setBackend('wasm')
  const before = tf.memory().numTensors
  const onWasm = tf.tidy(f).map((t) => {
    const v = t.dataSync().slice()
    t.dispose()
    return v
  })
  expect(tf.memory().numTensors, `${label}: tensors leaked`).toBe(before)
  await tf.setBackend('cpu')
  const onCpu = tf.tidy(f).map((t) => {
    const v = t.dataSync().slice()
    t.dispose()
    return v
  })
  for (let i = 0; i < onCpu.length; i++) {
    const ref = onCpu[i]!
    expect(onWasm[i]!.length, `${label} output ${i}`).toBe(ref.length)
    const got = onWasm[i]!
    // NaN and infinities must come out exactly where the reference has them.
    const special = Array.from(ref.keys()).filter((j) => !Number.isFinite(ref[j]!))
    expect(
      special.map((j) => got[j]),
      `${label} output ${i}: non-finite values`,
    ).toEqual(special.map((j) => ref[j]))
    let scale = 1e-3
    let worst = 0
    for (let j = 0; j < ref.length; j++) {
      if (!Number.isFinite(ref[j]!)) continue
      scale = Math.max(scale, Math.abs(ref[j]!))
      worst = Math.max(worst, Math.abs(ref[j]! - got[j]!))
    }
    expect(worst / scale, `${label} output ${i}`).toBeLessThan(2e-5)
  }
}

interface ConvCase {
  x: number[]
  f: number[]
  s: number
  pad: 'same' | 'valid' | number
}
const CONV_CASES: ConvCase[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 5], s: 1, pad: 'same' },
  { x: [3, 9, 7, 4], f: [3, 3, 4, 6], s: 2, pad: 'same' },
  { x: [2, 10, 10, 6], f: [4, 4, 6, 3], s: 2, pad: 'valid' },
  { x: [2, 7, 7, 16], f: [7, 7, 16, 1], s: 1, pad: 'same' }, // output columns (few output channels)
  { x: [2, 12, 12, 32], f: [5, 5, 32, 2], s: 2, pad: 'same' }, // output columns with a stride
  { x: [2, 6, 6, 5], f: [1, 1, 5, 4], s: 1, pad: 'valid' }, // pointwise: no columns at all
  { x: [1, 5, 6, 2], f: [2, 3, 2, 3], s: 1, pad: 1 },
  { x: [2, 11, 11, 1], f: [5, 5, 1, 8], s: 3, pad: 'same' },
  // Columns over 2^18 floats: several blocks, crossing image boundaries, split between the team of threads.
  { x: [3, 24, 24, 8], f: [7, 7, 8, 8], s: 1, pad: 'same' },
  { x: [9, 40, 40, 4], f: [5, 5, 4, 6], s: 2, pad: 'same' },
  // Winograd F(2×2, 3×3): odd sizes (tiles past the edge), 'valid' (input gradient padded 2), explicit padding, several blocks.
  { x: [2, 9, 11, 64], f: [3, 3, 64, 72], s: 1, pad: 'same' },
  { x: [2, 11, 10, 65], f: [3, 3, 65, 64], s: 1, pad: 'valid' },
  { x: [1, 10, 9, 64], f: [3, 3, 64, 64], s: 1, pad: 2 },
]

describe.skipIf(skip)('native BLAS kernels on the wasm backend', () => {
  beforeAll(async () => {
    const selected = await selectBackend('wasm', { convolutional: true })
    // The BLAS gets the threads; WebAssembly, left with element-wise ops, keeps one.
    expect(selected.reason).toMatch(
      /matrix products and convolutions on native BLAS \(.+, 2 threads\), the other ops in WebAssembly \(1 thread\)/,
    )
    expect('PThread' in (tf.backend() as unknown as { wasm: object }).wasm).toBe(false)
  })
  afterAll(async () => {
    await tf.setBackend('wasm')
  })

  it('registering any layer again leaves the kernels as they are (a layer never wraps itself)', () => {
    const names = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul', '_FusedMatMul', 'Identity', 'Sum']
    const before = names.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc)
    registerWasmNativeKernels(status.blas!)
    registerWasmConvKernels()
    registerWasmMatMulKernels()
    registerWasmIdentity()
    expect(names.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc)).toEqual(before)
  })

  it.each(CONV_CASES)('conv2d x=$x f=$f stride $s pad $pad: values and both gradients', async ({ x, f, s, pad }) => {
    await agree(`conv ${x} ${f}`, () => {
      const xs = rand(x, 1) as tf.Tensor4D
      const w = rand(f, 2) as tf.Tensor4D
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))))
      return [tf.conv2d(xs, w, s, pad), ...g([xs, w])]
    })
  })

  it('Winograd over several blocks of tiles, split between threads: as a sum of 9 shifted products', async () => {
    // The cpu backend takes ~15 s for a batch this size, so the reference is built from other kernels on the same backend.
    await tf.setBackend('wasm')
    // 9 × 16 × 16 tiles: two threads, each with two full blocks of 512 tiles and part of a third.
    const x = rand([9, 32, 32, 64], 38) as tf.Tensor4D
    const w = rand([3, 3, 64, 64], 39) as tf.Tensor4D
    const dy = rand([9, 32, 32, 64], 40)
    const taps = (a: tf.Tensor4D, f: tf.Tensor4D) => {
      const padded = tf.pad(a, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ])
      const terms = []
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const shifted = tf.reshape(tf.slice(padded, [0, i, j, 0], [9, 32, 32, 64]), [-1, 64])
          terms.push(tf.matMul(shifted, tf.reshape(tf.slice(f, [i, j, 0, 0], [1, 1, 64, 64]), [64, 64])))
        }
      }
      return tf.reshape(tf.addN(terms), [9, 32, 32, 64])
    }
    const loss = (conv: (a: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor) => (a: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.mul(conv(a as tf.Tensor4D, f as tf.Tensor4D), dy))
    const ours = tf.tidy(() =>
      [tf.conv2d(x, w, 1, 'same'), ...tf.grads(loss((a, f) => tf.conv2d(a, f, 1, 'same')))([x, w])].map((t) => t.dataSync().slice()),
    )
    const reference = tf.tidy(() => [taps(x, w), ...tf.grads(loss(taps))([x, w])].map((t) => t.dataSync().slice()))
    for (let i = 0; i < 3; i++) {
      let scale = 1e-3
      let worst = 0
      for (let j = 0; j < reference[i]!.length; j++) {
        scale = Math.max(scale, Math.abs(reference[i]![j]!))
        worst = Math.max(worst, Math.abs(reference[i]![j]! - ours[i]![j]!))
      }
      expect(worst / scale, `output ${i}`).toBeLessThan(2e-5)
    }
    tf.dispose([x, w, dy])
  })

  it('convolutions on one BLAS thread: chunks of a lone thread, several per batch', async () => {
    status.blas!.setThreads(1)
    try {
      await agree('conv, one thread', () => {
        const xs = rand([3, 32, 32, 8], 21) as tf.Tensor4D
        const w = rand([7, 7, 8, 8], 22) as tf.Tensor4D
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))
        return [tf.conv2d(xs, w, 1, 'same'), ...g([xs, w])]
      })
    } finally {
      status.blas!.setThreads(status.threads)
    }
  })

  it.each(CONV_CASES.filter((c) => typeof c.pad === 'string'))(
    'conv2dTranspose from x=$x with f=$f stride $s',
    async ({ x, f, s, pad }) => {
      await agree(`convT ${x} ${f}`, () => {
        const out = tf.conv2d(rand(x, 3) as tf.Tensor4D, rand(f, 4) as tf.Tensor4D, s, pad)
        const dy = rand(out.shape, 5) as tf.Tensor4D
        return [tf.conv2dTranspose(dy, rand(f, 4) as tf.Tensor4D, x as [number, number, number, number], s, pad as 'same')]
      })
    },
  )

  it('fused conv2d with bias and ReLU, and its gradients', async () => {
    await agree('fused conv', () => {
      const xs = rand([2, 9, 9, 3], 6) as tf.Tensor4D
      const w = rand([3, 3, 3, 7], 7) as tf.Tensor4D
      const b = rand([7], 8)
      const g = tf.grads((a: tf.Tensor, k: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: k as tf.Tensor4D, strides: 2, pad: 'same', bias: c, activation: 'relu' })),
      )
      return [tf.fused.conv2d({ x: xs, filter: w, strides: 2, pad: 'same', bias: b, activation: 'relu' }), ...g([xs, w, b])]
    })
  })

  it('LeakyReLU and its gradient (Greater, Select), NaN and infinities kept where they were', async () => {
    await agree('leaky', () => {
      const x = tf.concat([rand([1000], 17), tf.tensor1d([NaN, Infinity, -Infinity, 0, -0])])
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), rand([1005], 18))))
      return [
        tf.leakyRelu(x, 0.2),
        grad(x),
        tf.cast(tf.greater(x, tf.scalar(0.1)), 'float32'),
        tf.cast(tf.greater(tf.scalar(0.1), x), 'float32'),
        tf.cast(tf.greater(x, tf.reverse(x)), 'float32'),
      ]
    })
  })

  it('sums over leading axes, trailing axes, all axes, with and without keepDims', async () => {
    await agree('sum', () => {
      const x = rand([4, 5, 6, 7], 19)
      return [
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [0]),
        tf.sum(x, [3]),
        tf.sum(x, [2, 3], true),
        tf.sum(x),
        tf.sum(x, [0, 1, 2], true),
        tf.sum(x, [1, 2]),
        tf.sum(x, -1),
      ]
    })
  })

  it.each([
    [false, false],
    [true, false],
    [false, true],
  ])(
    'nearest-neighbour resizing (alignCorners %s, halfPixelCenters %s): values; the gradient is its exact adjoint',
    async (alignCorners, halfPixelCenters) => {
      const x = rand([2, 5, 4, 3], 20)
      const sizes: Array<[number, number]> = [
        [10, 11],
        [8, 9],
        [7, 4],
        [3, 2],
      ]
      await agree('resize', () =>
        sizes.map((size) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size, alignCorners, halfPixelCenters)),
      )
      // ⟨resize(x), g⟩ = ⟨x, gradient(g)⟩. (tfjs' cpu gradient is not this adjoint for ratios that are
      // not whole numbers, so it cannot be the reference; the stock wasm kernel's is, as ours.)
      await tf.setBackend('wasm')
      for (const size of sizes) {
        const g = rand([2, ...size, 3], 21)
        const f = (v: tf.Tensor) =>
          tf.sum(tf.mul(tf.image.resizeNearestNeighbor(v as tf.Tensor4D, size, alignCorners, halfPixelCenters), g))
        const lhs = f(x).dataSync()[0]!
        const rhs = tf.sum(tf.mul(x, tf.grad(f)(x))).dataSync()[0]!
        expect(Math.abs(lhs - rhs), `size ${size}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)))
      }
    },
  )

  // One image: tfjs' own cpu gradient (4.22) is wrong for a batch of several (it offsets dy by the
  // image's batch stride; the app replaces it, cpu-resize-grad.ts); the adjoint test above covers batches.
  it('UpSampling2D (×2) of one image: gradient as the cpu backend computes it', async () => {
    await agree('upsample', () => {
      const x = rand([1, 7, 6, 5], 22)
      return [
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(v as tf.Tensor4D, [14, 12]), rand([1, 14, 12, 5], 23))))(x),
      ]
    })
  })

  it.each([
    { x: [2, 8, 8, 3], size: 2, stride: 2, pad: 'valid' as const },
    { x: [2, 9, 7, 4], size: 3, stride: 2, pad: 'same' as const },
    { x: [1, 6, 6, 2], size: 3, stride: 1, pad: 'same' as const },
  ])(
    'max pooling x=$x size $size stride $stride $pad, and its gradient (ties go to the first maximum)',
    async ({ x, size, stride, pad }) => {
      await agree('maxpool', () => {
        // Rounded values make ties, so which maximum gets the gradient is tested too.
        const v = tf.round(tf.mul(rand(x, 24), 3))
        const g = tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, size, stride, pad), rand(tf.maxPool(v as tf.Tensor4D, size, stride, pad).shape, 25))),
        )
        return [tf.maxPool(v as tf.Tensor4D, size, stride, pad), g(v)]
      })
    },
  )

  it('fused Adam: what tfjs AdamOptimizer computes, step for step, with the same slot variables', async () => {
    await tf.setBackend('wasm')
    const start = [rand([7, 5], 26), rand([5], 27)]
    const make = (prefix: string) => start.map((t, i) => tf.variable(t.clone(), true, `${prefix}${i}`))
    const fusedVars = make('fused/w')
    const stockVars = make('stock/w')
    const fused = new FusedAdamOptimizer(0.01, 0.5, 0.999)
    const stock = tf.train.adam(0.01, 0.5, 0.999)
    let afterFirst = 0
    for (let step = 0; step < 5; step++) {
      const grads = start.map((t, i) => rand(t.shape, 100 + 10 * step + i))
      fused.applyGradients(fusedVars.map((v, i) => ({ name: v.name, tensor: grads[i]! })))
      stock.applyGradients(stockVars.map((v, i) => ({ name: v.name, tensor: grads[i]! })))
      tf.dispose(grads)
      // The first step creates the moment slots; after it, the tensor count stays flat.
      if (step === 0) afterFirst = tf.memory().numTensors
      else expect(tf.memory().numTensors, 'tensors leaked').toBe(afterFirst)
    }
    for (let i = 0; i < start.length; i++) {
      const a = fusedVars[i]!.dataSync()
      const b = stockVars[i]!.dataSync()
      expect(Math.max(...Array.from(a, (x, j) => Math.abs(x - b[j]!)))).toBeLessThan(1e-6)
      expect(Array.from(a)).not.toEqual(Array.from(start[i]!.dataSync())) // it did move
    }
    const names = (await fused.getWeights()).map((w) => w.name.replace('fused/', ''))
    expect(names).toEqual((await stock.getWeights()).map((w) => w.name.replace('stock/', '')))
    expect(fused.iterations).toBe(5)
  })

  it('element-wise kernels over 2^19 values and more, split between threads', async () => {
    await agree('large element-wise', () => {
      const x = rand([600_000], 32)
      const dy = rand([600_000], 33)
      const leakyGrad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), dy)))
      return [
        tf.leakyRelu(x, 0.2),
        leakyGrad(x),
        tf.cast(tf.greater(x, tf.scalar(0.1)), 'float32'),
        tf.cast(tf.greater(tf.scalar(0.1), x), 'float32'),
        tf.cast(tf.greater(x, dy), 'float32'),
      ]
    })
    // One image: the cpu gradient is the reference only for a batch of one (see the resizing tests above).
    await agree('large resize', () => {
      const x = rand([1, 128, 128, 32], 34) as tf.Tensor4D
      const g = rand([1, 256, 256, 32], 35)
      return [
        tf.image.resizeNearestNeighbor(x, [256, 256]),
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(v as tf.Tensor4D, [256, 256]), g)))(x),
      ]
    })
    await tf.setBackend('wasm')
    const start = rand([800, 700], 36)
    const [fusedVar, stockVar] = ['fused/big', 'stock/big'].map((name) => tf.variable(start.clone(), true, name))
    const fused = new FusedAdamOptimizer(0.01, 0.5, 0.999)
    const stock = tf.train.adam(0.01, 0.5, 0.999)
    for (let step = 0; step < 2; step++) {
      const grad = rand([800, 700], 37 + step)
      fused.applyGradients([{ name: fusedVar!.name, tensor: grad }])
      stock.applyGradients([{ name: stockVar!.name, tensor: grad }])
      grad.dispose()
    }
    const [a, b] = [fusedVar!.dataSync(), stockVar!.dataSync()]
    let worst = 0
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!))
    expect(worst).toBeLessThan(1e-6)
    tf.dispose([start, fusedVar!, stockVar!])
    fused.dispose()
    stock.dispose()
  })

  it('the global norm of many gradients in one kernel', async () => {
    await agree('global norm', () => {
      const grads = { a: rand([7, 5], 28), b: rand([5], 29), c: rand([3, 3, 2, 4], 30) }
      return [globalNorm(grads), globalNorm({ only: rand([1], 31) })]
    })
  })

  it('matrix products: transposes, batches, broadcasting, fused bias and ReLU, an empty inner dimension', async () => {
    await agree('matmul', () => {
      const a = rand([5, 7], 9)
      const b = rand([7, 3], 10)
      return [
        tf.matMul(a, b),
        tf.matMul(tf.transpose(a), b, true, false),
        tf.matMul(a, tf.transpose(b), false, true),
        tf.matMul(tf.transpose(a), tf.transpose(b), true, true),
        tf.matMul(rand([4, 5, 7], 11), rand([4, 7, 3], 12)),
        tf.matMul(rand([4, 5, 7], 13), b),
        tf.matMul(a, rand([4, 7, 3], 14)),
        tf.fused.matMul({ a, b, bias: rand([3], 15), activation: 'relu' }),
        tf.fused.matMul({ a, b, bias: rand([3], 16), activation: 'elu' }), // not native: the wasm kernel's
        tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2])),
        ...tf.grads((p: tf.Tensor, q: tf.Tensor) =>
          tf.sum(tf.fused.matMul({ a: p as tf.Tensor2D, b: q as tf.Tensor2D, bias: tf.ones([3]), activation: 'relu' })),
        )([a, b]),
      ]
    })
  })
})
