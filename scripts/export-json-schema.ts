// Writes resources/experiment-config.schema.json and docs/config.md from the zod schema (`npm run schema`).
import fs from 'node:fs'
import path from 'node:path'
import { experimentJsonSchema } from '../src-shared/config/json-schema'
import { configMarkdown } from './lib/config-markdown'

const root = path.join(__dirname, '..')
const schema = experimentJsonSchema()
const outputs: Array<[string, string]> = [
  [path.join(root, 'resources', 'experiment-config.schema.json'), `${JSON.stringify(schema, null, 2)}\n`],
  [path.join(root, 'docs', 'config.md'), configMarkdown(schema as Parameters<typeof configMarkdown>[0])],
]
for (const [file, text] of outputs) {
  fs.writeFileSync(file, text)
  console.log(`wrote ${path.relative(process.cwd(), file)}`)
}
