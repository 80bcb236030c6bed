// Per-class share of confident (≥ 0.9) samples: which class misses the 2 % bar. Scratch, not committed.
import fs from 'node:fs'
import { scoreImages } from './src-main/metrics/image-scoring'
import { hostBackendOnce } from './src-main/training/backend'
const [file, dataset] = process.argv.slice(2)
const { images } = JSON.parse(fs.readFileSync(file!, 'utf8')) as { images: number[][] }
await hostBackendOnce()
const n = images.length
const s = await scoreImages(Float32Array.from(images.flat()), n, dataset as 'mnist')
const counts = new Array(10).fill(0)
for (let i = 0; i < n; i++) {
  let b = 0
  for (let c = 1; c < 10; c++) if (s!.probs[i * 10 + c]! > s!.probs[i * 10 + b]!) b = c
  if (s!.probs[i * 10 + b]! >= 0.9) counts[b]++
}
console.log(file, counts.map((c) => ((100 * c) / n).toFixed(1) + '%').join(' '))
