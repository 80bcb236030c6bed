/**
 * IDX files, the MNIST format: two zero bytes, a dtype byte, a rank byte, one big-endian int32 per
 * dimension, then the row-major data. Only unsigned bytes (dtype 0x08) occur in (Fashion-)MNIST,
 * so only they are read. Files may be gzip-compressed (as distributed); validation is strict
 * because a truncated download would otherwise train silently on garbage.
 */
import fs from 'node:fs'
import zlib from 'node:zlib'

export class DatasetError extends Error {
  override name = 'DatasetError'
}

export interface IdxArray {
  /** e.g. [N] for labels, [N, H, W] for images. */
  dims: number[]
  /** A view into the decoded file (no copy), dims.reduce(×) bytes long. */
  data: Uint8Array
}

const DTYPES: Record<number, string> = {
  0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b

/** Parses IDX bytes; `file` only names the source in errors. */
export function parseIdx(bytes: Uint8Array, file: string, rank?: number): IdxArray {
  const fail = (problem: string): never => {
    throw new DatasetError(`${file}: ${problem}`)
  }
  if (bytes.length === 0) fail('the file is empty (0 bytes)')
  if (bytes.length < 4) fail(`the file is only ${bytes.length} bytes, too short for an IDX header`)
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Buffer.from(bytes.subarray(0, 4)).toString('hex')
    fail(`not an IDX file (magic 0x${magic}; expected 0x00000801 for labels or 0x00000803 for images)`)
  }
  const dtype = bytes[2]!
  if (dtype !== 0x08) {
    const what = DTYPES[dtype] ?? 'unknown'
    fail(`unsupported IDX data type 0x${dtype.toString(16).padStart(2, '0')} (${what}); only unsigned bytes (0x08) are supported`)
  }
  const ndims = bytes[3]!
  if (ndims === 0) fail('the IDX header declares 0 dimensions')
  if (rank !== undefined && ndims !== rank) {
    fail(`expected ${rank === 1 ? 'a labels file (magic 0x00000801, 1 dimension)' : `${rank} dimensions (magic 0x0000080${rank})`}, got ${ndims} dimension(s)`)
  }
  const headerBytes = 4 + 4 * ndims
  if (bytes.length < headerBytes) fail(`truncated header: ${ndims} dimensions need ${headerBytes} header bytes, the file has ${bytes.length}`)

  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes)
  const dims: number[] = []
  for (let d = 0; d < ndims; d++) {
    const size = view.getInt32(4 + 4 * d, false)
    if (size <= 0) fail(`dimension ${d} has size ${size}; every dimension must be at least 1`)
    dims.push(size)
  }
  const expected = dims.reduce((a, b) => a * b, 1)
  const actual = bytes.length - headerBytes
  const shape = dims.join('×')
  if (actual < expected) fail(`truncated data: dimensions ${shape} need ${expected} bytes after the header, the file has ${actual}`)
  if (actual > expected) fail(`${actual - expected} unexpected trailing bytes after the ${expected} bytes of ${shape} data`)
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, expected) }
}

/** Reads an IDX file, raw or gzip-compressed (detected by its magic bytes, not its name). */
export function readIdxFile(file: string, rank?: number): IdxArray {
  let raw: Buffer
  try {
    raw = fs.readFileSync(file)
  } catch (e) {
    const code = (e as { code?: string }).code
    throw new DatasetError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${code ?? String(e)})`)
  }
  let bytes: Uint8Array = raw
  if (isGzip(raw)) {
    try {
      bytes = zlib.gunzipSync(raw)
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e)
      throw new DatasetError(`${file}: corrupt gzip data (${reason})`)
    }
    if (bytes.length === 0) throw new DatasetError(`${file}: the gzip data decompresses to 0 bytes`)
  }
  return parseIdx(bytes, file, rank)
}
