/**
 * Run bundles: export → import into an empty data dir gives the same run, metrics and artifacts;
 * altered, escaping or padded bundles are refused before anything is written; import never
 * replaces a run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { strToU8, unzipSync, zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { Registry } from '../../src-main/registry/registry'
import { selectBackend } from '../../src-main/training/backend'
import { trainRun, totalSteps } from '../../src-main/training/train-run'
import { exportBundle, importBundle, safeEntryName } from '../../src-main/export/run-bundle'
import { sha256 } from '../../src-main/util/atomic-fs'
import { tmpDir } from '../helpers/tmp'
import { thisProcess } from '../../src-main/util/process-identity'

let t: ReturnType<typeof tmpDir>
let source: Registry
let runId: number
let bundle: string
const homeA = () => path.join(t.dir, 'a')

beforeAll(async () => {
  await selectBackend('auto')
  t = tmpDir()
  fs.mkdirSync(homeA())
  source = await Registry.open(path.join(homeA(), 'registry.sqlite'), { owner: thisProcess() })
  const config = validateExperiment(
    applyOverrides(requirePreset('mlp-2d-ring8').config, ['training.epochs=2', 'training.stepsPerEpoch=10', 'training.checkpointEvery=1']),
  ).config
  runId = source.createRun({ name: 'travels', config, totalSteps: totalSteps(config) }).id
  expect(await trainRun(source, homeA(), runId, { progress: () => {}, status: () => {}, stopRequested: () => false })).toBe('completed')
  source.tag(runId, ['keep'])
  bundle = path.join(t.dir, 'travels.gwbundle')
  const progress: { done: number; total: number }[] = []
  await exportBundle(source, homeA(), runId, bundle, { onProgress: (p) => progress.push(p) })
  // Progress climbs file by file to the total of the run's files.
  expect(progress.length).toBeGreaterThan(2)
  expect(progress.every((p, i) => i === 0 || p.done >= progress[i - 1]!.done)).toBe(true)
  expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total)
  expect(progress.at(-1)!.total).toBeGreaterThan(0)
  expect(fs.readdirSync(t.dir).filter((f) => f.includes('.tmp-'))).toEqual([])
})
afterAll(() => {
  source.close()
  t.cleanup()
})

async function freshHome(name: string) {
  const home = path.join(t.dir, name)
  fs.mkdirSync(home)
  return { home, registry: await Registry.open(path.join(home, 'registry.sqlite'), { owner: thisProcess() }) }
}

function rezip(mutate: (entries: Record<string, Uint8Array>) => void): string {
  const entries = unzipSync(fs.readFileSync(bundle))
  mutate(entries)
  const file = path.join(t.dir, `altered-${Math.random().toString(36).slice(2)}.gwbundle`)
  fs.writeFileSync(file, zipSync(entries))
  return file
}

describe('run bundles', () => {
  it('round-trips a run into an empty data dir: record, metrics, artifacts and their bytes', async () => {
    const { home, registry } = await freshHome('b')
    try {
      const imported = importBundle(registry, home, bundle)
      const original = source.getRun(runId)
      expect(imported).toMatchObject({
        name: 'travels',
        status: 'completed',
        step: original.step,
        totalSteps: original.totalSteps,
        config: original.config,
        backend: original.backend,
      })
      expect(imported.tags).toEqual(['imported-from-run-1', 'keep'])
      expect(registry.metrics(imported.id)).toEqual(source.metrics(runId))
      const a = source.artifacts(runId)
      const b = registry.artifacts(imported.id)
      expect(b.map((x) => [x.kind, x.epoch, x.step, x.sha256])).toEqual(a.map((x) => [x.kind, x.epoch, x.step, x.sha256]))
      for (const [i, art] of b.entries()) {
        expect(art.path.startsWith(home)).toBe(true)
        if (fs.statSync(art.path).isFile()) expect(sha256(fs.readFileSync(art.path))).toBe(a[i]!.sha256)
      }
      // A second import is a second run: nothing is replaced.
      expect(importBundle(registry, home, bundle).id).not.toBe(imported.id)
      expect(registry.listRuns()).toHaveLength(2)
    } finally {
      registry.close()
    }
  })

  it('refuses altered bytes, entries outside the manifest and escaping names, writing nothing', async () => {
    const { home, registry } = await freshHome('c')
    try {
      const tampered = rezip((e) => {
        const name = Object.keys(e).find((n) => n.startsWith('files/') && n.endsWith('.json'))!
        e[name] = strToU8('{"tampered": true}')
      })
      expect(() => importBundle(registry, home, tampered)).toThrowError(/checksum mismatch for "files\//)
      const extra = rezip((e) => {
        e['files/extra.bin'] = strToU8('x')
      })
      expect(() => importBundle(registry, home, extra)).toThrowError(/entry "files\/extra.bin" is not in the manifest/)
      const escaping = rezip((e) => {
        e['../../evil.sh'] = strToU8('echo owned')
      })
      expect(() => importBundle(registry, home, escaping)).toThrowError(/refused entry "..\/..\/evil.sh"/)
      fs.writeFileSync(path.join(t.dir, 'junk.gwbundle'), 'not a zip')
      expect(() => importBundle(registry, home, path.join(t.dir, 'junk.gwbundle'))).toThrowError(/not a readable bundle/)
      expect(registry.listRuns()).toEqual([])
      expect(fs.existsSync(path.join(t.dir, 'evil.sh'))).toBe(false)
      expect(fs.existsSync(path.join(home, 'runs')) ? fs.readdirSync(path.join(home, 'runs')) : []).toEqual([])
    } finally {
      registry.close()
    }
  })

  it('refuses a symlinked bundle and an entry that claims to be over the size limit, writing nothing', async () => {
    const { home, registry } = await freshHome('d')
    try {
      const link = path.join(t.dir, 'link.gwbundle')
      fs.symlinkSync(bundle, link)
      expect(() => importBundle(registry, home, link)).toThrowError(/link\.gwbundle: not a regular file/)
      // Patch the central directory: the first entry now claims 3.8 GiB uncompressed.
      const bytes = Buffer.from(fs.readFileSync(bundle))
      const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
      bytes.writeUInt32LE(0xf0000000, central + 24)
      const huge = path.join(t.dir, 'huge.gwbundle')
      fs.writeFileSync(huge, bytes)
      expect(() => importBundle(registry, home, huge)).toThrowError(/is 4026531840 bytes, over the \d+ byte limit/)
      expect(registry.listRuns()).toEqual([])
    } finally {
      registry.close()
    }
  })

  it('accepts only plain relative entry names', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'C:/x', 'a\\b', 'a//b', './a', '']) expect(safeEntryName(bad), bad).toBe(false)
    for (const good of ['manifest.json', 'files/checkpoints/step-20/weights.bin']) expect(safeEntryName(good)).toBe(true)
  })
})
