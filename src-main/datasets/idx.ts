/**
 * IDX files, the MNIST format: two zero bytes, a dtype byte, a rank byte, one big-endian int32 per
 * dimension, then the row-major data. Only unsigned bytes (dtype 0x08) occur in (Fashion-)MNIST,
 * so only they are read. Files may be gzip-compressed (as distributed); validation is strict
 * because a truncated download would otherwise train silently on garbage.
 */
import zlib from 'node:zlib'
import { Gunzip } from 'fflate'
import { DatasetError } from './dataset-error'
import { MAX_IDX_BYTES, readDatasetFile } from './limits'
import { formatBytes } from '../util/regular-file'

export { DatasetError } from './dataset-error'

export interface IdxArray {
  /** e.g. [N] for labels, [N, H, W] for images. */
  dims: number[]
  /** A view into the decoded file (no copy), dims.reduce(×) bytes long. */
  data: Uint8Array
}

const DTYPES: Record<number, string> = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b

interface IdxHeader {
  dims: number[]
  headerBytes: number
  /** Header plus data: the exact size of a valid file. */
  totalBytes: number
}

/** Checks the header (which may be all `bytes` holds); `file` only names the source in errors. */
function parseIdxHeader(bytes: Uint8Array, file: string, rank?: number): IdxHeader {
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
    fail(
      `expected ${rank === 1 ? 'a labels file (magic 0x00000801, 1 dimension)' : `${rank} dimensions (magic 0x0000080${rank})`}, got ${ndims} dimension(s)`,
    )
  }
  const headerBytes = 4 + 4 * ndims
  if (bytes.length < headerBytes)
    fail(`truncated header: ${ndims} dimensions need ${headerBytes} header bytes, the file has ${bytes.length}`)

  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes)
  const dims: number[] = []
  for (let d = 0; d < ndims; d++) {
    const size = view.getInt32(4 + 4 * d, false)
    if (size <= 0) fail(`dimension ${d} has size ${size}; every dimension must be at least 1`)
    dims.push(size)
  }
  const expected = dims.reduce((a, b) => a * b, 1)
  if (headerBytes + expected > MAX_IDX_BYTES)
    fail(
      `its header declares ${dims.join('×')} = ${expected.toLocaleString('en-US')} bytes of data, over the ${formatBytes(MAX_IDX_BYTES)} limit for an IDX file`,
    )
  return { dims, headerBytes, totalBytes: headerBytes + expected }
}

/** Parses IDX bytes; `file` only names the source in errors. */
export function parseIdx(bytes: Uint8Array, file: string, rank?: number): IdxArray {
  const { dims, headerBytes, totalBytes } = parseIdxHeader(bytes, file, rank)
  const expected = totalBytes - headerBytes
  const actual = bytes.length - headerBytes
  const shape = dims.join('×')
  if (actual < expected)
    throw new DatasetError(`${file}: truncated data: dimensions ${shape} need ${expected} bytes after the header, the file has ${actual}`)
  if (actual > expected)
    throw new DatasetError(`${file}: ${actual - expected} unexpected trailing bytes after the ${expected} bytes of ${shape} data`)
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, expected) }
}

/** The largest IDX header: 4 bytes and 255 dimensions of 4. */
const MAX_HEADER_BYTES = 4 + 4 * 255

/**
 * The first bytes of a gzip stream's content (up to a whole IDX header), inflating the input a
 * kilobyte at a time and stopping there: a few kilobytes of output at most, whatever the stream.
 */
function gzipHead(raw: Uint8Array): Uint8Array {
  const out: Uint8Array[] = []
  let n = 0
  const g = new Gunzip((chunk) => {
    out.push(chunk)
    n += chunk.length
  })
  for (let at = 0; at < raw.length && n < MAX_HEADER_BYTES; at += 1024) g.push(raw.subarray(at, at + 1024), at + 1024 >= raw.length)
  return Buffer.concat(out).subarray(0, MAX_HEADER_BYTES)
}

/**
 * Inflates a gzipped IDX file no further than its header allows: the header is read first, and
 * inflation stops at the size it declares (a gzip bomb is refused once it passes that, never at
 * gigabytes); a header declaring more than the IDX limit is refused before any inflating.
 */
function gunzipIdx(raw: Uint8Array, file: string, rank?: number): Uint8Array {
  let head: Uint8Array
  try {
    head = gzipHead(raw)
  } catch (e) {
    throw new DatasetError(`${file}: corrupt gzip data (${e instanceof Error ? e.message : String(e)})`)
  }
  if (head.length === 0) {
    // An empty member inflates to nothing; anything else that gave no byte is corrupt.
    try {
      if (zlib.gunzipSync(raw, { maxOutputLength: 1 }).length === 0)
        throw new DatasetError(`${file}: the gzip data decompresses to 0 bytes`)
    } catch (e) {
      if (e instanceof DatasetError) throw e
      throw new DatasetError(`${file}: corrupt gzip data (${e instanceof Error ? e.message : String(e)})`)
    }
  }
  const { totalBytes } = parseIdxHeader(head, file, rank)
  try {
    return zlib.gunzipSync(raw, { maxOutputLength: totalBytes })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DatasetError(
        `${file}: decompresses to more than the ${totalBytes.toLocaleString('en-US')} bytes its header declares (inflation stopped there)`,
      )
    }
    throw new DatasetError(`${file}: corrupt gzip data (${e instanceof Error ? e.message : String(e)})`)
  }
}

/** Reads an IDX file, raw or gzip-compressed (detected by its magic bytes, not its name). */
export function readIdxFile(file: string, rank?: number): IdxArray {
  const raw = readDatasetFile(file, MAX_IDX_BYTES, 'the IDX size cap')
  return parseIdx(isGzip(raw) ? gunzipIdx(raw, file, rank) : raw, file, rank)
}
