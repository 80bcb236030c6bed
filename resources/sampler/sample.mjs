// Draws samples from the exported generator in this folder, with Node alone (no npm install):
//   node sample.mjs [--n 64] [--seed 0] [--label K] [--out samples.png|samples.json]
// The same seed gives the same samples as the sampler page and `gan-workbench sample --seed`.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const tf = require(path.join(here, 'tf.min.js'))

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []))
const n = Number(args.n ?? 64)
const seed = Number(args.seed ?? 0)
const out = args.out ?? 'samples.png'
if (!Number.isInteger(n) || n < 1 || n > 100000) throw new Error('--n must be a whole number from 1 to 100000')
if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a non-negative whole number')

const desc = JSON.parse(fs.readFileSync(path.join(here, 'generator.json'), 'utf8'))
const json = JSON.parse(fs.readFileSync(path.join(here, 'model.json'), 'utf8'))
const weights = fs.readFileSync(path.join(here, json.weightsManifest[0].paths[0]))
const model = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
  weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
}))

const inputs = desc.inputs.map((inp) => {
  if (inp.role === 'latent') {
    const dim = inp.shape[0]
    const z = inp.distribution === 'uniform' ? tf.randomUniform([n, dim], -1, 1, 'float32', seed) : tf.randomNormal([n, dim], 0, 1, 'float32', seed)
    return inp.spherical ? tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-8)) : z
  }
  if (inp.role === 'label') return tf.tensor2d(Array.from({ length: n }, (_, i) => (args.label !== undefined ? Number(args.label) : i % inp.classes)), [n, 1])
  if (inp.role === 'code') return tf.tensor2d(Array.from({ length: n }, (_, i) => [...Array.from({ length: inp.categorical }, (_, c) => (c === i % inp.categorical ? 1 : 0)), ...Array(inp.continuous).fill(0)]))
  throw new Error(`input "${inp.name}" (${inp.role}) needs images: this script draws from z only`)
})
const result = model.predict(inputs.length === 1 ? inputs[0] : inputs)
const values = Array.from(await result.data())

if (out.endsWith('.json')) {
  fs.writeFileSync(out, JSON.stringify({ seed, n, shape: desc.output.shape, range: desc.output.range, values }))
} else if (desc.output.kind === 'image') {
  fs.writeFileSync(out, gridPng(values, n, desc.output.shape[0], desc.output.shape[1]))
} else {
  throw new Error('points are written as JSON: use --out samples.json')
}
console.log(`${n} samples (seed ${seed}) written to ${out}`)

// A grey PNG grid of the samples (PNG written by hand: zlib and a CRC are all it needs).
function gridPng(v, count, h, w) {
  const cols = Math.ceil(Math.sqrt(count))
  const rows = Math.ceil(count / cols)
  const W = cols * (w + 1) + 1
  const H = rows * (h + 1) + 1
  const raw = Buffer.alloc((W + 1) * H)
  for (let k = 0; k < count; k++) {
    const ox = 1 + (k % cols) * (w + 1)
    const oy = 1 + Math.floor(k / cols) * (h + 1)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      raw[(oy + y) * (W + 1) + 1 + ox + x] = Math.max(0, Math.min(255, Math.round((v[k * h * w + y * w + x] + 1) * 127.5)))
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, c) => { for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0 })
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0 }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type), data])
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(body))
    return Buffer.concat([len, body, c])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(H, 4); ihdr[8] = 8; ihdr[9] = 0
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}
