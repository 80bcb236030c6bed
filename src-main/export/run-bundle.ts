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
import type { z } from 'zod'
import type { RunRecord } from '../../src-shared/domain/run'
import { validateExperiment } from '../../src-shared/config/validate'
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import { ConfigError, fieldErrors } from '../../src-shared/config/errors'
import type { Registry } from '../registry/registry'
import { runDir } from '../platform/paths'
import { APP_VERSION } from '../platform/version'
import { ConflictError } from '../util/errors'
import { fsyncDir, sha256, writeFileDurable } from '../util/atomic-fs'
import { confinedPath, PathEscapeError } from '../util/confined-path'
import { readRegularFile } from '../util/regular-file'
import { artifactPath } from '../registry/artifact-files'
import {
  BUNDLE_FORMAT,
  manifestSchema,
  MAX_BUNDLE_BYTES,
  MAX_ENTRIES,
  MAX_ENTRY_BYTES,
  MAX_UNPACKED_BYTES,
  runDataSchema,
  safeEntryName,
  type Manifest,
  type RunData,
} from './bundle-schema'

export { BUNDLE_FORMAT, MAX_BUNDLE_BYTES, safeEntryName } from './bundle-schema'

export class BundleError extends Error {
  override name = 'BundleError'
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
export async function exportBundle(
  registry: Registry,
  home: string,
  runId: number,
  outFile: string,
  options: { force?: boolean; onProgress?: (p: BundleProgress) => void } = {},
): Promise<BundleResult> {
  const target = path.resolve(outFile)
  if (fs.existsSync(target) && !options.force)
    throw new ConflictError(`${target} exists: choose another --out, or pass --force to replace it`)
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
      // Listed as a regular file a moment ago; read as one (confined, no symlink), in case it was swapped since.
      const bytes = readRegularFile(confinedPath(dir, f.rel, `run ${runId}'s file`), {
        maxBytes: MAX_ENTRY_BYTES,
        noFollow: true,
        fail: (problem) => new ConflictError(`run ${runId}'s file ${f.rel} ${problem}`),
      })
      add(`files/${f.rel}`, bytes)
      files.push({ path: `files/${f.rel}`, sha256: sha256(bytes), bytes: bytes.length })
      done += f.bytes
      options.onProgress?.({ done, total })
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    const artifacts = registry.artifacts(runId).flatMap((a) => {
      let inside: string
      try {
        inside = artifactPath(home, a)
      } catch (e) {
        if (e instanceof PathEscapeError) return [] // not inside the run folder: neither portable nor ours to ship
        throw e
      }
      return [
        {
          kind: a.kind,
          epoch: a.epoch,
          step: a.step,
          relativePath: path.relative(dir, inside).split(path.sep).join('/'),
          sha256: a.sha256,
          bytes: a.bytes,
        },
      ]
    })
    const data: RunData = { metrics: registry.metrics(runId), diagnoses: registry.diagnoses(runId), artifacts }
    const dataBytes = Buffer.from(JSON.stringify(data))
    add('run-data.json', dataBytes)
    files.push({ path: 'run-data.json', sha256: sha256(dataBytes), bytes: dataBytes.length })
    const manifest: Omit<Manifest, 'run'> & { run: RunRecord } = {
      format: BUNDLE_FORMAT,
      version: 1,
      appVersion: APP_VERSION,
      exportedAt: new Date().toISOString(),
      run,
      files,
    }
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

/** A zod failure as one line naming the file and each field. */
function schemaProblem(bundle: string, name: string, error: z.ZodError): BundleError {
  const fields = fieldErrors(error).map((f) => `${f.path || '(root)'}: ${f.message}`)
  return new BundleError(
    `${bundle}: ${name}: ${fields.slice(0, 5).join('; ')}${fields.length > 5 ? `; and ${fields.length - 5} more` : ''}`,
  )
}

function parseJsonEntry(bundle: string, name: string, bytes: Uint8Array | undefined): unknown {
  if (!bytes) throw new BundleError(`${bundle}: no ${name}${name === 'manifest.json' ? ' (not a GAN Workbench run bundle)' : ''}`)
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    throw new BundleError(`${bundle}: ${name} is not valid JSON`)
  }
}

/**
 * Reads the archive and checks everything but the disk: entry names (zip-slip), duplicates, the
 * number of entries and their claimed sizes (each and together, before anything is
 * decompressed), both JSON files against their schemas, every listed file's size and checksum.
 */
function readVerified(file: string): { manifest: Manifest; data: RunData; entries: Unzipped } {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(file)
  } catch {
    throw new BundleError(`${file}: no such file`)
  }
  if (stat.isSymbolicLink() || !stat.isFile()) throw new BundleError(`${file}: not a regular file`)
  if (stat.size > MAX_BUNDLE_BYTES)
    throw new BundleError(`${file}: ${stat.size} bytes is over the ${MAX_BUNDLE_BYTES} byte limit for a bundle`)
  const archive = readRegularFile(file, {
    maxBytes: MAX_BUNDLE_BYTES,
    noFollow: true,
    fail: (problem) => new BundleError(`${file}: ${problem}`),
  })
  let entries: Unzipped
  const seen = new Set<string>()
  let unpacked = 0
  try {
    entries = unzipSync(archive, {
      filter: (f) => {
        if (!safeEntryName(f.name)) throw new BundleError(`${file}: refused entry "${f.name}" (absolute or escaping path)`)
        if (seen.has(f.name)) throw new BundleError(`${file}: entry "${f.name}" appears twice in the archive`)
        seen.add(f.name)
        if (seen.size > MAX_ENTRIES + 2) throw new BundleError(`${file}: more than ${MAX_ENTRIES} entries`)
        if (f.originalSize > MAX_ENTRY_BYTES)
          throw new BundleError(`${file}: entry "${f.name}" is ${f.originalSize} bytes, over the ${MAX_ENTRY_BYTES} byte limit`)
        unpacked += Math.max(f.originalSize, f.size)
        if (unpacked > MAX_UNPACKED_BYTES)
          throw new BundleError(`${file}: its entries unpack to more than ${MAX_UNPACKED_BYTES} bytes, the limit for a bundle`)
        return true
      },
    })
  } catch (e) {
    if (e instanceof BundleError) throw e
    throw new BundleError(`${file}: not a readable bundle (${e instanceof Error ? e.message : String(e)})`)
  }
  const rawManifest = parseJsonEntry(file, 'manifest.json', entries['manifest.json']) as { format?: unknown; version?: unknown }
  if (rawManifest?.format !== BUNDLE_FORMAT || rawManifest.version !== 1) throw new BundleError(`${file}: not a version-1 ${BUNDLE_FORMAT}`)
  const parsed = manifestSchema.safeParse(rawManifest)
  if (!parsed.success) throw schemaProblem(file, 'manifest.json', parsed.error)
  const manifest = parsed.data
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const name of Object.keys(entries)) {
    if (name !== 'manifest.json' && !listed.has(name)) throw new BundleError(`${file}: entry "${name}" is not in the manifest`)
  }
  for (const f of manifest.files) {
    const bytes = entries[f.path]
    if (!bytes) throw new BundleError(`${file}: "${f.path}" is listed in the manifest but missing`)
    if (bytes.length !== f.bytes || sha256(bytes) !== f.sha256)
      throw new BundleError(`${file}: checksum mismatch for "${f.path}" (the bundle was altered or damaged)`)
    if (f.path !== 'run-data.json' && !f.path.startsWith('files/'))
      throw new BundleError(`${file}: entry "${f.path}" is neither run-data.json nor under files/`)
  }
  // A file and a folder of the same name cannot both be placed (files/a and files/a/b).
  for (const f of manifest.files) {
    const parts = f.path.split('/')
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/')
      if (listed.has(prefix)) throw new BundleError(`${file}: "${prefix}" is both a file and the folder of "${f.path}"`)
    }
  }
  if (!listed.has('run-data.json')) throw new BundleError(`${file}: run-data.json is not in the manifest`)
  const dataParsed = runDataSchema.safeParse(parseJsonEntry(file, 'run-data.json', entries['run-data.json']))
  if (!dataParsed.success) throw schemaProblem(file, 'run-data.json', dataParsed.error)
  const data = dataParsed.data
  // Each artifact names a file of the bundle, or the folder of some (a checkpoint).
  for (const [i, a] of data.artifacts.entries()) {
    const full = `files/${a.relativePath}`
    if (!listed.has(full) && !manifest.files.some((f) => f.path.startsWith(`${full}/`))) {
      throw new BundleError(
        `${file}: run-data.json: artifacts[${i}].relativePath: "${a.relativePath}" is not a file or folder of the bundle`,
      )
    }
  }
  try {
    manifest.run.config = validateExperiment(manifest.run.config).config
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    const fields = e.errors.map((f) => `run.config${f.path ? `.${f.path}` : ''}: ${f.message}`)
    throw new BundleError(
      `${file}: manifest.json: ${fields.slice(0, 5).join('; ')}${fields.length > 5 ? `; and ${fields.length - 5} more` : ''}`,
    )
  }
  return { manifest, data, entries }
}

export function importBundle(registry: Registry, home: string, file: string): RunRecord {
  const bundle = path.resolve(file)
  const { manifest, data, entries } = readVerified(bundle)
  // Files go to a folder of their own first; the registry row is added once they are durable.
  const staging = path.join(home, 'runs', `.import-${process.pid}-${Date.now()}`)
  fs.mkdirSync(staging, { recursive: true })
  try {
    for (const f of manifest.files) {
      if (!f.path.startsWith('files/')) continue
      const target = confinedPath(staging, f.path.slice('files/'.length), `${bundle}: entry`)
      try {
        fs.mkdirSync(path.dirname(target), { recursive: true })
        writeFileDurable(target, entries[f.path]!)
      } catch (e) {
        throw new BundleError(`${bundle}: entry "${f.path}" cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
      }
    }
    fsyncDir(staging)
    let placed: string | null = null
    const run = (() => {
      try {
        return registry.importRun({
          run: { ...manifest.run, config: manifest.run.config as ExperimentConfig },
          metrics: data.metrics,
          diagnoses: data.diagnoses,
          tags: [`imported-from-run-${manifest.run.id}`],
          artifacts: data.artifacts.map((a) => ({
            kind: a.kind,
            epoch: a.epoch,
            step: a.step,
            sha256: a.sha256,
            bytes: a.bytes,
            path: a.relativePath,
            relativePath: a.relativePath,
          })),
          placeArtifact: (runId, a) => {
            const dir = runDir(home, runId)
            if (!placed) {
              if (fs.existsSync(dir)) throw new ConflictError(`${dir} already exists: refusing to mix an imported run into it`)
              fs.mkdirSync(path.dirname(dir), { recursive: true })
              fs.renameSync(staging, dir)
              placed = dir
            }
            // Checked again where it now lies: inside the run's folder, no symlink out (realpath).
            return confinedPath(dir, a.relativePath ?? a.path, `${bundle}: artifact`)
          },
        })
      } catch (e) {
        // The registry rolled back: take the files back out too.
        if (placed) fs.rmSync(placed, { recursive: true, force: true })
        if (e instanceof PathEscapeError) throw new BundleError(e.message)
        throw e
      }
    })()
    if (!placed) {
      const dir = runDir(home, run.id)
      if (!fs.existsSync(dir)) fs.renameSync(staging, dir)
    }
    return run
  } catch (e) {
    if (e instanceof PathEscapeError) throw new BundleError(e.message)
    throw e
  } finally {
    if (fs.existsSync(staging)) fs.rmSync(staging, { recursive: true, force: true })
  }
}
