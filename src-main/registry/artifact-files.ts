/**
 * Where an artifact's files may be: inside its run's folder, whatever its registry row says (a row
 * can come from an imported bundle, a queue worker, or an edited database). Every reader of an
 * artifact goes through here: the row's path is confined to `runs/<id>` of the data dir
 * (util/confined-path.ts) and files are read as regular files, never through a last-component
 * symlink. The data dir and the run folder themselves are trusted (either may be a symlink, e.g.
 * to a bigger disk); what is inside a run's folder may not lead out of it.
 */
import { constants as bufferConstants } from 'node:buffer'
import path from 'node:path'
import type { ArtifactRecord } from '../../src-shared/domain/run'
import { runDir } from '../platform/paths'
import { confinedPath, confinedRecordedPath, isInside } from '../util/confined-path'
import { ConflictError } from '../util/errors'
import { readRegularFile } from '../util/regular-file'

/** An artifact's file that cannot be used as it is (missing, not a regular file, too big). */
export class ArtifactFileError extends ConflictError {
  override name = 'ArtifactFileError'
}

type ArtifactRef = Pick<ArtifactRecord, 'runId' | 'kind' | 'step' | 'path'>

/** Sample grids, 2D points and other single-file artifacts are far smaller than this. */
export const MAX_ARTIFACT_FILE_BYTES = 256 * 1024 ** 2

const describe = (a: ArtifactRef) => `run ${a.runId}'s ${a.kind} artifact (step ${a.step})`

/**
 * How a row records an artifact's file: relative to its run's folder, so the data dir can be moved
 * or copied (a backup, a new machine) without its rows pointing at the old place. A path outside
 * the run's folder is kept as given, and refused when read.
 */
export function recordedArtifactPath(home: string, runId: number, file: string): string {
  const dir = path.resolve(runDir(home, runId))
  if (!path.isAbsolute(file) || !isInside(path.resolve(file), dir)) return file
  return path.relative(dir, path.resolve(file)).split(path.sep).join('/')
}

/**
 * A row recorded before paths were relative holds the data dir as it was spelt then. When that is
 * not where the data dir is now (it was moved or copied), the part after its last `runs/<id>/` is
 * the path inside the run's folder; it is confined like any other.
 */
function asRecordedInside(home: string, a: ArtifactRef): string {
  if (!path.isAbsolute(a.path) || isInside(path.resolve(a.path), path.resolve(runDir(home, a.runId)))) return a.path
  const marker = `${path.sep}runs${path.sep}${a.runId}${path.sep}`
  const at = a.path.lastIndexOf(marker)
  return at < 0
    ? a.path
    : a.path
        .slice(at + marker.length)
        .split(path.sep)
        .join('/')
}

/** The artifact's path, confined to its run's folder, or a PathEscapeError naming the artifact. */
export function artifactPath(home: string, a: ArtifactRef): string {
  return confinedRecordedPath(runDir(home, a.runId), asRecordedInside(home, a), describe(a))
}

/** A file of the artifact: the artifact itself (a sample grid) or, with `inside`, one file of its folder (a checkpoint's weights.bin). */
export function readArtifactFile(home: string, a: ArtifactRef, options: { inside?: string; maxBytes?: number } = {}): Buffer {
  let file = artifactPath(home, a)
  if (options.inside !== undefined) file = confinedPath(file, options.inside, `${describe(a)}: ${options.inside}`)
  return readRegularFile(file, {
    maxBytes: options.maxBytes ?? MAX_ARTIFACT_FILE_BYTES,
    noFollow: true,
    fail: (problem) => new ArtifactFileError(`${describe(a)}: ${path.relative(home, file) || file} ${problem}`),
  })
}

/** The largest file a Buffer can hold: the cap for checkpoint weights (a model over 10^8 parameters is refused anyway). */
export const MAX_BUFFER_BYTES = Math.min(bufferConstants.MAX_LENGTH, 2 ** 53)
