import { nativeBlas } from './src-main/training/native-blas'
const blas = nativeBlas(Number(process.env.T ?? 2)).blas!
const time = (name: string, flops: number, f: () => void) => { for (let i = 0; i < 2; i++) f(); const t = performance.now(); let best = 1e9; for (let i = 0; i < 8; i++) { const t1 = performance.now(); f(); best = Math.min(best, performance.now() - t1) } const ms = best; console.log(name, ms.toFixed(1), 'ms', (flops / ms / 1e6).toFixed(1), 'GFLOP/s') }
const r = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5)
const M = 50176, N = 64, K = 1152
const x = r(64 * 28 * 28 * 128), w = r(9 * 128 * 64), y = new Float32Array(64 * 28 * 28 * 64)
time('conv 28x28 128->64', 2 * M * N * K, () => blas.conv2d(x, w, y, 64, 28, 28, 128, 3, 3, 64, 28, 28, 1, 1, 1, 1, null, false))
const dy = r(64 * 28 * 28 * 64), dx = new Float32Array(64 * 28 * 28 * 128), dw = new Float32Array(9 * 128 * 64)
time('bi', 2 * M * N * K, () => blas.conv2dBackpropInput(dx, w, dy, 64, 28, 28, 128, 3, 3, 64, 28, 28, 1, 1, 1, 1))
time('bf', 2 * M * N * K, () => blas.conv2dBackpropFilter(x, dw, dy, 64, 28, 28, 128, 3, 3, 64, 28, 28, 1, 1, 1, 1))
