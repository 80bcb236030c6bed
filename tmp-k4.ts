import { nativeBlas } from './src-main/training/native-blas'
const blas = nativeBlas(2).blas!
const time = (name: string, flops: number, f: () => void) => { for (let i = 0; i < 2; i++) f(); let best = 1e9; for (let i = 0; i < 8; i++) { const t1 = performance.now(); f(); best = Math.min(best, performance.now() - t1) } console.log(name, best.toFixed(1), 'ms', (flops / best / 1e6).toFixed(1), 'GFLOP/s') }
const r = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5)
{ const x = r(64 * 14 * 14 * 128), w = r(9 * 128 * 128), y = new Float32Array(64 * 14 * 14 * 128)
time('conv 14 128->128', 2 * 64 * 196 * 1152 * 128, () => blas.conv2d(x, w, y, 64, 14, 14, 128, 3, 3, 128, 14, 14, 1, 1, 1, 1, null, false)) }
{ const dy = r(64 * 14 * 14 * 128), w = r(16 * 128 * 128), dx = new Float32Array(64 * 28 * 28 * 128)
time('convT 14->28 4x4', 2 * 64 * 196 * 2048 * 128, () => blas.conv2dBackpropInput(dx, w, dy, 64, 28, 28, 128, 4, 4, 128, 14, 14, 2, 2, 1, 1)) }
{ const x = r(64 * 28 * 28 * 128), w = r(16 * 128 * 128), y = new Float32Array(64 * 14 * 14 * 128)
time('conv 28->14 4x4 s2', 2 * 64 * 196 * 2048 * 128, () => blas.conv2d(x, w, y, 64, 28, 28, 128, 4, 4, 128, 14, 14, 2, 2, 1, 1, null, false)) }
