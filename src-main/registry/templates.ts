/**
 * The `model_templates` table: models saved from the builder. Both models are checked (schema and shape inference)
 * before they are stored, so a template always loads into a launchable graph.
 */
import type { ModelTemplate } from '../../src-shared/domain/template'
import { modelSpecSchema, type ModelSpecInput } from '../../src-shared/model/spec'
import { summarizeModel, ShapeError } from '../../src-shared/model/shape-inference'
import { PRESETS } from '../../src-shared/config/presets'
import type { Db } from './database'
import { NotFoundError } from './errors'
import { ConflictError } from '../util/errors'

interface TemplateRow {
  name: string
  generator_json: string
  discriminator_json: string
  base_preset: string | null
  created_at: string
  updated_at: string
}

const toRecord = (r: TemplateRow): ModelTemplate => ({
  name: r.name,
  generator: JSON.parse(r.generator_json) as ModelSpecInput,
  discriminator: JSON.parse(r.discriminator_json) as ModelSpecInput,
  basePreset: r.base_preset,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

function checkModel(what: 'generator' | 'discriminator', spec: unknown): ModelSpecInput {
  const parsed = modelSpecSchema.safeParse(spec)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ConflictError(`the ${what} is not a valid model: ${issue.path.join('.') || '(model)'}: ${issue.message}`)
  }
  try {
    summarizeModel(parsed.data)
  } catch (e) {
    if (e instanceof ShapeError) throw new ConflictError(`the ${what} has an error: ${e.message}`)
    throw e
  }
  return spec as ModelSpecInput
}

export class TemplateRepository {
  constructor(private readonly db: Db) {}

  list(): ModelTemplate[] {
    return (this.db.prepare('SELECT * FROM model_templates ORDER BY name').all() as TemplateRow[]).map(toRecord)
  }

  /** Saves (or replaces) a template by name. */
  save(t: { name: string; generator: unknown; discriminator: unknown; basePreset: string | null }): ModelTemplate {
    const generator = checkModel('generator', t.generator)
    const discriminator = checkModel('discriminator', t.discriminator)
    if (t.basePreset !== null && !PRESETS.some((p) => p.name === t.basePreset)) throw new ConflictError(`no preset named ${t.basePreset}`)
    const now = new Date().toISOString()
    this.db
      .prepare(
        `INSERT INTO model_templates (name, generator_json, discriminator_json, base_preset, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(name) DO UPDATE SET generator_json = excluded.generator_json, discriminator_json = excluded.discriminator_json,
        base_preset = excluded.base_preset, updated_at = excluded.updated_at`,
      )
      .run(t.name, JSON.stringify(generator), JSON.stringify(discriminator), t.basePreset, now, now)
    return toRecord(this.db.prepare('SELECT * FROM model_templates WHERE name = ?').get(t.name) as TemplateRow)
  }

  delete(name: string): void {
    const info = this.db.prepare('DELETE FROM model_templates WHERE name = ?').run(name)
    if (info.changes === 0) throw new NotFoundError(`no template named ${name}`)
  }
}
