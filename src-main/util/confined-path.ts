/**
 * The one confinement rule for every path that comes from outside the process: a bundle's
 * `relativePath`, a registry row's artifact path, a checkpoint folder, a dataset path sent by a
 * browser. The path must name something strictly inside `root`:
 *
 * - a string, not empty, no NUL byte, no backslash (a separator on Windows), not absolute
 *   (`/x`, `C:x`, `\\server\x`);
 * - no `..` that climbs out once normalised (`a/../b` is `b`, fine; `a/../../b` is refused);
 * - no symlink that leads out: the real path (every symlink resolved) of the deepest part that
 *   exists must lie inside the real path of `root`, and a dangling symlink is refused (a write
 *   through it would land wherever it points).
 *
 * The returned path is the normalised one under `root` as given, so a read or write through it
 * takes no `..` detour. Between this check and the open a local user could still swap in a symlink:
 * readers of files also open with O_NOFOLLOW (see regular-file.ts), which closes it for the last
 * component.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ConflictError } from './errors'

export class PathEscapeError extends ConflictError {
  override name = 'PathEscapeError'
}

const MAX_PATH_CHARS = 4096

/** Why `relative` is not a plain relative path (lexically), or null when it is. */
export function lexicalProblem(relative: unknown): string | null {
  if (typeof relative !== 'string') return `is a ${relative === null ? 'null' : typeof relative}, not a path`
  if (relative.length === 0) return 'is empty'
  if (relative.length > MAX_PATH_CHARS) return `is ${relative.length} characters long (at most ${MAX_PATH_CHARS})`
  if (relative.includes('\0')) return 'contains a NUL byte'
  if (relative.includes('\\')) return 'contains a backslash'
  if (path.posix.isAbsolute(relative) || path.win32.isAbsolute(relative) || /^[a-zA-Z]:/.test(relative)) return 'is absolute'
  const normal = path.posix.normalize(relative)
  if (normal === '..' || normal.startsWith('../')) return 'climbs out with ".."'
  if (normal === '.' || normal === './') return 'names the folder itself'
  return null
}

/** Whether `real` lies strictly inside `realRoot` (both absolute; no symlink resolution here). */
export function isInside(real: string, realRoot: string): boolean {
  const rel = path.relative(realRoot, real)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)
}

/**
 * The real path of `p` as far as it exists, plus the parts below that do not exist yet. Refuses
 * (returns null) a dangling symlink on the way: realpath fails on it although lstat sees it.
 */
function realpathAsFarAsExists(p: string): string | null {
  const rest: string[] = []
  // Without its trailing slash: lstat of `link/` follows the link, so a dangling one looked absent.
  let at = path.resolve(p)
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(at), ...rest.reverse())
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ELOOP') return null // a symlink loop resolves nowhere
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e
      try {
        fs.lstatSync(at)
        return null // it is there (a symlink to nowhere, or a file used as a folder) yet cannot be resolved
      } catch {
        // really absent: look at its parent
      }
      const parent = path.dirname(at)
      if (parent === at) return path.join(at, ...rest.reverse())
      rest.push(path.basename(at))
      at = parent
    }
  }
}

/**
 * `relative` resolved under `root`, or a PathEscapeError naming `what` (e.g. `artifact
 * "samples/x.png" of run 3`) and why.
 */
export function confinedPath(root: string, relative: string, what = 'path'): string {
  const problem = lexicalProblem(relative)
  if (problem)
    throw new PathEscapeError(`${what} ${JSON.stringify(String(relative).slice(0, 200))} ${problem}: it must stay inside ${root}`)
  const absRoot = path.resolve(root)
  const target = path.join(absRoot, path.posix.normalize(relative))
  let realRoot: string | null
  let real: string | null
  try {
    realRoot = realpathAsFarAsExists(absRoot)
    real = realpathAsFarAsExists(target)
  } catch (e) {
    throw new PathEscapeError(`${what} ${JSON.stringify(relative)} cannot be resolved (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
  if (realRoot === null || real === null)
    throw new PathEscapeError(`${what} ${JSON.stringify(relative)} goes through a dangling symlink: it must stay inside ${root}`)
  if (!isInside(real, realRoot))
    throw new PathEscapeError(`${what} ${JSON.stringify(relative)} leads outside ${root} (to ${real}) through a symlink`)
  return target
}

/**
 * A path as a registry row records it (absolute, under `root` as this data dir spells it; or
 * relative to `root`), confined like `confinedPath`. A row that points elsewhere is refused.
 */
export function confinedRecordedPath(root: string, recorded: string, what = 'path'): string {
  if (typeof recorded !== 'string') return confinedPath(root, recorded, what)
  const absRoot = path.resolve(root)
  if (!path.isAbsolute(recorded)) return confinedPath(absRoot, recorded, what)
  if (recorded.includes('\0')) return confinedPath(absRoot, recorded, what)
  if (!isInside(path.resolve(recorded), absRoot)) throw new PathEscapeError(`${what} ${JSON.stringify(recorded)} is not inside ${root}`)
  return confinedPath(absRoot, path.relative(absRoot, path.resolve(recorded)).split(path.sep).join('/'), what)
}
