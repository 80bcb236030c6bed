/**
 * Opens the registry database: WAL, foreign keys, a busy timeout so concurrent writers (a trainer
 * process and the UI's server) wait instead of failing, and migrations on `user_version`.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { MIGRATIONS } from './migrations'
import { ensurePrivateDir } from '../util/private-files'

export type Db = Database.Database

export class RegistryError extends Error {
  override name = 'RegistryError'
}

export interface OpenOptions {
  /** Path to a better-sqlite3 binary built for another ABI (Electron); see src-main/electron. */
  nativeBinding?: string
  readonly?: boolean
  /** The migration list; tests pass longer lists to exercise upgrades. */
  migrations?: readonly string[]
}

const SQLITE_HEADER = 'SQLite format 3\0'

function assertLooksLikeSqlite(file: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(file, 'r')
    const header = Buffer.alloc(16)
    const read = fs.readSync(fd, header, 0, 16, 0)
    if (read === 0) return // empty file: SQLite initialises it
    if (read < 16 || header.toString('latin1') !== SQLITE_HEADER) {
      throw new RegistryError(
        `${file} is not a GAN Workbench registry (not an SQLite database). Move it aside or choose another data directory with --home.`,
      )
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

export async function openDatabase(file: string, options: OpenOptions = {}): Promise<Db> {
  // The data dir: created 0700, or tightened to it (whoever opens the registry first: CLI, server, worker).
  ensurePrivateDir(path.dirname(file))
  if (fs.existsSync(file)) assertLooksLikeSqlite(file)
  let db: Db
  try {
    db = new Database(file, { nativeBinding: options.nativeBinding, readonly: options.readonly ?? false })
  } catch (e) {
    throw new RegistryError(`cannot open the registry at ${file}: ${(e as Error).message}`)
  }
  try {
    db.pragma('busy_timeout = 10000')
    // Check the version before anything writes: a newer app's registry must stay byte-for-byte intact.
    const migrations = options.migrations ?? MIGRATIONS
    const latest = migrations.length
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > latest) {
      throw new RegistryError(
        `the registry at ${file} was written by a newer GAN Workbench (schema ${version}; this version knows ${latest}). ` +
          'Update the app, or use another data directory with --home.',
      )
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = ON')
    if (version < latest && !options.readonly) await migrate(db, file, version, migrations)
    return db
  } catch (e) {
    db.close()
    if (e instanceof RegistryError) throw e
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new RegistryError(`${file} is not a GAN Workbench registry (not an SQLite database).`)
    }
    throw e
  }
}

async function migrate(db: Db, file: string, from: number, migrations: readonly string[]): Promise<void> {
  if (from > 0) {
    // An existing registry is backed up before its schema changes.
    const backup = `${file}.v${from}.backup-${new Date().toISOString().replace(/[:.]/g, '-')}`
    await db.backup(backup)
  }
  // A migration may rebuild a table (DROP, then RENAME a copy): with foreign keys on, the DROP
  // would cascade into every table that references it. They are off for the migration (the pragma
  // is a no-op inside a transaction) and the result is checked before the commit.
  const brokenBefore = (db.pragma('foreign_key_check') as unknown[]).length
  db.pragma('foreign_keys = OFF')
  try {
    const apply = db.transaction(() => {
      // Read again under the write lock: two processes opening a new data directory at once (two
      // `train` commands, a trainer and the server) both saw the old version; the second to take
      // the lock finds the schema already upgraded and must not run the migrations again.
      const current = db.pragma('user_version', { simple: true }) as number
      if (current >= migrations.length) return
      for (let v = current; v < migrations.length; v++) db.exec(migrations[v]!)
      const broken = (db.pragma('foreign_key_check') as unknown[]).length
      if (broken > brokenBefore)
        throw new RegistryError(
          `upgrading the registry at ${file} would break ${broken - brokenBefore} references between its tables; it was left as it was`,
        )
      db.pragma(`user_version = ${migrations.length}`)
    })
    apply.immediate()
  } finally {
    db.pragma('foreign_keys = ON')
  }
}
