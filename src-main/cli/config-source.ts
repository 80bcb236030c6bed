/** Reads the config a command names: `--preset NAME` or `--config FILE`, then `--set` overrides. */
import fs from 'node:fs'
import { resolveConfig } from '../training/run-manager'
import { CliError } from './output'

export interface ConfigFlags {
  preset?: string
  config?: string
  set?: string[]
  backend?: string
}

export function readConfigFile(file: string): unknown {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw new CliError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new CliError(`config file ${file} is not valid JSON: ${(e as Error).message}`)
  }
}

export function configFromFlags(flags: ConfigFlags): { config?: unknown; preset?: string; overrides: string[] } {
  if (!flags.preset && !flags.config) throw new CliError('give --preset NAME or --config FILE (see `gan-workbench presets list`)', 2)
  if (flags.preset && flags.config) throw new CliError('give either --preset or --config, not both', 2)
  const overrides = [...(flags.set ?? [])]
  if (flags.backend) overrides.push(`backend=${flags.backend}`)
  return { config: flags.config ? readConfigFile(flags.config) : undefined, preset: flags.preset, overrides }
}

export function resolvedConfig(flags: ConfigFlags): unknown {
  return resolveConfig(configFromFlags(flags))
}
