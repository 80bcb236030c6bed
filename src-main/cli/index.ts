/** The `gan-workbench` command line (built as out/main/cli.js; bin/gan-workbench.mjs runs it). */
import { CommanderError } from 'commander'
import { buildProgram } from './program'
import { reportError, type CliError } from './output'
import type { GlobalOptions } from './context'

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
  const globals = () => program.opts<GlobalOptions>()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2
    return reportError(e as CliError, Boolean(globals().json))
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    // serve keeps running: its handlers exit; everything else ends here.
    if (code !== 0) process.exit(code)
  })
}
