// Writes resources/experiment-config.schema.json from the zod schema (`npm run schema`).
import fs from 'node:fs'
import path from 'node:path'
import { experimentJsonSchema } from '../src-shared/config/json-schema'

const file = path.join(__dirname, '..', 'resources', 'experiment-config.schema.json')
fs.writeFileSync(file, `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`)
console.log(`wrote ${path.relative(process.cwd(), file)}`)
