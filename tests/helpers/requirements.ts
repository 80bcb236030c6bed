/**
 * Components some tests need, and what happens when one is missing. On a developer's machine a
 * test of a missing component skips and says why. In CI, `.ci/run` installs them and names them in
 * GWB_REQUIRE (e.g. `GWB_REQUIRE=blas,redis,torch,chromium,lavapipe,fashion-mnist`): a required
 * component that is missing fails the test instead, so coverage cannot vanish silently. The skips
 * that are expected even in CI are listed in expected-skips.ts (and in docs/testing.md).
 */
import type { TestContext } from 'vitest'

export const COMPONENTS = {
  blas: 'the native BLAS kernels (a C compiler at npm install, OpenBLAS or another BLAS at run time)',
  redis: "Debian's redis-server",
  torch: "Debian's python3-torch and python3-numpy (/usr/bin/python3)",
  chromium: "Debian's chromium",
  lavapipe: "a WebGPU adapter (Mesa 25's lavapipe from bookworm-backports)",
  'fashion-mnist': "Debian's dataset-fashion-mnist",
} as const
export type Component = keyof typeof COMPONENTS

/** The components GWB_REQUIRE names; an unknown name is an error (a typo must not pass quietly). */
export function requiredComponents(env: string | undefined = process.env.GWB_REQUIRE): Set<Component> {
  const names = (env ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const n of names)
    if (!(n in COMPONENTS)) throw new Error(`GWB_REQUIRE names "${n}", not one of ${Object.keys(COMPONENTS).join(', ')}`)
  return new Set(names as Component[])
}

export class MissingComponentError extends Error {
  override name = 'MissingComponentError'
}

/**
 * Whether a component is here: `missing` is undefined when it is, else why not. A missing component
 * that GWB_REQUIRE names throws (at collection time, failing the file); otherwise it warns once and
 * returns false, for `describe.skipIf(!available)` / `it.skipIf`.
 */
export function available(component: Component, missing: string | undefined, env?: string): boolean {
  if (missing === undefined) return true
  if (requiredComponents(env).has(component)) {
    throw new MissingComponentError(
      `${COMPONENTS[component]} is required here (GWB_REQUIRE=${env ?? process.env.GWB_REQUIRE}) but missing: ${missing}`,
    )
  }
  console.warn(`skipped: ${missing}`)
  return false
}

/** Inside a test: skip with the reason, or fail when the component is required. */
export function skipUnless(ctx: TestContext, component: Component, missing: string | undefined): void {
  if (available(component, missing)) return
  ctx.skip(missing)
}
