/**
 * Files only their owner may read: the data directory (0700) and every file in it that holds a
 * secret (0600: the instance lock carries the server's URL with its token, coordinator.secret the
 * key behind job tokens). Creating applies the mode whatever the umask; for what already exists
 * (made by an older version, or loosened by hand), group and other permissions are taken away at
 * start-up, for files and folders this user owns. Not on Windows, whose ACLs these modes do not map.
 */
import fs from 'node:fs'

const POSIX = process.platform !== 'win32'

function tighten(p: string, mode: 0o700 | 0o600): string | null {
  if (!POSIX) return null
  const stat = fs.lstatSync(p, { throwIfNoEntry: false })
  if (!stat || stat.isSymbolicLink() || (stat.mode & 0o077) === 0) return null
  if (process.getuid && stat.uid !== process.getuid()) return null // not ours to change
  fs.chmodSync(p, mode)
  return `${p}: was ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, now ${mode.toString(8).padStart(4, '0')}`
}

/** Creates `dir` (and missing parents) 0700, or tightens it; returns what changed, if anything. */
export function ensurePrivateDir(dir: string): string | null {
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    if (POSIX) fs.chmodSync(dir, 0o700) // the umask may have taken bits away, never added: this is exact
    return null
  }
  return tighten(dir, 0o700)
}

/** Tightens an existing file that holds a secret to 0600; returns what changed, if anything. */
export function ensurePrivateFile(file: string): string | null {
  return tighten(file, 0o600)
}

/** Writes a new file that holds a secret, 0600 from its first byte (`wx`: never over another). */
export function writePrivateFileExclusive(file: string, data: string | Uint8Array): void {
  fs.writeFileSync(file, data, { flag: 'wx', mode: 0o600 })
}
