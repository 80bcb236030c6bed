import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { experimentJsonSchema } from '../../src-shared/config/json-schema'

describe('experiment config JSON Schema', () => {
  it('the committed file matches the zod schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'resources', 'experiment-config.schema.json'), 'utf8'))
    expect(committed).toEqual(JSON.parse(JSON.stringify(experimentJsonSchema())))
  })

  it('is strict: unknown fields are not allowed', () => {
    const s = experimentJsonSchema() as { additionalProperties?: boolean; properties: Record<string, { additionalProperties?: boolean }> }
    expect(s.additionalProperties).toBe(false)
    expect(s.properties.training!.additionalProperties).toBe(false)
  })
})
