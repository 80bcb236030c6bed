/**
 * The native kernel tests run on the addon `npm install` builds, and in CI also on two variant
 * builds (scripts/native-variant-tests.mjs): with AddressSanitizer + UBSan, and without OpenMP
 * (what macOS and Windows users get). There GWB_REQUIRE_NATIVE=1 turns "skip, saying why" into a
 * failure, and GWB_NATIVE_EXPECT names the variant the loaded addon must report being.
 */
import type { NativeBlasStatus } from '../../src-main/training/native-blas'
import { available } from './requirements'

/** True when the file should skip (said on stderr); throws where the native kernels are required but missing or not the expected build. */
export function requireNativeOrSkip(status: NativeBlasStatus, file: string): boolean {
  const expected = process.env.GWB_NATIVE_EXPECT
  if (!status.blas) {
    if (process.env.GWB_REQUIRE_NATIVE === '1')
      throw new Error(`${file}: the native kernels are required here (GWB_REQUIRE_NATIVE=1) but ${status.note}`)
    // GWB_REQUIRE=blas (set by .ci/run) fails here too; otherwise it skips, saying why.
    return !available('blas', `${file}: native BLAS kernels: ${status.note}`)
  }
  if (expected) {
    const info = status.blas.buildInfo()
    const variant = info.sanitizers ? 'asan' : info.openmp ? 'default' : 'no-openmp'
    if (variant !== expected)
      throw new Error(`${file}: expected the ${expected} build of the native kernels, loaded ${variant} (${JSON.stringify(info)})`)
  }
  return false
}
