/**
 * Whole runs between machines: one zip (`.gwbundle`) with a manifest, the run record, its metrics,
 * diagnoses, artifacts and every file of its folder (sample grids, checkpoints), each listed with
 * its SHA-256. Import checks everything before touching the registry or the disk: entry names
 * (no absolute paths, no `..`, nothing outside the manifest), sizes, checksums; then adds the run
 * under a new id, never replacing one.
 */
import fs from 'node:fs'
import path from 'node:path'
import { unzipSync, Zip, ZipDeflate, ZipPassThrough, type Unzipped } from 'fflate'
import type { MetricSeries, RunRecord } from '../../src-shared/domain/run'
import type { Diagnosis } from '../../src-shared/metrics/diagnostics'
import type { Registry } from '../registry/registry'
import { runDir } from '../app/paths'
import { APP_VERSION } from '../app/version'
import { ConflictError } from '../training/run-manager'
import { fsyncDir, sha256, writeFileDurable } from '../util/atomic-fs'

export const BUNDLE_FORMAT = 'gan-workbench-run-bundle'
/** Refused above this (the archive is read whole); a bundle of a long DCGAN run is ~0.5 GB. */
export const MAX_BUNDLE_BYTES = 4 * 1024 ** 3
const MAX_ENTRY_BYTES = 2 * 1024 ** 3

export class BundleError extends Error {
  override name = 'BundleError'
}

interface Manifest {
  format: typeof BUNDLE_FORMAT
  version: 1
  appVersion: string
  exportedAt: string
  run: RunRecord
  files: { path: string; sha256: string; bytes: number }[]
}

interface BundleData {
  metrics: MetricSeries
  diagnoses: Diagnosis[]
  artifacts: { kind: string; epoch: number; step: number; relativePath: string; sha256: string; bytes: number }[]
}

function listFiles(dir: string, base = dir): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.tmp-')) return [] // an unfinished checkpoint is never part of a run
    const full = path.join(dir, e.name)
    if (e.isDirectory()) return listFiles(full, base)
    return e.isFile() ? [path.relative(base, full).split(path.sep).join('/')] : []
  })
}

export interface BundleProgress {
  /** Bytes of run files read and added so far, of `total`. */
  done: number
  total: number
}

export interface BundleResult {
  file: string
  files: number
  bytes: number
}

/**
 * Streams the bundle into a temporary file beside the target (one run file in memory at a time,
 * yielding to the event loop between files so a server or window stays responsive), fsyncs it and
 * renames it into place: an interrupted export leaves no half-written bundle.
 */
export async function exportBundle(registry: Registry, home: string, runId: number, outFile: string, options: { force?: boolean; onProgress?: (p: BundleProgress) => void } = {}): Promise<BundleResult> {
  const target = path.resolve(outFile)
  if (fs.existsSync(target) && !options.force) throw new ConflictError(`${target} exists: choose another --out, or pass --force to replace it`)
  const run = registry.getRun(runId)
  const dir = runDir(home, runId)
  const runFiles = listFiles(dir).map((rel) => ({ rel, bytes: fs.statSync(path.join(dir, ...rel.split('/'))).size }))
  const total = runFiles.reduce((n, f) => n + f.bytes, 0)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`
  const fd = fs.openSync(tmp, 'w')
  let written = 0
  let failure: Error | null = null
  const zip = new Zip((err, chunk) => {
    if (err) failure = err
    else {
      fs.writeSync(fd, chunk)
      written += chunk.length
    }
  })
  // Checkpoints are float weights: barely compressible, so store them; JSON compresses well.
  const add = (name: string, data: Uint8Array) => {
    const entry = name.endsWith('.json') ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name)
    zip.add(entry)
    entry.push(data, true)
  }
  try {
    const files: Manifest['files'] = []
    let done = 0
    options.onProgress?.({ done, total })
    for (const f of runFiles) {
      const bytes = fs.readFileSync(path.join(dir, ...f.rel.split('/')))
      add(`files/${f.rel}`, bytes)
      files.push({ path: `files/${f.rel}`, sha256: sha256(bytes), bytes: bytes.length })
      done += f.bytes
      options.onProgress?.({ done, total })
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    const artifacts = registry.artifacts(runId).flatMap((a) => {
      const rel = path.relative(dir, a.path)
      if (rel.startsWith('..') || path.isAbsolute(rel)) return [] // not inside the run folder: not portable
      return [{ kind: a.kind, epoch: a.epoch, step: a.step, relativePath: rel.split(path.sep).join('/'), sha256: a.sha256, bytes: a.bytes }]
    })
    const data: BundleData = { metrics: registry.metrics(runId), diagnoses: registry.diagnoses(runId), artifacts }
    const dataBytes = Buffer.from(JSON.stringify(data))
    add('run-data.json', dataBytes)
    files.push({ path: 'run-data.json', sha256: sha256(dataBytes), bytes: dataBytes.length })
    const manifest: Manifest = { format: BUNDLE_FORMAT, version: 1, appVersion: APP_VERSION, exportedAt: new Date().toISOString(), run, files }
    add('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2)))
    zip.end()
    if (failure) throw failure
    fs.fsyncSync(fd)
    fs.closeSync(fd)
    fs.renameSync(tmp, target)
    fsyncDir(path.dirname(target))
    return { file: target, files: files.length, bytes: written }
  } catch (e) {
    try {
      fs.closeSync(fd)
    } catch {
      // already closed
    }
    fs.rmSync(tmp, { force: true })
    throw e
  }
}

/** A safe relative entry name: forward slashes, no absolute path, drive letter, `..` or empty part. */
export function safeEntryName(name: string): boolean {
  // No backslashes or colons either: on Windows they are separators, drive letters and streams.
  if (name.length === 0 || name.length > 1024 || name.includes('\\') || name.includes('\0') || name.includes(':')) return false
  if (name.startsWith('/')) return false
  return name.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
}

function readVerified(file: string): { manifest: Manifest; entries: Unzipped } {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(file)
  } catch {
    throw new BundleError(`${file}: no such file`)
  }
  if (stat.isSymbolicLink() || !stat.isFile()) throw new BundleError(`${file}: not a regular file`)
  if (stat.size > MAX_BUNDLE_BYTES) throw new BundleError(`${file}: ${stat.size} bytes is over the ${MAX_BUNDLE_BYTES} byte limit for a bundle`)
  let entries: Unzipped
  try {
    entries = unzipSync(fs.readFileSync(file), {
      filter: (f) => {
        if (!safeEntryName(f.name)) throw new BundleError(`${file}: refused entry "${f.name}" (absolute or escaping path)`)
        if (f.originalSize > MAX_ENTRY_BYTES) throw new BundleError(`${file}: entry "${f.name}" is ${f.originalSize} bytes, over the ${MAX_ENTRY_BYTES} byte limit`)
        return true
      },
    })
  } catch (e) {
    if (e instanceof BundleError) throw e
    throw new BundleError(`${file}: not a readable bundle (${e instanceof Error ? e.message : String(e)})`)
  }
  const raw = entries['manifest.json']
  if (!raw) throw new BundleError(`${file}: no manifest.json (not a GAN Workbench run bundle)`)
  let manifest: Manifest
  try {
    manifest = JSON.parse(Buffer.from(raw).toString('utf8')) as Manifest
  } catch {
    throw new BundleError(`${file}: manifest.json is not valid JSON`)
  }
  if (manifest.format !== BUNDLE_FORMAT || manifest.version !== 1) throw new BundleError(`${file}: not a version-1 ${BUNDLE_FORMAT}`)
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const name of Object.keys(entries)) {
    if (name !== 'manifest.json' && !listed.has(name)) throw new BundleError(`${file}: entry "${name}" is not in the manifest`)
  }
  for (const f of manifest.files) {
    if (!safeEntryName(f.path)) throw new BundleError(`${file}: manifest lists an unsafe path "${f.path}"`)
    const bytes = entries[f.path]
    if (!bytes) throw new BundleError(`${file}: "${f.path}" is listed in the manifest but missing`)
    if (bytes.length !== f.bytes || sha256(bytes) !== f.sha256) throw new BundleError(`${file}: checksum mismatch for "${f.path}" (the bundle was altered or damaged)`)
  }
  return { manifest, entries }
}

export function importBundle(registry: Registry, home: string, file: string): RunRecord {
  const { manifest, entries } = readVerified(path.resolve(file))
  const data = JSON.parse(Buffer.from(entries['run-data.json'] ?? Buffer.from('{}')).toString('utf8')) as BundleData
  // Files go to a folder of their own first; the registry row is added once they are durable.
  const staging = path.join(home, 'runs', `.import-${process.pid}-${Date.now()}`)
  fs.mkdirSync(staging, { recursive: true })
  try {
    for (const f of manifest.files) {
      if (!f.path.startsWith('files/')) continue
      const target = path.join(staging, ...f.path.slice('files/'.length).split('/'))
      fs.mkdirSync(path.dirname(target), { recursive: true })
      writeFileDurable(target, entries[f.path]!)
    }
    fsyncDir(staging)
    let placed: string | null = null
    const run = (() => { try { return registry.importRun({
      run: manifest.run,
      metrics: data.metrics ?? {},
      diagnoses: data.diagnoses ?? [],
      tags: [`imported-from-run-${manifest.run.id}`],
      artifacts: (data.artifacts ?? []).map((a) => ({ kind: a.kind, epoch: a.epoch, step: a.step, sha256: a.sha256, bytes: a.bytes, path: a.relativePath, relativePath: a.relativePath })),
      placeArtifact: (runId, a) => {
        if (!placed) {
          const dir = runDir(home, runId)
          if (fs.existsSync(dir)) throw new ConflictError(`${dir} already exists: refusing to mix an imported run into it`)
          fs.mkdirSync(path.dirname(dir), { recursive: true })
          fs.renameSync(staging, dir)
          placed = dir
        }
        return path.join(runDir(home, runId), ...(a.relativePath ?? a.path).split('/'))
      },
    }) } catch (e) {
      // The registry rolled back: take the files back out too.
      if (placed) fs.rmSync(placed, { recursive: true, force: true })
      throw e
    } })()
    if (!placed) {
      const dir = runDir(home, run.id)
      if (!fs.existsSync(dir)) fs.renameSync(staging, dir)
    }
    return run
  } finally {
    if (fs.existsSync(staging)) fs.rmSync(staging, { recursive: true, force: true })
  }
}
