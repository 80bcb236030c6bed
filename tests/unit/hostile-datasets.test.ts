/**
 * Hostile dataset files and paths (issue 22), generated with fast-check: special files (devices,
 * FIFOs, sockets, directories, symlinks to them) where a CSV, IDX or image is expected, files over
 * the caps (sparse, so nothing is really written), gzip bombs, values that overflow float32 or are
 * NaN/Inf, PNGs that declare huge sizes, too many images, IDX images of a size no model reads,
 * and dataset paths sent by a remote browser. Each is refused with a DatasetError naming the file
 * (and the line, value or rule), before the bytes are read or inflated.
 */
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import zlib from 'node:zlib'
import { execFileSync, spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DatasetError, readIdxFile } from '../../src-main/datasets/idx'
import { parsePointsCsv, readPointsCsv } from '../../src-main/datasets/csv-points'
import { listFiles, loadImageFolder } from '../../src-main/datasets/image-folder'
import { loadMnistIdx } from '../../src-main/datasets/image-datasets'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { MAX_CSV_BYTES, MAX_FOLDER_IMAGES, MAX_IDX_BYTES, MAX_IMAGE_FILE_BYTES } from '../../src-main/datasets/limits'
import { createAppContext, type AppContext } from '../../src-main/app/context'
import type { TrainerChild } from '../../src-main/training/trainer-protocol'
import { requirePreset } from '../../src-shared/config/presets'
import { exposureWarnings } from '../../src-main/cli/commands/serve'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'

const SEED = Number(process.env.FUZZ_SEED ?? 20261124)
const runs = (n: number) => Math.min(Number(process.env.FUZZ_RUNS ?? n), 5 * n)
const ROOT = path.resolve(__dirname, '..', '..')

const tried = triedCounter('dataset files and folders')

let t: ReturnType<typeof tmpDir>
let fifo: string
let socketFile: string
let socketServer: net.Server

beforeAll(async () => {
  t = tmpDir('gwb-hostile-data-', fs.existsSync('/dev/shm') ? '/dev/shm' : undefined)
  fifo = path.join(t.dir, 'pipe.csv')
  execFileSync('mkfifo', [fifo])
  socketFile = path.join(t.dir, 'sock.csv')
  socketServer = net.createServer().listen(socketFile)
  await new Promise((r) => socketServer.once('listening', r))
})
afterAll(async () => {
  await new Promise((r) => socketServer.close(r))
  t.cleanup()
})

const idx = (dims: number[], data: Uint8Array) =>
  Buffer.concat([
    Buffer.from([0, 0, 8, dims.length, ...dims.flatMap((d) => [d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])]),
    Buffer.from(data),
  ])

function refusal(load: () => unknown): DatasetError {
  try {
    load()
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(DatasetError)
    return e as DatasetError
  }
  throw new Error('expected a DatasetError, the data loaded')
}

/** A sparse file of `bytes` (nothing is written to disk). */
function sparse(name: string, bytes: number): string {
  const file = path.join(t.dir, name)
  fs.closeSync(fs.openSync(file, 'w'))
  fs.truncateSync(file, bytes)
  return file
}

/** Reads `file` as a CSV and as an IDX file in a child process with a time limit: a FIFO read that blocks must not hang the test runner. */
function inChild(file: string): string[] {
  const load = (module: string, fn: string) =>
    `await import(${JSON.stringify(path.join(ROOT, 'src-main', 'datasets', module))}).then((m) => { try { (m.${fn} ?? m.default.${fn})(${JSON.stringify(file)}); console.log('LOADED') } catch (e) { console.log(e.name + ': ' + e.message) } })`
  const code = `(async () => { ${load('csv-points.ts', 'readPointsCsv')}; ${load('idx.ts', 'readIdxFile')} })()`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 })
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return ['TIMED OUT (the read blocked)']
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('DatasetError') || l === 'LOADED' || /Error/.test(l))
}

describe('hostile dataset files: special files and caps', () => {
  it('a FIFO, or a symlink to one, as a CSV or an IDX file is refused at once (it blocked forever)', () => {
    const link = path.join(t.dir, 'link-to-fifo.csv')
    fs.symlinkSync(fifo, link)
    for (const file of [fifo, link])
      expect(inChild(file)).toEqual([
        `DatasetError: ${file}: is a FIFO (named pipe), not a regular file`,
        `DatasetError: ${file}: is a FIFO (named pipe), not a regular file`,
      ])
    tried.add(4) // each as a CSV and as an IDX file
  })

  it('generated special files and symlinks to them, as a CSV, an IDX file, a folder image: refused naming the file, never read', () => {
    // FIFOs as CSV or IDX are tried in a child process above (a blocking read would hang this one); here only in a folder.
    const specials = ['/dev/zero', '/dev/urandom', '/dev/null', 'socket', 'directory', 'link-to-zero', 'fifo-in-folder']
    const resolve = (s: string) => {
      if (s === 'socket') return socketFile
      if (s === 'directory') return t.dir
      if (s.startsWith('/dev/')) return s
      const link = path.join(t.dir, `${s}-${Math.random().toString(36).slice(2)}.png`)
      fs.symlinkSync('/dev/zero', link)
      return link
    }
    const mark = tried.total
    fc.assert(
      fc.property(fc.constantFrom(...specials), fc.constantFrom('csv', 'idx', 'image'), (special, asKind) => {
        tried.add()
        const as = special === 'fifo-in-folder' ? 'image' : asKind
        const file = special === 'fifo-in-folder' ? fifo : resolve(special)
        if (as === 'image') {
          // In a folder, anything but a regular file is skipped (never opened); the folder has no image left.
          const dir = fs.mkdtempSync(path.join(t.dir, 'folder-'))
          fs.symlinkSync(file, path.join(dir, 'a.png'))
          expect(refusal(() => loadImageFolder(dir)).message).toBe(`${dir}: no PNG or JPEG images found`)
          return
        }
        const e = refusal(() => (as === 'csv' ? readPointsCsv(file) : readIdxFile(file)))
        expect(e.message).toMatch(
          new RegExp(
            `^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: is (a character device|a FIFO \\(named pipe\\)|a socket|a directory), not a regular file$`,
          ),
        )
      }),
      { numRuns: runs(40), seed: SEED },
    )
    tried.expectSince(mark, runs(40))
  })

  it('files over the caps are refused from their size, before a byte is read (sparse files, generated sizes)', () => {
    const mark = tried.total
    fc.assert(
      fc.property(fc.constantFrom('csv', 'idx', 'image'), fc.integer({ min: 1, max: 1024 ** 3 }), (kind, over) => {
        tried.add()
        const cap = { csv: MAX_CSV_BYTES, idx: MAX_IDX_BYTES, image: MAX_IMAGE_FILE_BYTES }[kind]
        const file = sparse(`big-${kind}.${kind === 'image' ? 'png' : kind}`, cap + over)
        const e = refusal(() =>
          kind === 'csv' ? readPointsCsv(file) : kind === 'idx' ? readIdxFile(file) : loadImageFolder(path.dirname(file)),
        )
        expect(e.message).toMatch(
          /^.*: is [\d.]+ (MiB|GiB), over the \d+ (MiB|GiB) limit \(the (CSV size cap|IDX size cap|size cap for one image)\)$/,
        )
        expect(e.message.startsWith(file)).toBe(true)
        fs.rmSync(file)
      }),
      { numRuns: runs(20), seed: SEED + 1 },
    )
    tried.expectSince(mark, runs(20))
  })

  it('gzip bombs: inflation stops at the size the IDX header declares; a header over the limit is refused before inflating', () => {
    const mark = tried.total
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 8 * 1024 ** 2 }), (count, extra) => {
        tried.add()
        const body = Buffer.alloc(count * 28 * 28 + extra) // zeros: a 1,000:1 ratio
        const file = path.join(t.dir, 'bomb-idx3-ubyte.gz')
        fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([idx([count, 28, 28], new Uint8Array(0)), body]), { level: 9 }))
        const e = refusal(() => readIdxFile(file, 3))
        expect(e.message).toBe(
          `${file}: decompresses to more than the ${(16 + count * 784).toLocaleString('en-US')} bytes its header declares (inflation stopped there)`,
        )
      }),
      { numRuns: runs(30), seed: SEED + 2 },
    )
    tried.expectSince(mark, runs(30))
    // 1 MB of gzip that says 2^31 - 1 images of 28×28: refused from the header alone.
    const file = path.join(t.dir, 'huge-header.gz')
    fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([idx([2 ** 31 - 1, 28, 28], new Uint8Array(0)), Buffer.alloc(1024 ** 2)])))
    expect(refusal(() => readIdxFile(file, 3)).message).toMatch(
      /its header declares 2147483647×28×28 = [\d,]+ bytes of data, over the 1 GiB limit for an IDX file/,
    )
    tried.add()
  })

  it('PNGs that declare more than 8192×8192 are refused from their header; folders over the image count are refused', () => {
    const dir = fs.mkdtempSync(path.join(t.dir, 'png-bomb-'))
    const png = PNG.sync.write(Object.assign(new PNG({ width: 1, height: 1 }), { data: Buffer.alloc(4) }))
    const mark = tried.total
    fc.assert(
      fc.property(fc.integer({ min: 8193, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), (w, h, swap) => {
        tried.add()
        const bytes = Buffer.from(png)
        bytes.writeUInt32BE(swap ? h : w, 16)
        bytes.writeUInt32BE(swap ? w : h, 20)
        fs.writeFileSync(path.join(dir, 'bomb.png'), bytes)
        expect(refusal(() => loadImageFolder(dir)).message).toBe(
          `${path.join(dir, 'bomb.png')}: ${swap ? h : w}×${swap ? w : h} is larger than 8192×8192`,
        )
      }),
      { numRuns: runs(30), seed: SEED + 3 },
    )
    tried.expectSince(mark, runs(30))
    // The count cap, at 1,000 here (200,001 files take 20 s to make): the walk stops at it.
    const many = fs.mkdtempSync(path.join(t.dir, 'many-'))
    for (let i = 0; i <= 1000; i++) fs.closeSync(fs.openSync(path.join(many, `${i}.png`), 'w'))
    expect(refusal(() => listFiles(many, 1000)).message).toBe(`${many}: more than 1,000 files, the limit for an image folder`)
    tried.add()
    expect(listFiles(many, 1001)).toHaveLength(1001)
    expect(MAX_FOLDER_IMAGES).toBe(200_000)
    fs.rmSync(many, { recursive: true })
  })

  it('IDX images that are not 28×28 are refused as the data loads, naming the file and the rule (a 1×1 IDX gave a raw concat4D error)', () => {
    const mark = tried.total
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (h, w) => {
        fc.pre(h !== 28 || w !== 28)
        tried.add()
        const dir = fs.mkdtempSync(path.join(t.dir, 'idx-size-'))
        fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idx([2, h, w], new Uint8Array(2 * h * w)))
        fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([2], new Uint8Array(2)))
        const e = refusal(() => createDataSource({ kind: 'image', name: 'mnist-idx', dir }, 1))
        expect(e.message).toBe(
          `${path.join(dir, 'train-images-idx3-ubyte')}: holds ${h}×${w} images; IDX images to train on must be 28×28 (dimensions [N, 28, 28]: every image model reads 28×28 grey; image folders are resized to it)`,
        )
        for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'])
          fs.copyFileSync(path.join(dir, f.replace('t10k', 'train')), path.join(dir, f))
        expect(refusal(() => loadMnistIdx(dir)).message).toMatch(/holds \d+×\d+ images; IDX images to train on must be 28×28/)
      }),
      { numRuns: runs(20), seed: SEED + 4 },
    )
    tried.expectSince(mark, runs(20))
  })
})

describe('hostile CSV values', () => {
  const FLOAT32_MAX = 3.4028234663852886e38
  const bad = fc.oneof(
    fc.constantFrom('1e39', '-1e39', '3.5e38', '-3.41e38', '1e300', '-1.7976931348623157e308'),
    fc.double({ min: 3.5e38, max: 1e308, noNaN: true }).map((v) => (Math.random() < 0.5 ? v : -v).toString()),
  )
  const nonFinite = fc.constantFrom('NaN', 'nan', '-nan', 'Infinity', '-Infinity', '+Infinity', 'inf', '-inf', 'INF')
  const good = fc.double({ min: -FLOAT32_MAX, max: FLOAT32_MAX, noNaN: true }).map((v) => String(v))

  it('generated files: a value that overflows float32, or NaN/Infinity spelt out, is refused naming the file, the line and the value; the rest parse to float32 exactly', () => {
    const mark = tried.total
    let honest = 0
    fc.assert(
      fc.property(
        fc.array(fc.tuple(good, good), { minLength: 1, maxLength: 30 }),
        fc.option(fc.tuple(fc.nat(), fc.boolean(), fc.oneof(bad, nonFinite)), { nil: undefined }),
        fc.boolean(),
        (rows, hostile, header) => {
          const cells = rows.map(([x, y]) => [x, y])
          let line = -1
          if (hostile) {
            const [at, second, value] = hostile
            const row = at % cells.length
            cells[row]![second ? 1 : 0] = value
            line = row + 1 + (header ? 1 : 0)
          }
          const text = `${header ? 'x,y\n' : ''}${cells.map((c) => c.join(',')).join('\n')}\n`
          if (!hostile) {
            honest++ // a clean file: the control, not counted as a hostile case
            const parsed = parsePointsCsv(text, 'points.csv')
            expect(Array.from(parsed)).toEqual(cells.flat().map((v) => Math.fround(Number(v))))
            expect(parsed.every((v) => Number.isFinite(v))).toBe(true)
            return
          }
          tried.add()
          const e = refusal(() => parsePointsCsv(text, 'points.csv'))
          const value = hostile[2]
          expect(e.message).toMatch(
            new RegExp(
              `^points\\.csv: line ${line}: value "?${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"? (overflows float32 \\(largest ±3\\.4e38\\)|is not a finite number)$`,
            ),
          )
        },
      ),
      { numRuns: runs(200), seed: SEED + 5 },
    )
    tried.expectSince(mark, runs(200) - honest)
  })

  it('examples from the issue: 1e39 (reported later as divergence), and a first row of NaN taken for a header', () => {
    expect(refusal(() => parsePointsCsv('0,0\n1e39,2\n', 'p.csv')).message).toBe(
      'p.csv: line 2: value 1e39 overflows float32 (largest ±3.4e38)',
    )
    expect(refusal(() => parsePointsCsv('NaN,NaN\n1,2\n', 'p.csv')).message).toBe('p.csv: line 1: value "NaN" is not a finite number')
    tried.add(2)
    expect(Array.from(parsePointsCsv('x,y\n3.4e38,-1e-45\n', 'p.csv'))).toEqual([Math.fround(3.4e38), Math.fround(-1e-45)])
  })
})

describe('dataset paths from a remote browser (serve --allow-remote)', () => {
  let ctx: AppContext
  let home: string
  const spawned: number[] = []
  /** A trainer that does nothing and exits when asked to stop. */
  const fakeTrainer = (): TrainerChild => {
    spawned.push(1)
    const exits: ((code: number | null) => void)[] = []
    const exit = () => setImmediate(() => exits.splice(0).forEach((l) => l(0)))
    return {
      pid: undefined,
      send: (m) => {
        if (m.type === 'stop') exit()
      },
      onMessage: () => {},
      onExit: (l) => void exits.push(l),
      kill: exit,
    }
  }

  beforeAll(async () => {
    home = path.join(t.dir, 'server-home')
    ctx = await createAppContext({ home, mode: 'server', spawn: fakeTrainer, remoteClients: true })
    fs.mkdirSync(path.join(home, 'datasets', 'faces', 'A'), { recursive: true })
    fs.writeFileSync(path.join(home, 'datasets', 'points.csv'), '1,2\n')
    fs.symlinkSync('/etc', path.join(home, 'datasets', 'etc-link'))
    fs.writeFileSync(path.join(t.dir, 'local.csv'), '1,2\n')
    // A dataset this machine's user already trained on (the datasets table).
    const config = {
      ...structuredClone(requirePreset('mlp-2d-ring8').config),
      dataset: { kind: 'csv', file: path.join(t.dir, 'local.csv') },
    }
    const local = ctx.registry.createRun({ config: config as never, totalSteps: 1 })
    ctx.registry.registerDataset(local.id, config as never, { sha256: 'a'.repeat(64), content: true, count: 1 })
  })
  afterAll(async () => {
    await ctx.close()
  })

  it('generated paths in runs.start and sweeps.start: only built-ins, data under datasets/ and datasets already trained on; the rest is refused naming the field, nothing recorded', async () => {
    const presetFor = {
      csv: 'mlp-2d-ring8',
      folder: 'dcgan-mnist',
      'mnist-idx': 'dcgan-mnist',
      paired: 'pix2pix-mnist-edges',
      unpaired: 'cyclegan-mnist-edges',
    } as const
    const refusedPaths = () => [
      '/etc/passwd',
      '/proc/self/environ',
      path.join(home, 'registry.sqlite'),
      path.join(home, 'instance.lock'),
      path.join(home, 'coordinator.secret'),
      path.join(home, 'datasets', '..', 'registry.sqlite'),
      path.join(home, 'datasets', 'etc-link', 'passwd'),
      'points.csv',
      '../datasets/points.csv',
      path.join(home, 'datasets'),
    ]
    const allowedPaths = (shape: string) =>
      shape === 'csv' ? [path.join(home, 'datasets', 'points.csv'), path.join(t.dir, 'local.csv')] : [path.join(home, 'datasets', 'faces')]
    const shapes = fc.constantFrom('csv', 'folder', 'mnist-idx', 'paired', 'unpaired')
    let refused = 0
    let allowed = 0
    await fc.assert(
      fc.asyncProperty(
        shapes,
        fc.boolean(),
        fc.nat(),
        fc.constantFrom('runs.start', 'sweeps.start'),
        async (shape, good, pick, request) => {
          const list = good ? allowedPaths(shape) : refusedPaths()
          const p = list[pick % list.length]!
          const dataset =
            shape === 'csv'
              ? { kind: 'csv', file: p }
              : shape === 'folder'
                ? { kind: 'folder', dir: p }
                : shape === 'mnist-idx'
                  ? { kind: 'image', name: 'mnist-idx', dir: p }
                  : { kind: shape, dir: p }
          const config = { ...structuredClone(requirePreset(presetFor[shape]).config), dataset }
          const before = ctx.registry.listRuns().length
          const spawnedBefore = spawned.length
          const r =
            request === 'runs.start'
              ? await ctx.dispatch('runs.start', { config, target: 'local' })
              : await ctx.dispatch('sweeps.start', { config, grid: [{ path: 'training.seed', values: ['1', '2'] }] })
          if (good) {
            allowed++
            expect(r.ok, `${request} ${JSON.stringify(dataset)}: ${JSON.stringify(r)}`).toBe(true)
            return
          }
          refused++
          tried.add()
          expect(r.ok, `${request} ${JSON.stringify(dataset)} was accepted`).toBe(false)
          if (r.ok) return
          expect(r.error.code).toBe('invalid_input')
          expect(r.error.message, JSON.stringify(dataset)).toMatch(
            /^dataset\.(file|dir): .*(is refused: a remote request may name only built-in datasets|is not an absolute path)/,
          )
          expect(ctx.registry.listRuns()).toHaveLength(before)
          expect(spawned.length).toBe(spawnedBefore)
        },
      ),
      { numRuns: runs(60), seed: SEED + 6 },
    )
    expect(refused + allowed).toBe(runs(60))
    expect(refused).toBeGreaterThan(10)
    expect(allowed).toBeGreaterThan(3)
  })

  it('says at start-up what serving on every interface exposes', () => {
    expect(exposureWarnings('127.0.0.1', '/h')).toEqual([])
    const all = exposureWarnings('0.0.0.0', '/h').join('\n')
    expect(all).toMatch(
      /the Host and Origin checks \(against DNS rebinding and other web sites\) are off: .* only the token guards the server/,
    )
    expect(all).toMatch(/Remote browsers may train only on built-in datasets, data under \/h\/datasets/)
    expect(exposureWarnings('192.168.1.5', '/h').join('\n')).not.toMatch(/Host and Origin checks/)
  })
})
