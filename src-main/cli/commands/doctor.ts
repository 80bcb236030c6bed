/** `doctor`: which training backends exist here, which one runs, and why. */
import type { Command } from 'commander'
import { selectBackend } from '../../training/backend'
import { resolveHome } from '../../platform/paths'
import { APP_VERSION } from '../../platform/version'
import { electronStatus } from '../../app/electron-status'
import { printJson } from '../output'
import type { GlobalOptions } from '../context'

export function registerDoctor(program: Command, globals: () => GlobalOptions): void {
  program
    .command('doctor')
    .description('check this machine: training backends, data directory, desktop window')
    .action(async () => {
      const selected = await selectBackend('auto', { describe: true })
      const electron = electronStatus()
      const report = {
        version: APP_VERSION,
        node: process.versions.node,
        home: resolveHome(globals().home),
        backend: { name: selected.name, reason: selected.reason },
        backends: selected.probes,
        electron,
      }
      if (globals().json) return printJson(report)
      console.log(`GAN Workbench ${report.version} on Node ${report.node}`)
      console.log(`data directory: ${report.home}`)
      console.log(`\ntraining backend: ${selected.name} — ${selected.reason}`)
      for (const b of selected.probes) console.log(`  ${b.available ? '✓' : '✗'} ${b.name.padEnd(15)} ${b.reason}`)
      console.log(`\ndesktop window: ${electron.available ? `Electron ${electron.version}` : `unavailable — ${electron.reason}`}`)
    })
}
