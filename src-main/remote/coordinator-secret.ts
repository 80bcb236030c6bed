/**
 * The coordinator's secret (`coordinator.secret` in its data dir, 0600): job tokens for the
 * /remote/ routes and the worker key that signs queue jobs both derive from it. Created once.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'

export const SECRET_FILE = 'coordinator.secret'

export function loadCoordinatorSecret(home: string): Buffer {
  const file = path.join(home, SECRET_FILE)
  try {
    return fs.readFileSync(file)
  } catch {
    fs.mkdirSync(home, { recursive: true })
    try {
      fs.writeFileSync(file, crypto.randomBytes(32), { mode: 0o600, flag: 'wx' })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    return fs.readFileSync(file)
  }
}
