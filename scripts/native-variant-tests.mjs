// Runs the native kernel tests on the variant builds of the addon: AddressSanitizer + UBSan, and
// without OpenMP (what macOS and Windows users get). Each variant is built first; one that cannot
// be built, or whose tests skip (no BLAS), fails this script: `.ci/run` calls it after `npm test`.
// Usage: node scripts/native-variant-tests.mjs [asan] [no-openmp]   (both by default)
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildNative, variantAddon, VARIANTS } from './build-native.mjs'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
/** Only the kernel test files: they exercise every native kernel, in a few minutes even under ASan. */
const TEST_FILES = [
  'tests/unit/native-kernels.test.ts',
  'tests/unit/native-kernels-props.test.ts',
  'tests/unit/native-threads.test.ts',
  'tests/unit/native-mlp-step.test.ts',
  'tests/unit/native-mlp-timers.test.ts',
]

/** The ASan runtime, which must be the first library of a process (Node is not built with it). */
function asanRuntime() {
  const r = spawnSync(process.env.CC || 'cc', ['-print-file-name=libasan.so'], { encoding: 'utf8' })
  const file = (r.stdout ?? '').trim()
  return r.status === 0 && path.isAbsolute(file) ? file : null
}

function runVariant(variant) {
  let reason = ''
  if (!buildNative({ variant, why: (r) => (reason = r) })) return `could not be built: ${reason}`
  const env = { ...process.env, GWB_NATIVE_ADDON: variantAddon(variant), GWB_REQUIRE_NATIVE: '1', GWB_NATIVE_EXPECT: variant }
  if (variant === 'asan') {
    const runtime = asanRuntime()
    if (!runtime) return 'libasan.so was not found (cc -print-file-name=libasan.so)'
    env.LD_PRELOAD = [runtime, process.env.LD_PRELOAD].filter(Boolean).join(' ')
    // Node and V8 keep memory until exit by design: leak reports would be theirs, not the kernels'.
    env.ASAN_OPTIONS = ['detect_leaks=0', 'abort_on_error=1', process.env.ASAN_OPTIONS].filter(Boolean).join(':')
    env.UBSAN_OPTIONS = ['print_stacktrace=1', 'halt_on_error=1', process.env.UBSAN_OPTIONS].filter(Boolean).join(':')
  }
  console.log(`\n== native kernel tests on the ${variant} build (${variantAddon(variant)}) ==`)
  const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs')
  const r = spawnSync(process.execPath, [vitest, 'run', '--project', 'unit', ...TEST_FILES], { cwd: root, env, stdio: 'inherit' })
  return r.status === 0 ? null : `tests failed (exit ${r.status ?? r.signal})`
}

const asked = process.argv.slice(2)
const variants = asked.length ? asked : Object.keys(VARIANTS)
const failures = []
for (const v of variants) {
  if (!VARIANTS[v]) {
    failures.push(`${v}: unknown variant (${Object.keys(VARIANTS).join(', ')})`)
    continue
  }
  const failure = runVariant(v)
  if (failure) failures.push(`${v}: ${failure}`)
}
if (failures.length) {
  console.error(`native kernel variant tests FAILED:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log(`native kernel variant tests passed: ${variants.join(', ')}`)
