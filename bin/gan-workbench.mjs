#!/usr/bin/env node
// Runs the built CLI. `npm install` builds it (prepare); after pulling new code run `npm run build`.
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const cli = path.join(root, 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write(`gan-workbench: not built yet. Run \`npm run build\` in ${root}.\n`)
  process.exit(1)
}
const { main } = createRequire(import.meta.url)(cli)
const code = await main(process.argv.slice(2))
if (code !== 0) process.exit(code)
