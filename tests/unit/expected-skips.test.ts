/**
 * The expected skips are listed once (tests/helpers/expected-skips.ts) and in docs/testing.md, and
 * GWB_REQUIRE turns any other skip of a component into a failure (tests/helpers/requirements.ts).
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXPECTED_SKIPS, FULL_ONLY } from '../helpers/expected-skips'
import { available, COMPONENTS, MissingComponentError, requiredComponents } from '../helpers/requirements'

const ROOT = path.join(__dirname, '..', '..')

function testFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []))
}

/** Every `itFull('title'…` in the suite, as file and title. */
function fullOnlyInSuite(): { file: string; what: string }[] {
  const self = path.join('tests', 'unit', 'expected-skips.test.ts')
  return [...testFiles('tests/unit'), ...testFiles('tests/e2e')]
    .filter((f) => f !== self)
    .flatMap((file) =>
      [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/itFull\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)].map((m) => ({
        file,
        what: m[2]!.replace(/\\(['"`])/g, '$1'),
      })),
    )
}

describe('expected skips', () => {
  it('the full-only list is exactly the itFull tests of the suite', () => {
    const key = (s: { file: string; what: string }) => `${s.file}: ${s.what}`
    expect(FULL_ONLY.map(key).sort()).toEqual(fullOnlyInSuite().map(key).sort())
  })

  it('docs/testing.md lists every expected skip', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'testing.md'), 'utf8')
    for (const s of EXPECTED_SKIPS) {
      expect(doc, s.file).toContain(s.file)
      expect(doc, s.what).toContain(s.what)
    }
  })
})

describe('GWB_REQUIRE', () => {
  it('turns a missing required component into a failure and leaves the others to skip', () => {
    expect(available('redis', undefined, 'redis')).toBe(true)
    expect(() => available('redis', 'no redis-server here', 'blas,redis')).toThrow(MissingComponentError)
    expect(() => available('redis', 'no redis-server here', 'blas,redis')).toThrow(
      /Debian's redis-server is required here .* but missing: no redis-server here/,
    )
    expect(available('torch', 'no torch here', 'blas,redis')).toBe(false)
    expect(available('torch', 'no torch here', '')).toBe(false)
  })

  it('knows the components .ci/run installs, and refuses a name it does not know', () => {
    expect([...requiredComponents('blas, redis,torch,chromium,lavapipe,fashion-mnist')].sort()).toEqual(Object.keys(COMPONENTS).sort())
    expect(() => requiredComponents('blas,reddis')).toThrow(/GWB_REQUIRE names "reddis"/)
  })

  it('.ci/run names only known components', () => {
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')
    const named = [...ci.matchAll(/require_component (\S+)/g)].map((m) => m[1]!)
    expect(named.length).toBeGreaterThanOrEqual(Object.keys(COMPONENTS).length)
    expect(() => requiredComponents(named.join(','))).not.toThrow()
  })
})
