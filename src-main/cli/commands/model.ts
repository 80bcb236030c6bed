/** `model summary`: layers, output shapes and parameter counts of G and D (the builder's numbers). */
import type { Command } from 'commander'
import { validateExperiment } from '../../../src-shared/config/validate'
import type { ModelSummary } from '../../../src-shared/model/shape-inference'
import { isGraphSpec } from '../../../src-shared/model/spec'
import { resolvedConfig, type ConfigFlags } from '../config-source'
import { printJson, table } from '../output'
import type { GlobalOptions } from '../context'

const n = (v: number) => v.toLocaleString('en-US')

function render(title: string, s: ModelSummary, graph: boolean): string {
  const rows = s.layers.map((l) => ({
    layer: graph ? `${l.name} (${l.label})` : l.label,
    output: `(None, ${l.outputShape.join(', ')})`,
    params: n(l.params),
    ...(graph ? { from: l.inputs.join(', ') } : {}),
  }))
  const inputs = s.inputs
    .map((i) => `${graph ? `${i.name} ` : ''}(None, ${i.shape.join(', ')})${i.role === 'label' ? ` label of ${i.classes} classes` : ''}`)
    .join(', ')
  return [
    `${title}  input${s.inputs.length > 1 ? 's' : ''} ${inputs}${graph ? `  outputs ${s.outputs.map((o) => o.name).join(', ')}` : ''}`,
    table(rows, graph ? ['layer', 'output', 'params', 'from'] : ['layer', 'output', 'params']),
    `Total params: ${n(s.totalParams)}`,
    `Trainable params: ${n(s.trainableParams)}`,
    `Non-trainable params: ${n(s.totalParams - s.trainableParams)}`,
  ].join('\n')
}

export function registerModel(program: Command, globals: () => GlobalOptions): void {
  const model = program.command('model').description('inspect model architectures')
  model
    .command('summary')
    .option('-p, --preset <name>', 'a catalog preset')
    .option('-c, --config <file>', 'an experiment config JSON file')
    .option('-s, --set <key=value>', 'override a config field (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .description('layers, output shapes and parameter counts of the generator and discriminator')
    .action((flags: ConfigFlags) => {
      const v = validateExperiment(resolvedConfig(flags))
      if (globals().json) return printJson({ generator: v.generator, discriminator: v.discriminator })
      console.log(
        `${render('Generator', v.generator, isGraphSpec(v.config.generator))}\n\n${render('Discriminator', v.discriminator, isGraphSpec(v.config.discriminator))}`,
      )
    })
}
