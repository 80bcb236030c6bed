/**
 * The AUTOINCREMENT migration (runs rebuilt so ids are never reused, artifacts unique per step) on a copy of a real
 * registry written by the code before it (tests/fixtures/registry-v7.sqlite, made by
 * tests/fixtures/make-registry-v7.ts at commit a103ca5): every row and every reference between
 * tables survives, the duplicates the old code recorded collapse to one, ids are never reused.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Registry } from '../../src-main/registry/registry'
import { MIGRATIONS } from '../../src-main/registry/migrations'
import { tmpDir } from '../helpers/tmp'
import { thisProcess } from '../../src-main/util/process-identity'

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'registry-v7.sqlite')

/** Every table's rows, in a stable order, without the column the AUTOINCREMENT migration adds (pid_started). */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true })
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
        name: string
      }[]
    ).map((t) => t.name)
    return Object.fromEntries(
      tables.map((name) => {
        const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]
        const clean = rows.map(({ pid_started: _, ...rest }) => rest)
        return [name, clean.map((r) => JSON.stringify(r)).sort()]
      }),
    )
  } finally {
    db.close()
  }
}

describe('the AUTOINCREMENT migration on a registry written by the previous code', () => {
  let t: ReturnType<typeof tmpDir>
  let file: string
  /** An untouched copy to compare with (opening the fixture itself, even read-only, would leave WAL files beside it). */
  let original: string
  beforeEach(() => {
    t = tmpDir()
    file = path.join(t.dir, 'registry.sqlite')
    original = path.join(t.dir, 'original', 'registry.sqlite')
    fs.mkdirSync(path.dirname(original))
    fs.copyFileSync(FIXTURE, file)
    fs.copyFileSync(FIXTURE, original)
  })
  afterEach(() => t.cleanup())

  it('keeps every row and reference, collapses duplicate artifacts, and never reuses an id again', async () => {
    const before = dump(file)
    const v7 = new Database(file, { readonly: true })
    expect(v7.pragma('user_version', { simple: true })).toBe(7)
    const duplicates = (v7.prepare('SELECT count(*) - count(DISTINCT run_id || kind || step) AS n FROM artifacts').get() as { n: number }).n
    v7.close()
    expect(duplicates).toBe(2) // the fixture holds what the old code recorded twice

    const r = await Registry.open(file, { owner: thisProcess() })
    expect(r.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(r.db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(r.db.pragma('foreign_key_check')).toEqual([])
    expect(r.db.pragma('foreign_keys', { simple: true })).toBe(1)
    // AUTOINCREMENT is in the table's definition now, and indexes are back.
    expect((r.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'runs'").get() as { sql: string }).sql).toMatch(
      /id INTEGER PRIMARY KEY AUTOINCREMENT/,
    )
    const indexes = (
      r.db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('runs', 'artifacts') AND sql IS NOT NULL ORDER BY name",
        )
        .all() as { name: string }[]
    ).map((x) => x.name)
    expect(indexes).toEqual(['artifacts_once', 'artifacts_run', 'runs_experiment', 'runs_status', 'runs_sweep'])
    r.close()

    const after = dump(file)
    // Every table is still there; a table a later migration adds starts empty.
    expect(Object.keys(after)).toEqual(expect.arrayContaining(Object.keys(before)))
    for (const table of Object.keys(after).filter((name) => !(name in before))) expect(after[table], table).toEqual([])
    for (const table of Object.keys(before)) {
      if (table === 'artifacts') continue
      expect(after[table], table).toEqual(before[table])
    }
    // Artifacts: the same set minus the two duplicates (the last one recorded stays).
    expect(after.artifacts).toHaveLength(before.artifacts!.length - 2)
    expect(after.artifacts!.every((a) => before.artifacts!.includes(a))).toBe(true)

    // The references the rebuild must keep, read through the app.
    const r2 = await Registry.open(file, { owner: thisProcess() })
    try {
      expect(r2.listRuns().map((x) => [x.id, x.name, x.status])).toEqual([
        [4, 'last', 'interrupted'],
        [3, 'run-3', 'queued'],
        [2, 'fork', 'stopped'],
        [1, 'first', 'completed'],
      ])
      expect(r2.getRun(2)).toMatchObject({ parentRunId: 1, parentEpoch: 1 })
      expect(r2.getRun(1)).toMatchObject({
        tags: ['baseline', 'good'],
        notes: 'the baseline',
        step: 40,
        lastMetrics: { dLoss: expect.any(Number) },
      })
      expect(r2.getRun(3).sweepId).toBe(1)
      expect(r2.artifacts(1, 'checkpoint').map((a) => a.step)).toEqual([20, 40])
      expect(r2.metrics(1).dLoss).toHaveLength(40)
      expect(r2.listTransfers(4)).toHaveLength(1)
      // Deleting cascades as before (the rebuilt table is the one the others reference).
      r2.deleteRun(2)
      expect(r2.db.prepare('SELECT count(*) AS n FROM metrics WHERE run_id = 2').get()).toEqual({ n: 0 })
      // New ids continue past the highest, and a deleted one is never issued again.
      const next = r2.createRun({ config: r2.getRun(1).config, totalSteps: 40 })
      expect(next.id).toBe(5)
      r2.setStatus(next.id, 'stopped')
      r2.deleteRun(next.id)
      expect(r2.createRun({ config: r2.getRun(1).config, totalSteps: 40 }).id).toBe(6)
    } finally {
      r2.close()
    }
    // The pre-migration backup is the untouched original.
    const backup = fs.readdirSync(t.dir).find((f) => f.startsWith('registry.sqlite.v7.backup-'))!
    expect(dump(path.join(t.dir, backup))).toEqual(before)
  })

  it('leaves the registry as it was when the upgrade would break a reference', async () => {
    const broken = [...MIGRATIONS, 'DELETE FROM experiments;'] // runs would point at no experiment
    await expect(Registry.open(file, { owner: thisProcess(), migrations: broken })).rejects.toThrow(
      /would break \d+ references between its tables; it was left as it was/,
    )
    const db = new Database(file, { readonly: true })
    expect(db.pragma('user_version', { simple: true })).toBe(7)
    db.close()
    expect(dump(file)).toEqual(dump(original))
  })
})
