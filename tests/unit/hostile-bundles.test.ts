/**
 * Hostile run bundles and hostile run folders (issue 22), generated with fast-check from a real
 * bundle: path escapes in every path field, wrong types and missing values in every field of
 * run-data.json and of the run record, zip-slip names, duplicate and oversized entries, and
 * symlinks planted in a run's folder after import. Each is refused with a BundleError (or, for a
 * reader, an error of the app's own) naming the field or file, never a TypeError; nothing is
 * written outside the data dir, and no reader (runs.grid, runs.points, export --format tfjs,
 * bundle export) ships a byte of a file outside the run's folder.
 */
import fs from 'node:fs'
import path from 'node:path'
import { inspect } from 'node:util'
import fc from 'fast-check'
import { strToU8, unzipSync, zipSync, Zip, ZipPassThrough } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { formatPath } from '../../src-shared/config/errors'
import { Registry } from '../../src-main/registry/registry'
import { selectBackend } from '../../src-main/training/backend'
import { trainRun, totalSteps } from '../../src-main/training/train-run'
import { BundleError, exportBundle, importBundle, MAX_BUNDLE_BYTES } from '../../src-main/export/run-bundle'
import { exportRun } from '../../src-main/export/export-run'
import { createHandlers } from '../../src-main/app/services'
import { RunManager } from '../../src-main/training/run-manager'
import { runDir } from '../../src-main/platform/paths'
import { artifactPath } from '../../src-main/registry/artifact-files'
import { ConflictError } from '../../src-main/util/errors'
import { CheckpointError } from '../../src-main/training/checkpoint'
import { NotFoundError } from '../../src-main/registry/registry'
import { sha256 } from '../../src-main/util/atomic-fs'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'
import { thisProcess } from '../../src-main/util/process-identity'

const SEED = Number(process.env.FUZZ_SEED ?? 20261124)
const runs = (n: number) => Math.min(Number(process.env.FUZZ_RUNS ?? n), 5 * n)

const tried = triedCounter('bundles and run folders')

let t: ReturnType<typeof tmpDir>
let bundle: string
let secret: string
const SECRET_TEXT = 'TOP-SECRET-7f3a9c-do-not-ship'
let homeCount = 0

beforeAll(async () => {
  await selectBackend('auto')
  // On tmpfs where there is one: each import fsyncs every file, 3× slower on this VM's disk.
  t = tmpDir('gwb-hostile-bundles-', fs.existsSync('/dev/shm') ? '/dev/shm' : undefined)
  secret = path.join(t.dir, 'secret.txt')
  fs.writeFileSync(secret, SECRET_TEXT, { mode: 0o600 })
  const home = path.join(t.dir, 'source')
  fs.mkdirSync(home)
  const source = await Registry.open(path.join(home, 'registry.sqlite'), { owner: thisProcess() })
  try {
    const config = validateExperiment(
      applyOverrides(requirePreset('mlp-2d-ring8').config, [
        'training.epochs=2',
        'training.stepsPerEpoch=10',
        'training.checkpointEvery=1',
      ]),
    ).config
    const runId = source.createRun({ name: 'honest', config, totalSteps: totalSteps(config) }).id
    expect(await trainRun(source, home, runId, { progress: () => {}, status: () => {}, stopRequested: () => false })).toBe('completed')
    source.addDiagnosis(runId, {
      kind: 'oscillation',
      step: 5,
      detectedAt: 10,
      title: 'Losses oscillate',
      explanation: 'e',
      remedies: ['lower the learning rate'],
      evidence: 'ev',
    })
    bundle = path.join(t.dir, 'honest.gwbundle')
    await exportBundle(source, home, runId, bundle)
  } finally {
    source.close()
  }
}, 120_000)
afterAll(() => t.cleanup())

async function freshHome() {
  const home = path.join(t.dir, `home-${homeCount++}`)
  fs.mkdirSync(home)
  return { home, registry: await Registry.open(path.join(home, 'registry.sqlite'), { owner: thisProcess() }) }
}

interface Parts {
  entries: Record<string, Uint8Array>
  manifest: Record<string, unknown> & { files: { path: string; sha256: string; bytes: number }[]; run: Record<string, unknown> }
  data: Record<string, unknown> & { artifacts: Record<string, unknown>[] }
}

let counter = 0
let honest: Record<string, Uint8Array> | undefined
/** The honest bundle, changed by `mutate`, with run-data.json's checksum in the manifest kept right. */
function rebundle(mutate: (p: Parts) => void): string {
  honest ??= unzipSync(fs.readFileSync(bundle))
  const entries = { ...honest }
  const parts: Parts = {
    entries,
    manifest: JSON.parse(Buffer.from(entries['manifest.json']!).toString('utf8')),
    data: JSON.parse(Buffer.from(entries['run-data.json']!).toString('utf8')),
  }
  mutate(parts)
  const dataBytes = strToU8(JSON.stringify(parts.data))
  entries['run-data.json'] = dataBytes
  const listed = Array.isArray(parts.manifest.files) ? parts.manifest.files.find((f) => f?.path === 'run-data.json') : undefined
  if (listed) Object.assign(listed, { sha256: sha256(dataBytes), bytes: dataBytes.length })
  entries['manifest.json'] = strToU8(JSON.stringify(parts.manifest))
  const file = path.join(t.dir, `hostile-${counter++}.gwbundle`)
  fs.writeFileSync(file, zipSync(entries, { level: 0 }))
  return file
}

/** Everything directly in the temporary folder (a write outside a data dir would show here). */
const topLevel = () =>
  fs
    .readdirSync(t.dir)
    .filter((n) => !n.startsWith('hostile-') && !n.startsWith('home-'))
    .sort()

/** Imports; on refusal checks nothing was recorded or left behind. Returns the error, or null on success. */
function tryImport(registry: Registry, home: string, file: string): Error | null {
  const before = registry.listRuns().length
  const outside = topLevel()
  try {
    const run = importBundle(registry, home, file)
    // Accepted: every artifact lies inside the run's folder.
    for (const a of registry.artifacts(run.id))
      expect(path.relative(runDir(home, run.id), artifactPath(home, a)).startsWith('..')).toBe(false)
    return null
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(BundleError)
    expect(registry.listRuns()).toHaveLength(before)
    const leftovers = fs.existsSync(path.join(home, 'runs'))
      ? fs.readdirSync(path.join(home, 'runs')).filter((n) => n.startsWith('.import-'))
      : []
    expect(leftovers).toEqual([])
    return e as Error
  } finally {
    expect(topLevel()).toEqual(outside)
    expect(fs.readFileSync(secret, 'utf8')).toBe(SECRET_TEXT)
  }
}

const hostilePath = fc.oneof(
  fc
    .array(fc.constantFrom('..', '.', '', 'samples', 'files', 'checkpoints', 'secret.txt', '%2e%2e', 'a\\..\\..', 'C:', '\0', '~'), {
      minLength: 1,
      maxLength: 7,
    })
    .map((parts) => parts.join('/')),
  fc.constantFrom(
    '/etc/passwd',
    '../../../secret.txt',
    '../../../../secret.txt',
    'samples/../../../secret.txt',
    '..\\..\\secret.txt',
    'C:\\secret.txt',
    '//server/share',
    'samples/\0.png',
  ),
)

describe('hostile bundles: path fields', () => {
  it('an artifact relativePath with ../ is refused at import (it shipped a 0600 secret as samples.png)', async () => {
    const { home, registry } = await freshHome()
    try {
      const file = rebundle((p) => {
        p.data.artifacts.push({
          kind: 'samples-grid',
          epoch: 2,
          step: 20,
          relativePath: `../../../${path.basename(secret)}`,
          sha256: sha256(SECRET_TEXT),
          bytes: SECRET_TEXT.length,
        })
      })
      const error = tryImport(registry, home, file)
      tried.add()
      if (!error) {
        // Today's bug, shown plainly: the export ships the secret.
        const out = path.join(t.dir, 'home-leak-export')
        await exportRun(registry, registry.listRuns()[0]!.id, 'tfjs', out)
        expect(fs.readFileSync(path.join(out, 'samples.png'), 'utf8')).not.toBe(SECRET_TEXT)
      }
      expect(error?.message).toMatch(/run-data\.json: artifacts\[\d+\]\.relativePath: "..\/..\/..\/secret.txt" climbs out with ".."/)
    } finally {
      registry.close()
    }
  })

  it('generated escapes in every path field (artifact relativePath, manifest file paths, archive entry names): refused, nothing written outside', async () => {
    const { home, registry } = await freshHome()
    let refused = 0
    try {
      const field = fc.constantFrom('artifact', 'new-artifact', 'manifest-file', 'entry')
      const mark = tried.total
      fc.assert(
        fc.property(field, hostilePath, fc.nat(), (where, bad, pick) => {
          tried.add()
          const file = rebundle((p) => {
            if (where === 'artifact') p.data.artifacts[pick % p.data.artifacts.length]!.relativePath = bad
            if (where === 'new-artifact')
              p.data.artifacts.push({ kind: 'samples-grid', epoch: 1, step: 10, relativePath: bad, sha256: sha256('x'), bytes: 1 })
            if (where === 'manifest-file') {
              const f = p.manifest.files.filter((x) => x.path.startsWith('files/'))[pick % 4]!
              p.entries[bad] = p.entries[f.path]!
              delete p.entries[f.path]
              f.path = bad
            }
            if (where === 'entry') p.entries[bad] = strToU8(SECRET_TEXT)
          })
          const error = tryImport(registry, home, file)
          if (error) refused++
          else expect(bad.split('/').every((s) => s !== '..' && s !== '' && !s.includes('\0') && !s.includes('\\'))).toBe(true)
        }),
        { numRuns: runs(120), seed: SEED },
      )
      tried.expectSince(mark, runs(120))
      expect(refused).toBeGreaterThan(0)
    } finally {
      registry.close()
    }
  })

  it('zip-slip names, duplicate entries, oversized and over-many claims, a sparse bundle over the cap: clear errors before anything is written', async () => {
    const { home, registry } = await freshHome()
    try {
      // Zip-slip: generated names that climb out, with content.
      const mark = tried.total
      fc.assert(
        fc.property(
          hostilePath.filter((n) => n.startsWith('/') || n.split('/').includes('..')),
          (name) => {
            tried.add()
            const error = tryImport(
              registry,
              home,
              rebundle((p) => {
                p.entries[name] = strToU8('owned')
              }),
            )
            expect(error?.message).toMatch(/refused entry|not in the manifest/)
          },
        ),
        { numRuns: runs(40), seed: SEED + 1 },
      )
      tried.expectSince(mark, runs(40))

      // The same name twice (the second could differ from what was checked): refused.
      const entries = unzipSync(fs.readFileSync(bundle))
      const chunks: Uint8Array[] = []
      const zip = new Zip((err, chunk) => {
        if (err) throw err
        chunks.push(chunk)
      })
      for (const [name, bytes] of [...Object.entries(entries), ['run-data.json', strToU8('{"metrics": 5}')] as const]) {
        const entry = new ZipPassThrough(name)
        zip.add(entry)
        entry.push(bytes, true)
      }
      zip.end()
      const dup = path.join(t.dir, 'hostile-dup.gwbundle')
      fs.writeFileSync(dup, Buffer.concat(chunks))
      expect(tryImport(registry, home, dup)?.message).toMatch(/entry "run-data.json" appears twice/)

      // Central directory claims: each entry 1.9 GiB (under the per-entry cap, over the total).
      const bytes = Buffer.from(fs.readFileSync(bundle))
      for (
        let at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
        at >= 0;
        at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)
      ) {
        bytes.writeUInt32LE(0x78000000, at + 24)
      }
      const claims = path.join(t.dir, 'hostile-claims.gwbundle')
      fs.writeFileSync(claims, bytes)
      expect(tryImport(registry, home, claims)?.message).toMatch(/unpack to more than 4294967296 bytes/)

      // Over the size cap: a sparse file, refused from its size alone.
      const sparse = path.join(t.dir, 'hostile-sparse.gwbundle')
      fs.closeSync(fs.openSync(sparse, 'w'))
      fs.truncateSync(sparse, MAX_BUNDLE_BYTES + 1)
      expect(tryImport(registry, home, sparse)?.message).toMatch(/over the 4294967296 byte limit/)
      fs.rmSync(sparse)

      // Not a regular file (a FIFO would block a plain read): refused.
      expect(tryImport(registry, home, '/dev/zero')?.message).toMatch(/not a regular file/)
      tried.add(4) // a duplicate entry, over-large claims, a bundle over the cap, /dev/zero
    } finally {
      registry.close()
    }
  })
})

/** Every leaf of a JSON value with its path. */
function leaves(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leaves(x, [...at, i])) : [at]
  if (v && typeof v === 'object') return Object.keys(v).length ? Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, k])) : [at]
  return [at]
}

function setAt(root: Record<string, unknown>, p: (string | number)[], value: unknown | typeof DELETE): void {
  let o = root as Record<string | number, unknown>
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, unknown>
  if (value === DELETE) {
    if (Array.isArray(o)) o.splice(p.at(-1) as number, 1, undefined as never)
    else delete o[p.at(-1)!]
  } else o[p.at(-1)!] = value
}
const DELETE = Symbol('delete')

const adversarial = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    0.5,
    1e308,
    -1e308,
    2 ** 53,
    '',
    '12',
    'bogus-status',
    '../../x',
    null,
    true,
    false,
    [],
    {},
    [[[]]],
    { step: 1 },
    DELETE,
  ),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
)

describe('hostile bundles: wrong types and missing fields', () => {
  it('every field of run-data.json (first metric point of each series, every diagnosis and artifact field): imported, or a BundleError naming that field', async () => {
    const { home, registry } = await freshHome()
    const data = JSON.parse(Buffer.from(unzipSync(fs.readFileSync(bundle))['run-data.json']!).toString('utf8')) as Record<string, unknown>
    const paths = leaves(data).filter((p) => p[0] !== 'metrics' || p[2] === 0)
    let refused = 0
    try {
      const mark = tried.total
      fc.assert(
        fc.property(fc.constantFrom(...paths), fc.nat(3), adversarial, (leaf, up, value) => {
          tried.add()
          const target = leaf.slice(0, Math.max(1, leaf.length - (up === 3 ? 1 : 0))) // sometimes the parent object
          const error = tryImport(
            registry,
            home,
            rebundle((p) => setAt(p.data, target, value)),
          )
          if (!error) return
          refused++
          // Named: the field itself or one of its ancestors, e.g. artifacts[1].relativePath or metrics.dLoss[0].
          const named = target
            .map((_k, i) => formatPath(target.slice(0, target.length - i)))
            .some((f) => error.message.includes(`run-data.json: ${f}`) || error.message.includes(`; ${f}`))
          expect(
            named || /run-data\.json: \(root\)|artifacts\[\d+\]\.relativePath/.test(error.message),
            `${formatPath(target)} = ${inspect(value)} → ${error.message}`,
          ).toBe(true)
        }),
        { numRuns: runs(150), seed: SEED + 2 },
      )
      tried.expectSince(mark, runs(150))
      expect(refused).toBeGreaterThan(50)
    } finally {
      registry.close()
    }
  })

  it('every field of the run record in manifest.json (config included): imported, or a BundleError naming it; an unknown status never lands', async () => {
    const { home, registry } = await freshHome()
    const manifest = JSON.parse(Buffer.from(unzipSync(fs.readFileSync(bundle))['manifest.json']!).toString('utf8')) as {
      run: Record<string, unknown>
    }
    const used = new Set([
      'id',
      'name',
      'experiment',
      'status',
      'config',
      'backend',
      'backendReason',
      'tags',
      'notes',
      'step',
      'totalSteps',
      'epoch',
      'samplesPerSec',
      'error',
      'createdAt',
      'startedAt',
      'finishedAt',
    ])
    const paths = leaves(manifest.run).filter((p) => used.has(String(p[0])))
    let refused = 0
    try {
      const mark = tried.total
      fc.assert(
        fc.property(fc.constantFrom(...paths), adversarial, (leaf, value) => {
          tried.add()
          const error = tryImport(
            registry,
            home,
            rebundle((p) => setAt(p.manifest.run, leaf, value)),
          )
          if (!error) {
            const run = registry.listRuns({ limit: 1 })[0]!
            expect(
              (['queued', 'running', 'paused', 'completed', 'stopped', 'failed', 'diverged', 'interrupted'] as string[]).includes(
                run.status,
              ),
            ).toBe(true)
            expect(Array.isArray(run.tags)).toBe(true)
            return
          }
          refused++
          const field = `run.${formatPath(leaf)}`
          const top = `run.${String(leaf[0])}`
          expect(error.message.includes(field) || error.message.includes(top), `${field} = ${inspect(value)} → ${error.message}`).toBe(true)
        }),
        { numRuns: runs(150), seed: SEED + 3 },
      )
      tried.expectSince(mark, runs(150))
      expect(refused).toBeGreaterThan(50)
      // The examples seen in the issue.
      expect(
        tryImport(
          registry,
          home,
          rebundle((p) => {
            p.manifest.run.status = 'bogus-status'
          }),
        )?.message,
      ).toMatch(/manifest\.json: run\.status: choose one of: /)
      expect(
        tryImport(
          registry,
          home,
          rebundle((p) => {
            p.manifest.run.tags = 5
          }),
        )?.message,
      ).toMatch(/manifest\.json: run\.tags: /)
      expect(
        tryImport(
          registry,
          home,
          rebundle((p) => {
            ;(p.manifest as Record<string, unknown>).files = 'x'
          }),
        )?.message,
      ).toMatch(/manifest\.json: files: /)
      expect(
        tryImport(
          registry,
          home,
          rebundle((p) => {
            delete (p.data as Record<string, unknown>).metrics
          }),
        )?.message,
      ).toMatch(/run-data\.json: metrics: /)
      tried.add(4) // the four examples above
    } finally {
      registry.close()
    }
  })
})

describe('hostile run folders: symlinks planted after import, rows that point out', () => {
  /** What each reader gives: its output bytes, or the error. The secret must never be in either. */
  async function readAll(registry: Registry, home: string, runId: number): Promise<Record<string, string>> {
    const handlers = createHandlers({
      registry,
      runs: new RunManager(registry, home, () => {
        throw new Error('no trainer in this test')
      }),
      home,
      mode: 'server',
      remote: { coordinator: null },
    })
    const out: Record<string, string> = {}
    const attempt = async (name: string, read: () => Promise<string> | string) => {
      try {
        out[name] = await read()
      } catch (e) {
        const ours = e instanceof ConflictError || e instanceof CheckpointError || e instanceof NotFoundError || e instanceof BundleError
        expect(ours, `${name}: ${String(e)}`).toBe(true)
        out[name] = `error: ${(e as Error).message}`
      }
      expect(out[name], name).not.toContain(SECRET_TEXT)
      expect(out[name], name).not.toContain(Buffer.from(SECRET_TEXT).toString('base64').slice(0, 20))
    }
    await attempt('runs.points', () => JSON.stringify(handlers['runs.points']({ id: runId })))
    for (const a of registry.artifacts(runId, 'samples-2d'))
      await attempt(`runs.points@${a.epoch}`, () => JSON.stringify(handlers['runs.points']({ id: runId, epoch: a.epoch })))
    await attempt('runs.grid', () => JSON.stringify(handlers['runs.grid']({ id: runId })))
    await attempt('export tfjs', async () => {
      const dir = path.join(home, `export-${counter++}`)
      await exportRun(registry, runId, 'tfjs', dir)
      return fs
        .readdirSync(dir)
        .map((f) => fs.readFileSync(path.join(dir, f), 'latin1'))
        .join('\n')
    })
    await attempt('export bundle', async () => {
      const file = path.join(home, `bundle-${counter++}.gwbundle`)
      await exportBundle(registry, home, runId, file)
      return Object.values(unzipSync(fs.readFileSync(file)))
        .map((b) => Buffer.from(b).toString('latin1'))
        .join('\n')
    })
    return out
  }

  it('generated plantings (files, checkpoint folders, sample folders → the secret, a folder outside, dangling, looping): every reader refuses or leaves it out', async () => {
    const { home, registry } = await freshHome()
    fs.mkdirSync(path.join(t.dir, 'outside-dir'), { recursive: true })
    fs.writeFileSync(path.join(t.dir, 'outside-dir', 'manifest.json'), SECRET_TEXT)
    fs.writeFileSync(path.join(t.dir, 'outside-dir', 'weights.bin'), SECRET_TEXT)
    let errors = 0
    try {
      const victim = fc.constantFrom('samples-file', 'samples-dir', 'grid', 'checkpoint-manifest', 'checkpoint-weights', 'checkpoint-dir')
      const target = fc.constantFrom('secret', 'secret-relative', 'outside-dir', 'dangling', 'loop')
      const mark = tried.total
      await fc.assert(
        fc.asyncProperty(victim, target, async (v, tg) => {
          tried.add()
          const run = importBundle(registry, home, bundle)
          const dir = runDir(home, run.id)
          // A grid row of its own (2D runs have none), pointing at a file that is there.
          const gridFile = path.join(dir, 'samples', 'grid.png')
          fs.writeFileSync(gridFile, 'png')
          registry.addArtifact({ runId: run.id, kind: 'samples-grid', epoch: 2, step: 20, path: gridFile, sha256: sha256('png'), bytes: 3 })
          const ckpt = artifactPath(home, registry.latestArtifact(run.id, 'checkpoint')!)
          const points = artifactPath(home, registry.latestArtifact(run.id, 'samples-2d')!)
          const victimPath = {
            'samples-file': points,
            'samples-dir': path.dirname(points),
            grid: gridFile,
            'checkpoint-manifest': path.join(ckpt, 'manifest.json'),
            'checkpoint-weights': path.join(ckpt, 'weights.bin'),
            'checkpoint-dir': ckpt,
          }[v]
          const link = {
            secret,
            'secret-relative': path.relative(path.dirname(victimPath), secret),
            'outside-dir': path.join(t.dir, 'outside-dir'),
            dangling: path.join(t.dir, 'nowhere'),
            loop: path.basename(victimPath),
          }[tg]
          fs.rmSync(victimPath, { recursive: true })
          fs.symlinkSync(link, victimPath)
          const out = await readAll(registry, home, run.id)
          errors += Object.values(out).filter((o) => o.startsWith('error: ')).length
        }),
        { numRuns: runs(30), seed: SEED + 4 },
      )
      tried.expectSince(mark, runs(30))
      expect(errors).toBeGreaterThan(0)
    } finally {
      registry.close()
    }
  })

  it('a trainer never writes through a planted symlink: checkpoints/ or samples/ leading out fail the run, nothing lands outside', async () => {
    const { home, registry } = await freshHome()
    try {
      for (const folder of ['checkpoints', 'samples']) {
        const config = validateExperiment(
          applyOverrides(requirePreset('mlp-2d-ring8').config, ['training.epochs=1', 'training.stepsPerEpoch=5']),
        ).config
        const id = registry.createRun({ config, totalSteps: totalSteps(config) }).id
        const outside = path.join(t.dir, `write-target-${folder}`)
        fs.mkdirSync(outside, { recursive: true })
        fs.mkdirSync(runDir(home, id), { recursive: true })
        fs.symlinkSync(outside, path.join(runDir(home, id), folder))
        expect(await trainRun(registry, home, id, { progress: () => {}, status: () => {}, stopRequested: () => false })).toBe('failed')
        expect(registry.getRun(id).error).toMatch(
          new RegExp(`run ${id}'s (checkpoints folder "checkpoints"|sample file "samples/epoch-00001\\.json") leads outside`),
        )
        expect(fs.readdirSync(outside)).toEqual([])
        tried.add()
      }
    } finally {
      registry.close()
    }
  })

  it('registry rows that point outside the run folder (absolute paths, other runs): refused by every reader', async () => {
    const { home, registry } = await freshHome()
    try {
      const run = importBundle(registry, home, bundle)
      const other = importBundle(registry, home, bundle)
      registry.addArtifact({
        runId: run.id,
        kind: 'samples-grid',
        epoch: 3,
        step: 20,
        path: secret,
        sha256: sha256(SECRET_TEXT),
        bytes: SECRET_TEXT.length,
      })
      registry.addArtifact({
        runId: run.id,
        kind: 'samples-2d',
        epoch: 3,
        step: 20,
        path: artifactPath(home, registry.latestArtifact(other.id, 'samples-2d')!), // another run's file, absolute
        sha256: 'x',
        bytes: 1,
      })
      registry.addArtifact({ runId: run.id, kind: 'checkpoint', epoch: 3, step: 20, path: path.dirname(secret), sha256: 'x', bytes: 1 })
      const out = await readAll(registry, home, run.id)
      tried.add(3) // three rows that point out, each through every reader
      expect(out['runs.grid']).toMatch(/^error: run \d+'s samples-grid artifact \(step 20\) ".*secret.txt" is not inside/)
      expect(out['runs.points']).toMatch(/is not inside/)
      expect(out['export tfjs']).toMatch(/is not inside/)
      // The bundle leaves out what is not inside the run's folder.
      expect(out['export bundle']).not.toMatch(/^error/)
    } finally {
      registry.close()
    }
  })
})
