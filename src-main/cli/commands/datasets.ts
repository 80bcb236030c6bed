/** `datasets list`: the data runs have trained on, registered once by content hash. */
import type { Command } from 'commander'
import { withRegistry, type GlobalOptions } from '../context'
import { printJson } from '../output'

export function registerDatasets(program: Command, globals: () => GlobalOptions): void {
  const datasets = program.command('datasets').description('the datasets runs have trained on')
  datasets
    .command('list')
    .description('every dataset a run has used: content hash, samples, runs')
    .action(async () => {
      await withRegistry(globals(), (registry) => {
        const all = registry.listDatasets()
        if (globals().json) return printJson(all)
        if (all.length === 0) return console.log('no datasets yet: they are registered when a run starts training')
        console.log('id  runs  samples  hash           dataset')
        for (const d of all) {
          const hash = `${d.contentHash ? 'content' : 'spec'} ${d.sha256.slice(0, 6)}`
          console.log(
            `${String(d.id).padStart(2)}  ${String(d.runs).padStart(4)}  ${String(d.count ?? '—').padStart(7)}  ${hash.padEnd(13)}  ${d.label}`,
          )
        }
      })
    })
}
