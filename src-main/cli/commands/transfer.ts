/** `transfer RUN --labels-per-class 10,100,1000`: D's features fine-tuned vs the same network from scratch. */
import type { Command } from 'commander'
import type { TransferRecord } from '../../../src-shared/domain/transfer'
import { DEFAULT_TRANSFER } from '../../transfer/transfer-experiment'
import { startTransfer } from '../../transfer/transfer-service'
import { parseId, withRegistry, type GlobalOptions } from '../context'
import { CliError, printJson } from '../output'

function whole(text: string, what: string, min: number, max: number): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${what} must be a whole number from ${min} to ${max}`, 2)
  return n
}

function positive(text: string, what: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new CliError(`${what} must be a number in (0, 1]`, 2)
  return n
}

export function transferTable(t: TransferRecord): string {
  const r = t.results!
  const lines = [
    `transfer ${t.id} from run ${t.ganRunId} (checkpoint at step ${t.checkpointStep}), ${r.dataset}: test accuracy on ${r.testCount} held-out images, ${t.options.steps} steps each`,
    `labels/class  images   from D (${t.options.freeze ? 'frozen features' : 'fine-tuned'})  from scratch  gain`,
  ]
  for (const row of r.rows) {
    const gain = 100 * (row.transfer - row.scratch)
    lines.push(
      `${String(row.labelsPerClass).padStart(12)}  ${String(row.trainCount).padStart(6)}   ${(100 * row.transfer).toFixed(1).padStart(22)} %  ${(100 * row.scratch).toFixed(1).padStart(10)} %  ${gain >= 0 ? '+' : ''}${gain.toFixed(1)} pt`,
    )
  }
  return lines.join('\n')
}

export function registerTransfer(program: Command, globals: () => GlobalOptions): void {
  program
    .command('transfer')
    .argument('<id>', 'run id of an image GAN trained on mnist or fashion-mnist')
    .option('--labels-per-class <list>', 'comma-separated label budgets', DEFAULT_TRANSFER.labelsPerClass.join(','))
    .option('--steps <n>', 'gradient steps per classifier', String(DEFAULT_TRANSFER.steps))
    .option('--batch-size <n>', 'batch size', String(DEFAULT_TRANSFER.batchSize))
    .option('--lr <rate>', 'Adam learning rate', String(DEFAULT_TRANSFER.learningRate))
    .option('--freeze', "train only the new head on D's frozen features (a linear probe)")
    .option('--seed <n>', 'seed for the label choice and the heads', String(DEFAULT_TRANSFER.seed))
    .option('--step <step>', 'use the checkpoint saved at this step (default: the latest)')
    .description("fine-tune a classifier from the run's discriminator on a few labels, beside the same network trained from scratch")
    .action(
      async (
        id: string,
        o: { labelsPerClass: string; steps: string; batchSize: string; lr: string; freeze?: boolean; seed: string; step?: string },
      ) => {
        const labelsPerClass = o.labelsPerClass.split(',').map((s) => whole(s.trim(), '--labels-per-class entries', 1, 6000))
        const options = {
          labelsPerClass,
          steps: whole(o.steps, '--steps', 1, 100_000),
          batchSize: whole(o.batchSize, '--batch-size', 1, 1024),
          learningRate: positive(o.lr, '--lr'),
          freeze: o.freeze === true,
          seed: whole(o.seed, '--seed', 0, 2 ** 31 - 1),
        }
        const step = o.step === undefined ? undefined : whole(o.step, '--step', 0, Number.MAX_SAFE_INTEGER)
        await withRegistry(globals(), async (registry) => {
          let recorded: TransferRecord | undefined
          const interrupted = () => {
            if (recorded) registry.finishTransfer(recorded.id, { error: 'stopped before it finished' })
            process.exit(130)
          }
          process.once('SIGINT', interrupted)
          process.once('SIGTERM', interrupted)
          let finished: TransferRecord
          try {
            // The same service as the UI's runs.transfer, with every option the flags give.
            finished = await startTransfer(
              registry,
              { id: parseId(id), ...options, step },
              (p) => {
                if (!globals().json) process.stderr.write(`  ${p.done}/${p.total}: ${p.labelsPerClass} labels/class, ${p.model} done\n`)
              },
              (record) => (recorded = record),
            )
          } finally {
            process.off('SIGINT', interrupted)
            process.off('SIGTERM', interrupted)
          }
          if (globals().json) printJson(finished)
          else console.log(transferTable(finished))
        })
      },
    )
}
