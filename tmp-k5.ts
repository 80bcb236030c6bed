import { nativeBlas } from './src-main/training/native-blas'
const blas = nativeBlas(Number(process.env.T)).blas!
const r = (n: number) => Float32Array.from({ length: n }, () => Math.random() - 0.5)
for (const [m, n, k] of [[256, 128, 2], [256, 128, 128], [256, 256, 256], [64, 256, 100], [64, 512, 512], [512, 512, 512], [64, 1024, 1024], [256, 1024, 784]]) {
  const a = r(m * k), b = r(k * n), c = new Float32Array(m * n)
  for (let i = 0; i < 20; i++) blas.gemm(a, b, c, 1, m, n, k, 0, 0, 0, 0, null, false)
  let best = 1e9
  for (let rep = 0; rep < 5; rep++) { const t = performance.now(); for (let i = 0; i < 20; i++) blas.gemm(a, b, c, 1, m, n, k, 0, 0, 0, 0, null, false); best = Math.min(best, (performance.now() - t) / 20) }
  console.log(`T=${process.env.T} ${m}x${n}x${k} mnk=${(m * n * k / 1e6).toFixed(2)}M ${(best * 1000).toFixed(1)} us`)
}
