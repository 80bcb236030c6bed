/**
 * Reads NumPy .npy arrays (format versions 1–3, C order): what a Python program's samples come
 * as (`np.save`). Little-endian float32, float64 and uint8 data; every problem names the file.
 */
import fs from 'node:fs'
import { DatasetError } from './idx'

export interface NpyArray {
  shape: number[]
  dtype: 'float32' | 'float64' | 'uint8' | 'int32' | 'int64'
  /** int64 is read into a Float64Array (exact up to 2⁵³). */
  data: Float32Array | Float64Array | Uint8Array | Int32Array
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY
const DTYPES: Record<string, NpyArray['dtype']> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '<i4': 'int32',
  '<i8': 'int64',
}
const ITEM_BYTES: Record<NpyArray['dtype'], number> = { float32: 4, float64: 8, uint8: 1, int32: 4, int64: 8 }

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const fail = (problem: string): never => {
    throw new DatasetError(`${file}: ${problem}`)
  }
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a NumPy .npy file (no \\x93NUMPY magic)')
  const major = bytes[6]!
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${bytes[7]}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  const headerLength = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : fail('truncated header')
  const start = major === 1 ? 10 : 12
  if (start + headerLength > bytes.length) fail('truncated header')
  const header = Buffer.from(bytes.subarray(start, start + headerLength)).toString(major === 3 ? 'utf8' : 'latin1')
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1]
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    fail('unreadable header (expected descr, fortran_order and shape)')
  if (fortran === 'True') fail('Fortran-ordered arrays are not supported: save with np.ascontiguousarray(x)')
  const dtype = DTYPES[descr!] ?? fail(`unsupported data type ${descr} (use float32, float64 or uint8; labels int32 or int64)`)
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number)
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`bad shape (${shapeText})`)
  const count = shape.reduce((a, b) => a * b, 1)
  const itemBytes = ITEM_BYTES[dtype]
  const offset = start + headerLength
  const expected = count * itemBytes
  if (bytes.length - offset < expected)
    fail(`truncated data: shape (${shape.join(', ')}) needs ${expected} bytes, the file has ${bytes.length - offset}`)
  // Copy into a buffer of its own, aligned (the data's offset in the file need not be a multiple
  // of 8; a Node Buffer's slice would share, and start inside, the file's pooled memory).
  const raw = new Uint8Array(expected)
  raw.set(bytes.subarray(offset, offset + expected))
  const data =
    dtype === 'float64'
      ? new Float64Array(raw.buffer)
      : dtype === 'float32'
        ? new Float32Array(raw.buffer)
        : dtype === 'int32'
          ? new Int32Array(raw.buffer)
          : dtype === 'int64'
            ? Float64Array.from(new BigInt64Array(raw.buffer), Number)
            : raw
  return { shape, dtype, data }
}

export function readNpyFile(file: string): NpyArray {
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (e) {
    const code = (e as { code?: string }).code
    throw new DatasetError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${code ?? String(e)})`)
  }
  return parseNpy(bytes, file)
}
