/** Reads the config a command names: `--preset NAME` or `--config FILE`, then `--set` overrides. */
import { readRegularFile } from '../util/regular-file'
import { resolveConfig } from '../training/run-manager'
import { CliError } from './output'

export interface ConfigFlags {
  preset?: string
  config?: string
  set?: string[]
  backend?: string
}

/** A config is a few kilobytes; this bounds what `--config /dev/zero` or a huge file could make us read. */
const MAX_CONFIG_BYTES = 16 * 1024 ** 2

export function readConfigFile(file: string): unknown {
  const text = readRegularFile(file, {
    maxBytes: MAX_CONFIG_BYTES,
    fail: (problem) => new CliError(`cannot read config file ${file}: ${problem}`),
  }).toString('utf8')
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
