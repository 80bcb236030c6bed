// Fails when a .vue file does not parse with @vue/compiler-sfc. dependency-cruiser parses single-file
// components with it and, when that fails, silently counts the file as having no imports, so the
// layer and cycle rules would skip it (a multi-line event handler written by the formatter did that).
import fs from 'node:fs'
import path from 'node:path'
import { parse } from '@vue/compiler-sfc'

const root = process.argv[2] ?? 'src-renderer'
const walk = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
const failures = walk(root)
  .filter((file) => file.endsWith('.vue'))
  .flatMap((file) =>
    parse(fs.readFileSync(file, 'utf8'), { filename: file }).errors.map((e) => `${file}:${e.loc?.start.line ?? '?'}: ${e.message ?? e}`),
  )
if (failures.length > 0) {
  process.stderr.write(`Vue files the import checks cannot read (write a multi-statement handler as a function):\n${failures.join('\n')}\n`)
  process.exit(1)
}
