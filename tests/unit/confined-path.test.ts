/**
 * The confinement rule (src-main/util/confined-path.ts) against generated hostile paths: every
 * combination of plain names, `.`, `..`, empty parts, absolute starts, backslashes, drive letters,
 * NUL bytes and symlinks (leading out to a folder or a secret file, leading in, dangling, looping)
 * is accepted exactly when a model of the tree says it stays inside, and what is accepted really
 * resolves inside the root.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { confinedPath, confinedRecordedPath, PathEscapeError } from '../../src-main/util/confined-path'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'

const SEED = Number(process.env.FUZZ_SEED ?? 20261124)
const RUNS = Math.min(Number(process.env.FUZZ_RUNS ?? 300), 2000)

const tried = triedCounter('paths and confinement')

let t: ReturnType<typeof tmpDir>
let root: string
let outside: string

beforeAll(() => {
  t = tmpDir('gwb-confine-')
  root = path.join(t.dir, 'root')
  outside = path.join(t.dir, 'outside')
  fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true })
  fs.writeFileSync(path.join(root, 'a', 'file.txt'), 'inside')
  fs.mkdirSync(path.join(outside, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(outside, 'secret'), 'secret', { mode: 0o600 })
  fs.symlinkSync(outside, path.join(root, 'out'))
  fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'secret-link'))
  fs.symlinkSync('../../outside', path.join(root, 'a', 'up')) // relative, climbs out
  fs.symlinkSync(path.join(root, 'a'), path.join(root, 'in'))
  fs.symlinkSync(path.join(t.dir, 'nowhere'), path.join(root, 'dangling'))
  fs.symlinkSync('loop', path.join(root, 'loop'))
})
afterAll(() => t.cleanup())

/** Segments that never leave the root by themselves, and those that do (through the tree above). */
const PLAIN = ['a', 'b', 'c', 'file.txt', 'in', '.', '..', '']
const ESCAPING = new Set(['out', 'secret-link', 'dangling', 'loop'])

/** The model: the outcome the rule must give, from the segments alone. */
function expected(rel: string): 'inside' | 'refused' {
  if (rel === '' || rel.includes('\0') || rel.includes('\\') || rel.startsWith('/') || /^[a-zA-Z]:/.test(rel)) return 'refused'
  const normal = path.posix.normalize(rel)
  if (normal === '.' || normal === './' || normal === '..' || normal.startsWith('../')) return 'refused'
  const parts = normal.split('/').filter(Boolean)
  // At the top: the links out, dangling and looping; inside a/ (also reached through `in`), `up`.
  if (ESCAPING.has(parts[0]!)) return 'refused'
  if ((parts[0] === 'a' || parts[0] === 'in') && parts[1] === 'up') return 'refused'
  return 'inside'
}

function outcome(rel: string): 'inside' | 'refused' {
  try {
    const p = confinedPath(root, rel, 'test path')
    // What is accepted is under the root as given, and resolves inside it as far as it exists.
    expect(p.startsWith(root + path.sep)).toBe(true)
    let at = p
    while (!fs.existsSync(at)) at = path.dirname(at)
    const real = fs.realpathSync(at)
    expect(real === fs.realpathSync(root) || real.startsWith(fs.realpathSync(root) + path.sep), `${rel} → ${real}`).toBe(true)
    return 'inside'
  } catch (e) {
    expect(e).toBeInstanceOf(PathEscapeError)
    expect((e as Error).message).toMatch(/^test path /)
    return 'refused'
  }
}

describe('confined paths', () => {
  it('generated paths of names, dots, empty parts and symlinks: accepted exactly when they stay inside', () => {
    const segment = fc.constantFrom(...PLAIN, ...ESCAPING, 'up')
    const prefix = fc.constantFrom('', '', '', '/', '//', 'C:', 'c:/', '\\', '\\\\srv\\', './', '../')
    const odd = fc.constantFrom('', '', '', '', '\0', '\\x', '/..')
    const mark = tried.total
    fc.assert(
      fc.property(prefix, fc.array(segment, { minLength: 1, maxLength: 6 }), odd, (pre, parts, tail) => {
        tried.add()
        const rel = pre + parts.join('/') + tail
        expect(outcome(rel), JSON.stringify(rel)).toBe(expected(rel))
      }),
      { numRuns: RUNS, seed: SEED },
    )
    tried.expectSince(mark, RUNS)
  })

  it('arbitrary strings never escape: refused, or inside the root', () => {
    const mark = tried.total
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40, unit: fc.constantFrom('a', '.', '/', '\\', ':', '\0', 'o', 'u', 't', '%', '2', 'e') }),
        (rel) => {
          tried.add()
          outcome(rel)
        },
      ),
      { numRuns: RUNS, seed: SEED + 1 },
    )
    tried.expectSince(mark, RUNS)
  })

  it('examples: each escape is named', () => {
    expect(() => confinedPath(root, '../outside/secret', 'artifact')).toThrowError(/^artifact "..\/outside\/secret" climbs out with ".."/)
    expect(() => confinedPath(root, '/etc/passwd', 'artifact')).toThrowError(/is absolute/)
    expect(() => confinedPath(root, 'a\0b', 'artifact')).toThrowError(/NUL byte/)
    expect(() => confinedPath(root, 'secret-link', 'artifact')).toThrowError(/leads outside .* through a symlink/)
    expect(() => confinedPath(root, 'dangling', 'artifact')).toThrowError(/dangling symlink/)
    // With a trailing slash lstat follows the link (found by the soak's 5,000 cases).
    expect(() => confinedPath(root, 'dangling/', 'artifact')).toThrowError(/dangling symlink/)
    expect(() => confinedPath(root, 'in/up/secret', 'artifact')).toThrowError(/leads outside/)
    expect(confinedPath(root, 'a/../a/file.txt')).toBe(path.join(root, 'a', 'file.txt'))
    expect(confinedPath(root, 'not/yet/there.png')).toBe(path.join(root, 'not', 'yet', 'there.png'))
    // A root reached through a symlink of its own is still the root.
    const alias = path.join(t.dir, 'alias')
    if (!fs.existsSync(alias)) fs.symlinkSync(root, alias)
    expect(confinedPath(alias, 'a/file.txt')).toBe(path.join(alias, 'a', 'file.txt'))
    expect(() => confinedPath(alias, 'out/secret')).toThrowError(PathEscapeError)
    tried.add(7) // the seven refused above
  })

  it('recorded (absolute) paths: inside the root, or refused', () => {
    expect(confinedRecordedPath(root, path.join(root, 'a', 'file.txt'))).toBe(path.join(root, 'a', 'file.txt'))
    expect(confinedRecordedPath(root, 'a/file.txt')).toBe(path.join(root, 'a', 'file.txt'))
    expect(() => confinedRecordedPath(root, path.join(outside, 'secret'), 'artifact')).toThrowError(/^artifact ".*secret" is not inside/)
    expect(() => confinedRecordedPath(root, root)).toThrowError(PathEscapeError)
    expect(() => confinedRecordedPath(root, path.join(root, 'secret-link'))).toThrowError(/through a symlink/)
    expect(() => confinedRecordedPath(root, `${root}/../outside/secret`)).toThrowError(/is not inside/)
    tried.add(4) // the four refused above
  })
})
