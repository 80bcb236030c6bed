/** `eval ID`: sample-quality metrics of a run's generator, stored with the run. */
import type { Command } from 'commander'
import { DEFAULT_EVAL_SAMPLES, DEFAULT_EVAL_SEED, evaluateRun } from '../../metrics/evaluate-run'
import { parseId, withRegistry, type GlobalOptions } from '../context'
import { CliError, printJson } from '../output'

export function registerEval(program: Command, globals: () => GlobalOptions): void {
  program
    .command('eval')
    .argument('<id>', 'run id')
    .option('--samples <n>', 'samples to draw (fixed, so runs compare)', String(DEFAULT_EVAL_SAMPLES))
    .option('--seed <seed>', 'latent seed', String(DEFAULT_EVAL_SEED))
    .description("measure a run's generator: mode coverage (2D) or Fréchet distance, IS-style score, precision/recall, class balance (images)")
    .action(async (id: string, o: { samples: string; seed: string }) => {
      const samples = Number(o.samples)
      const seed = Number(o.seed)
      if (!Number.isInteger(samples) || samples < 50 || samples > 10_000) throw new CliError('--samples must be a whole number from 50 to 10000', 2)
      if (!Number.isInteger(seed) || seed < 0) throw new CliError('--seed must be a non-negative whole number', 2)
      await withRegistry(globals(), async (registry) => {
        const r = await evaluateRun(registry, parseId(id), { samples, seed })
        if (globals().json) return printJson(r)
        console.log(`run ${r.runId} at step ${r.step}: ${r.samples} samples, seed ${r.seed}${r.classifier ? ` (features of the ${r.classifier.dataset} classifier, test accuracy ${(100 * r.classifier.testAccuracy).toFixed(1)} %)` : ''}`)
        for (const [k, v] of Object.entries(r.metrics)) console.log(`  ${k.padEnd(20)} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
        const d = r.discriminator
        if (d) {
          console.log(`  D on ${d.truePositives + d.falseNegatives} real and ${d.trueNegatives + d.falsePositives} generated samples (real = D > 0.5):`)
          console.log(`                 called real  called fake`)
          console.log(`    real         ${String(d.truePositives).padStart(11)}  ${String(d.falseNegatives).padStart(11)}`)
          console.log(`    generated    ${String(d.falsePositives).padStart(11)}  ${String(d.trueNegatives).padStart(11)}`)
        }
        for (const note of r.notes) console.log(`  note: ${note}`)
      })
    })
}
