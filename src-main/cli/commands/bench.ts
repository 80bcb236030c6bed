/**
 * `bench`: the same benchmark as `npm run bench` (our engine beside the PyTorch CPU peer, ratios and
 * one JSON line last). It lives in the source checkout's bench/ folder and runs with its tsx.
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import type { Command } from 'commander'
import { CliError } from '../output'

/** out/main → the checkout's root. */
const ROOT = path.join(__dirname, '..', '..')

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('benchmark training throughput against PyTorch CPU on this machine (about 7 minutes; from a source checkout)')
    .action(() => {
      const script = path.join(ROOT, 'bench', 'run.ts')
      const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx')
      if (!fs.existsSync(script) || !fs.existsSync(tsx)) {
        throw new CliError(`the benchmark ships with the source checkout (bench/ and its dev dependencies), not found under ${ROOT}`)
      }
      const r = spawnSync(tsx, [script], { cwd: ROOT, stdio: 'inherit' })
      if (r.status !== 0) throw new CliError(`the benchmark failed (exit ${r.status ?? r.signal})`)
    })
}
