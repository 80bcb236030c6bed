/**
 * Every fast-check property in the suite runs from one fixed seed, so a run is repeatable; FC_SEED
 * picks another. A failing property prints its seed and path (fast-check's report), and this file
 * adds which global seed the run used, to replay it exactly.
 */
import fc from 'fast-check'
import { afterEach } from 'vitest'

export const FC_SEED = Number(process.env.FC_SEED ?? 20261205)
fc.configureGlobal({ seed: FC_SEED })

afterEach((ctx) => {
  const failed = ctx.task.result?.errors?.some((e) => /Property failed/.test(String(e.message)))
  if (failed) console.error(`[fast-check] this run's global seed: ${FC_SEED} (replay with FC_SEED=${FC_SEED})`)
})
