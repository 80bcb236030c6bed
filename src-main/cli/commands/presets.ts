/** `presets list|show`: the catalog. */
import type { Command } from 'commander'
import { PRESETS, requirePreset } from '../../../src-shared/config/presets'
import { printJson, table } from '../output'
import type { GlobalOptions } from '../context'

export function registerPresets(program: Command, globals: () => GlobalOptions): void {
  const presets = program.command('presets').description('the catalog of ready-made experiments')
  presets
    .command('list')
    .description('list presets')
    .action(() => {
      if (globals().json) return printJson(PRESETS)
      console.log(
        table(
          PRESETS.map((p) => ({ name: p.name, title: p.title, description: p.description })),
          ['name', 'title', 'description'],
        ),
      )
    })
  presets
    .command('show')
    .argument('<name>', 'preset name')
    .description("print a preset's full config (copy it to a file to edit)")
    .action((name: string) => {
      const preset = requirePreset(name)
      // The config alone is what --config accepts, so it prints the same with or without --json.
      console.log(JSON.stringify(preset.config, null, 2))
    })
}
