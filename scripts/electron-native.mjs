// Builds better-sqlite3 for Electron's ABI into .cache/electron-native/electron-<version>/, beside
// (not over) the Node build that the CLI and tests use; the Electron main process loads it through
// better-sqlite3's `nativeBinding` option. Needs Electron's headers (downloaded once, online).
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(path.join(root, 'package.json'))

export function electronBindingPath(electronVersion) {
  return path.join(root, '.cache', 'electron-native', `electron-${electronVersion}`, 'better_sqlite3.node')
}

export function ensureElectronBinding(electronVersion) {
  const target = electronBindingPath(electronVersion)
  if (existsSync(target)) return { ok: true, path: target }
  const source = path.dirname(require.resolve('better-sqlite3/package.json'))
  const work = path.join(root, '.cache', 'electron-native', 'build')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) && !p.endsWith(`${path.sep}build`) })
  const gyp = require.resolve('node-gyp/bin/node-gyp.js')
  console.error(`gan-workbench: building better-sqlite3 for Electron ${electronVersion} (once)…`)
  const r = spawnSync(
    process.execPath,
    [gyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
    {
      cwd: work,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  if (r.status !== 0)
    return { ok: false, reason: 'building better-sqlite3 for Electron failed (Electron headers need internet the first time)' }
  mkdirSync(path.dirname(target), { recursive: true })
  cpSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), target)
  rmSync(work, { recursive: true, force: true })
  return { ok: true, path: target }
}
