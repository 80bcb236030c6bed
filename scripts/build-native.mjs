// Builds the native BLAS kernels (src-main/native) into resources/native/gwb_native.node.
// Optional by design: without a C compiler the app trains on WebAssembly kernels alone, so a
// failed build warns and exits 0. Run by `npm install` (prepare), `npm start` and `npm test`.
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const sourceDir = path.join(root, 'src-main', 'native')
const SOURCES = ['gwb_native.c', 'binding.gyp']
const target = path.join(root, 'resources', 'native', 'gwb_native.node')
// Built outside src-main so the build tree never makes the app's own build look stale.
const buildDir = path.join(root, '.cache', 'native-build')

/** npm's bundled node-gyp: npm names it to scripts; otherwise beside this Node's npm. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]
  return candidates.find((c) => c && existsSync(c))
}

/** Node's own headers when installed (distribution packages): node-gyp would otherwise download them. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return []
  const prefix = path.join(path.dirname(process.execPath), '..')
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : []
}

export function buildNative({ quiet = false } = {}) {
  const newestSource = Math.max(...SOURCES.map((f) => statSync(path.join(sourceDir, f)).mtimeMs))
  if (existsSync(target) && statSync(target).mtimeMs >= newestSource) return true
  const warn = (why) => {
    console.error(`gan-workbench: native BLAS kernels not built (${why}); training uses the WebAssembly kernels alone.`)
    return false
  }
  const gyp = nodeGyp()
  if (!gyp) return warn("npm's node-gyp was not found")
  if (!quiet) console.error('gan-workbench: building the native BLAS kernels…')
  rmSync(buildDir, { recursive: true, force: true })
  mkdirSync(buildDir, { recursive: true })
  for (const f of SOURCES) copyFileSync(path.join(sourceDir, f), path.join(buildDir, f))
  const r = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedirArgs()], { cwd: buildDir, encoding: 'utf8' })
  const built = path.join(buildDir, 'build', 'Release', 'gwb_native.node')
  if (r.status !== 0 || !existsSync(built)) {
    const lines = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => /error/i.test(l) && !/^gyp info/.test(l))
    return warn(lines.slice(0, 3).join(' | ') || `node-gyp exited with ${r.status}`)
  }
  mkdirSync(path.dirname(target), { recursive: true })
  copyFileSync(built, target)
  rmSync(buildDir, { recursive: true, force: true })
  return true
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildNative()
}
