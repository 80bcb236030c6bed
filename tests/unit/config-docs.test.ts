import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { experimentJsonSchema } from '../../src-shared/config/json-schema'
import { configMarkdown } from '../../scripts/lib/config-markdown'

const ROOT = path.join(__dirname, '..', '..')
const generated = () => configMarkdown(experimentJsonSchema() as Parameters<typeof configMarkdown>[0])

describe('docs/config.md', () => {
  it('is what `npm run schema` generates from the config schema (run it after changing the schema)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'config.md'), 'utf8')).toBe(generated())
  })

  it('documents every field of every object in the schema, each with a description', () => {
    const text = generated()
    const missing: string[] = []
    const walk = (s: Record<string, unknown>, where: string) => {
      const props = s.properties as Record<string, Record<string, unknown>> | undefined
      for (const [name, p] of Object.entries(props ?? {})) {
        const isDiscriminator = (name === 'kind' || name === 'type') && (p.const !== undefined || p.enum !== undefined)
        if (!isDiscriminator && !text.includes(`| \`${name}\` |`)) missing.push(`${where}.${name} (no row)`)
        if (!isDiscriminator && !p.description && !(p.items as { description?: string } | undefined)?.description)
          missing.push(`${where}.${name} (no description)`)
        walk(p, `${where}.${name}`)
      }
      for (const key of ['oneOf', 'anyOf', 'prefixItems'] as const)
        for (const v of (s[key] as Record<string, unknown>[] | undefined) ?? []) walk(v, where)
      if (s.items) walk(s.items as Record<string, unknown>, `${where}[]`)
    }
    walk(experimentJsonSchema(), 'config')
    expect(missing).toEqual([])
  })
})
