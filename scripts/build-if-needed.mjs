// Builds out/ when it is missing or older than the sources (used by `npm install`, `npm start` and
// the e2e tests' global setup). `--stamp` only records that out/ was just built (`npm run build`).
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const stamp = path.join(root, 'out', '.build-stamp')
const SOURCES = ['src-main', 'src-renderer', 'src-shared', 'electron.vite.config.ts', 'package.json']

function newest(p) {
  const s = statSync(p)
  if (!s.isDirectory()) return s.mtimeMs
  return readdirSync(p).reduce((m, f) => Math.max(m, newest(path.join(p, f))), s.mtimeMs)
}

export function writeStamp() {
  writeFileSync(stamp, new Date().toISOString())
}

export function buildIfNeeded({ quiet = false } = {}) {
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0
  const sourcesAt = Math.max(...SOURCES.map((s) => newest(path.join(root, s))))
  if (builtAt >= sourcesAt) return true
  const bin = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  if (!existsSync(bin)) {
    console.error('gan-workbench: cannot build: electron-vite is not installed (run `npm install` with dev dependencies).')
    return existsSync(path.join(root, 'out', 'main', 'cli.js'))
  }
  if (!quiet) console.error('gan-workbench: building the app…')
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: quiet ? 'ignore' : ['ignore', 'ignore', 'inherit'] })
  if (r.status !== 0) return false
  writeStamp()
  return true
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--stamp')) writeStamp()
  else process.exit(buildIfNeeded() ? 0 : 1)
}
