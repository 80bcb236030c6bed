/**
 * Exports started from the UI: written into the data dir's exports/ folder (the UI may be a browser
 * on another machine, so it cannot pick a path here), with progress events, and each result
 * available as one downloadable file (bundles as they are; folder exports also zipped).
 */
import fs from 'node:fs'
import path from 'node:path'
import { zipSync } from 'fflate'
import type { ExportKind, ExportOutcome, ExportProgressEvent } from '../../src-shared/contract'
import type { Registry } from '../registry/registry'
import { writeFileAtomic } from '../util/atomic-fs'
import { exportRun } from './export-run'
import { exportBundle } from './run-bundle'
import { confinedPath } from '../util/confined-path'

export const EXPORTS_DIR = 'exports'

/** Names the server may hand out from exports/: flat, no separators, made by `exportName`. */
export const EXPORT_FILE_NAME = /^run-\d+-[a-z]+-\d{8}T\d{6}(-\d+)?\.(gwbundle|zip)$/

function exportName(home: string, runId: number, format: ExportKind): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)
  const base = `run-${runId}-${format}-${stamp}`
  const taken = (name: string) => ['', '.zip', '.gwbundle'].some((ext) => fs.existsSync(path.join(home, EXPORTS_DIR, name + ext)))
  if (!taken(base)) return base
  let i = 2
  while (taken(`${base}-${i}`)) i++
  return `${base}-${i}`
}

function listFolder(dir: string, base = dir): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {}
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name)
    const rel = path.relative(base, full).split(path.sep).join('/')
    if (e.isDirectory()) Object.assign(out, listFolder(full, base))
    else if (e.isFile()) out[rel] = fs.readFileSync(full)
  }
  return out
}

export async function exportForUi(
  registry: Registry,
  home: string,
  request: { id: number; format: ExportKind; step?: number },
  progress: (e: ExportProgressEvent) => void,
): Promise<ExportOutcome> {
  const { id: runId, format } = request
  registry.getRun(runId) // not_found before anything is written
  const dir = confinedPath(home, EXPORTS_DIR, 'the exports folder')
  fs.mkdirSync(dir, { recursive: true })
  const name = exportName(home, runId, format)
  if (format === 'bundle') {
    const file = path.join(dir, `${name}.gwbundle`)
    const r = await exportBundle(registry, home, runId, file, {
      onProgress: ({ done, total }) => progress({ runId, format, stage: 'bundling', done, total }),
    })
    progress({ runId, format, stage: 'done', done: r.bytes, total: r.bytes })
    return { runId, format, path: r.file, bytes: r.bytes, files: [path.basename(r.file)], download: path.basename(r.file) }
  }
  progress({ runId, format, stage: 'exporting', done: 0, total: 2 })
  const r = await exportRun(registry, runId, format, path.join(dir, name), { step: request.step })
  progress({ runId, format, stage: 'zipping', done: 1, total: 2 })
  const zip = zipSync(Object.fromEntries(Object.entries(listFolder(r.dir)).map(([k, v]) => [`${name}/${k}`, v])))
  writeFileAtomic(path.join(dir, `${name}.zip`), zip)
  progress({ runId, format, stage: 'done', done: 2, total: 2 })
  const bytes = r.files.reduce((n, f) => n + fs.statSync(path.join(r.dir, f)).size, 0)
  return { runId, format, path: r.dir, bytes, files: r.files, download: `${name}.zip` }
}

/** The file behind `/exports/<name>`, or null when the name is not one `exportForUi` makes or is missing. */
export function resolveExportDownload(home: string, name: string): string | null {
  if (!EXPORT_FILE_NAME.test(name)) return null
  const file = path.join(home, EXPORTS_DIR, name)
  try {
    const stat = fs.lstatSync(file)
    return stat.isFile() ? file : null
  } catch {
    return null
  }
}
