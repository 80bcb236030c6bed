/**
 * The skips that are expected, even in CI: everything else that skips for a missing component
 * fails in CI instead (requirements.ts, GWB_REQUIRE). docs/testing.md lists the same entries, and
 * tests/unit/expected-skips.test.ts keeps the three in step (this list, the itFull tests in the
 * suite, the docs).
 */

export interface ExpectedSkip {
  /** The test file. */
  file: string
  /** What is skipped (a describe block or a test title). */
  what: string
  why: string
}

/** Tests that skip where no Electron binary exists (it is downloaded at first `npm start` when online). */
export const ELECTRON_SKIPS: ExpectedSkip[] = [
  {
    file: 'tests/e2e/electron.test.ts',
    what: 'desktop window (Electron)',
    why: 'the Electron binary cannot be downloaded offline, and Electron 41+ needs Node 22; the same UI is covered in Chromium by the server-mode tests',
  },
]

/** Where `.ci/run` cannot block the network (`unshare -n` not allowed), the offline proof skips. */
export const OFFLINE_SKIPS: ExpectedSkip[] = [
  {
    file: 'tests/e2e/offline.test.ts',
    what: 'network',
    why: 'runs only when the suite was started with outbound connections blocked (GWB_EXPECT_OFFLINE=1, set by .ci/run where unshare -n is allowed)',
  },
]

/** The longest proofs: `npm test` skips them (reported as skipped); `npm run test:full` runs them. */
export const FULL_ONLY: ExpectedSkip[] = [
  {
    file: 'tests/unit/diagnostics.test.ts',
    what: 'minimax loss with both learning rates at 0.01: D dominates (and nothing else)',
    why: 'a 1,000-step training run',
  },
  {
    file: 'tests/unit/diagnostics.test.ts',
    what: "G learning rate 100× D's (0.01 vs 0.0001): mode collapse",
    why: 'a 1,000-step training run',
  },
  {
    file: 'tests/unit/transfer.test.ts',
    what: 'with a "generator" that returns real images, CAS equals the real-data baseline within noise',
    why: 'trains two classifiers on 5,000 images',
  },
  {
    file: 'tests/unit/webgpu.test.ts',
    what: 'trains a conv GAN (transposed convolutions and their gradients) and saves its grid',
    why: 'a DCGAN step on a software WebGPU adapter takes about two minutes',
  },
  {
    file: 'tests/e2e/scale-out.test.ts',
    what: 'Ctrl-C on a worker checkpoints its run and puts it back on the queue without using an attempt; the next worker finishes it',
    why: 'a second and third scale-out scenario (the default suite runs the kill scenario)',
  },
  {
    file: 'tests/e2e/scale-out.test.ts',
    what: 'a run that ends while the coordinator stays away is kept as a bundle; the coordinator says where, and the bundle imports',
    why: 'waits out the offline patience',
  },
  {
    file: 'tests/e2e/export.test.ts',
    what: 'cas: a classifier trained on generated images only, tested on real ones, beside the real-data baseline',
    why: 'trains two classifiers end to end through the CLI',
  },
]

export const EXPECTED_SKIPS: ExpectedSkip[] = [...ELECTRON_SKIPS, ...OFFLINE_SKIPS, ...FULL_ONLY]
