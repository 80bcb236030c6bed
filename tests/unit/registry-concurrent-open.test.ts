/**
 * Two processes opening a new data directory at once (two `train` commands started together, a trainer
 * beside the server): both read schema version 0 before either upgrades, and the second to take the
 * write lock must find the schema already there instead of running the migrations again ("table
 * experiments already exists" took one of two runs down before).
 *
 * The race is made certain, not hoped for: a third connection holds the write lock while both
 * processes open the registry, so both read version 0 and then wait; it lets go once both have started.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../src-main/registry/migrations'
import { tmpDir } from '../helpers/tmp'

const DATABASE_MODULE = path.resolve(__dirname, '../../src-main/registry/database.ts')

interface Opener {
  started: Promise<void>
  done: Promise<{ code: number | null; output: string }>
}

/** A process that opens the registry through openDatabase and prints "opened" or the error. */
function openInChild(script: string, file: string): Opener {
  const child = spawn(process.execPath, ['--import', 'tsx', script, file], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  let markStarted: () => void = () => {}
  const started = new Promise<void>((resolve) => (markStarted = resolve))
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (output.includes('opening')) markStarted()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => {
      markStarted()
      resolve({ code, output })
    }),
  )
  return { started, done }
}

describe('opening a new registry from two processes at once', () => {
  let t: ReturnType<typeof tmpDir>
  beforeEach(() => (t = tmpDir()))
  afterEach(() => t.cleanup())

  it('upgrades it once; both processes open it', async () => {
    const file = path.join(t.dir, 'home', 'registry.sqlite')
    fs.mkdirSync(path.dirname(file), { mode: 0o700 })
    const script = path.join(t.dir, 'open.mts')
    fs.writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(DATABASE_MODULE)}
console.log('opening')
try {
  const db = await openDatabase(process.argv[2])
  db.close()
  console.log('opened')
} catch (e) {
  console.log('failed: ' + e.message)
  process.exitCode = 1
}
`,
    )
    // In WAL, as openDatabase leaves it, readers do not wait for the writer: both read version 0.
    const lock = new Database(file)
    lock.pragma('journal_mode = WAL')
    lock.exec('BEGIN IMMEDIATE')
    const openers = [openInChild(script, file), openInChild(script, file)]
    await Promise.all(openers.map((o) => o.started))
    // Both have started opening; give them time to read the version and block on the lock.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    lock.exec('ROLLBACK')
    lock.close()

    const results = await Promise.all(openers.map((o) => o.done))
    for (const result of results) {
      expect(result.output).toContain('opened')
      expect(result.code).toBe(0)
    }
    const db = new Database(file, { readonly: true })
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
      const runs = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get()
      expect(runs).toEqual({ n: 1 })
    } finally {
      db.close()
    }
  }, 60_000)
})
