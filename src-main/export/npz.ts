/**
 * A model's weights as NumPy's .npz (a zip of .npy arrays, one per weight, keyed by the tfjs weight
 * name such as `g03_dense/kernel`): what `np.load` reads in Python with nothing else installed.
 * Written from the exported weightSpecs + weights.bin, so it holds exactly the exported values.
 */
import { zipSync } from 'fflate'
import type * as tf from '@tensorflow/tfjs'

const NPY_DTYPES: Partial<Record<string, { descr: string; bytes: number }>> = {
  float32: { descr: '<f4', bytes: 4 },
  int32: { descr: '<i4', bytes: 4 },
}

/** One .npy file (format 1.0): magic, header length, a Python-dict header padded to 64 bytes, data. */
export function npyBytes(dtype: string, shape: readonly number[], data: Uint8Array): Uint8Array {
  const kind = NPY_DTYPES[dtype]
  if (!kind) throw new Error(`cannot write ${dtype} weights to .npy`)
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ')
  let header = `{'descr': '${kind.descr}', 'fortran_order': False, 'shape': (${dims}), }`
  const unpadded = 10 + header.length + 1
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + header.length + data.byteLength)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0) // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i)
  out.set(data, 10 + header.length)
  return out
}

/** Little-endian weights.bin, laid out in weightSpecs order (as tfjs writes it), as one .npz. */
export function weightsToNpz(specs: readonly tf.io.WeightsManifestEntry[], weights: Uint8Array): Uint8Array {
  const entries: Record<string, [Uint8Array, { level: 0 }]> = {}
  let offset = 0
  for (const spec of specs) {
    const kind = NPY_DTYPES[spec.dtype]
    if (!kind) throw new Error(`weight ${spec.name}: cannot write ${spec.dtype} to .npy`)
    const length = spec.shape.reduce((a, b) => a * b, 1) * kind.bytes
    if (offset + length > weights.byteLength) throw new Error(`weights file is shorter than its manifest (at ${spec.name})`)
    entries[`${spec.name}.npy`] = [npyBytes(spec.dtype, spec.shape, weights.subarray(offset, offset + length)), { level: 0 }]
    offset += length
  }
  return zipSync(entries)
}
