// Builds the native BLAS kernels (src-main/native) into resources/native/gwb_native.node.
// Optional by design: without a C compiler the app trains on WebAssembly kernels alone, so a
// failed build warns and exits 0. Run by `npm install` (prepare), `npm start` and `npm test`.
//
// `--variant asan|no-openmp` builds a test variant into .cache/native-variants/VARIANT/ instead
// (scripts/native-variant-tests.mjs runs the kernel tests on each): AddressSanitizer + UBSan, and
// the build without OpenMP that macOS and Windows users get (binding.gyp enables -fopenmp on Linux
// only). A variant that cannot be built is an error (exit 1), not a warning.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const sourceDir = path.join(root, 'src-main', 'native')
const SOURCES = ['gwb_native.c', 'gwb_mlp.c', 'gwb_native.h', 'binding.gyp']
const target = path.join(root, 'resources', 'native', 'gwb_native.node')

/** What each variant changes in binding.gyp's Linux flags. */
export const VARIANTS = {
  // -O1 and frame pointers for readable reports; UBSan stops at the first error instead of printing and going on.
  asan: {
    add: ['-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer', '-g', '-O1', '-DGWB_UBSAN'],
    link: ['-fsanitize=address,undefined'],
  },
  'no-openmp': { dropOpenmp: true, add: ['-Wno-unknown-pragmas'], link: [] },
}

/** Where a variant's addon is built (outside resources/, so the app never loads it). */
export function variantAddon(variant) {
  return path.join(root, '.cache', 'native-variants', variant, 'gwb_native.node')
}

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

/** binding.gyp with a variant's flags on Linux (the variants are built and tested there). */
function variantGyp(variant) {
  const spec = VARIANTS[variant]
  const gyp = JSON.parse(readFileSync(path.join(sourceDir, 'binding.gyp'), 'utf8'))
  const t = gyp.targets[0]
  const linux = t.conditions.find(([cond]) => cond === "OS=='linux'")[1]
  const keep = (flags) => (spec.dropOpenmp ? flags.filter((f) => f !== '-fopenmp') : flags)
  linux.cflags = [...keep(linux.cflags ?? []), ...spec.add]
  linux.ldflags = [...keep(linux.ldflags ?? []), ...spec.link]
  // -O1 after -O3 wins for the sanitizer build (gcc takes the last -O).
  return JSON.stringify(gyp, null, 2)
}

/**
 * Builds the addon (or `variant`) unless it is newer than its sources. Returns whether it exists
 * afterwards; `why` receives the reason when not.
 */
export function buildNative({ quiet = false, variant, why = () => {} } = {}) {
  if (variant && !VARIANTS[variant]) throw new Error(`unknown native build variant "${variant}" (${Object.keys(VARIANTS).join(', ')})`)
  const out = variant ? variantAddon(variant) : target
  const buildDir = path.join(root, '.cache', variant ? `native-build-${variant}` : 'native-build')
  const newestSource = Math.max(
    ...SOURCES.map((f) => statSync(path.join(sourceDir, f)).mtimeMs),
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
  )
  if (existsSync(out) && statSync(out).mtimeMs >= newestSource) return true
  const warn = (reason) => {
    why(reason)
    if (!variant) console.error(`gan-workbench: native BLAS kernels not built (${reason}); training uses the WebAssembly kernels alone.`)
    return false
  }
  if (variant && process.platform !== 'linux') return warn(`the ${variant} variant is built on Linux only`)
  const gyp = nodeGyp()
  if (!gyp) return warn("npm's node-gyp was not found")
  if (!quiet) console.error(`gan-workbench: building the native BLAS kernels${variant ? ` (${variant} variant)` : ''}…`)
  rmSync(buildDir, { recursive: true, force: true })
  mkdirSync(buildDir, { recursive: true })
  for (const f of SOURCES) copyFileSync(path.join(sourceDir, f), path.join(buildDir, f))
  if (variant) writeFileSync(path.join(buildDir, 'binding.gyp'), variantGyp(variant))
  const r = spawnSync(process.execPath, [gyp, 'rebuild', ...nodedirArgs()], { cwd: buildDir, encoding: 'utf8' })
  const built = path.join(buildDir, 'build', 'Release', 'gwb_native.node')
  if (r.status !== 0 || !existsSync(built)) {
    const lines = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => /error/i.test(l) && !/^gyp info/.test(l))
    return warn(lines.slice(0, 3).join(' | ') || `node-gyp exited with ${r.status}`)
  }
  mkdirSync(path.dirname(out), { recursive: true })
  copyFileSync(built, out)
  rmSync(buildDir, { recursive: true, force: true })
  return true
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--variant')
  const variant = at > 0 ? process.argv[at + 1] : undefined
  let reason = ''
  const ok = buildNative({ variant, why: (r) => (reason = r) })
  if (variant && !ok) {
    console.error(`gan-workbench: the ${variant} build of the native kernels failed: ${reason}`)
    process.exit(1)
  }
}
