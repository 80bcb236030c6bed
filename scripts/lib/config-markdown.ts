/**
 * docs/config.md from the experiment config's JSON Schema: one table per object, one section per
 * form of a `kind`/`type` union, model specs and layers once each (G and D share them). Pure: the
 * writer (scripts/export-json-schema.ts) and the test that keeps the file current call it alike.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
interface Schema {
  type?: string
  description?: string
  default?: Json
  enum?: Json[]
  const?: Json
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minItems?: number
  maxItems?: number
  minLength?: number
  maxLength?: number
  pattern?: string
  items?: Schema
  prefixItems?: Schema[]
  properties?: Record<string, Schema>
  required?: string[]
  oneOf?: Schema[]
  anyOf?: Schema[]
}

interface Section {
  id: string
  title: string
  /** The path the section documents (prefix of the variants' headings). */
  path: string
  intro?: string
  schema: Schema
}

const DISCRIMINATORS = ['kind', 'type']

/** Sections shared by several fields get a name of their own instead of their first field's path. */
const NAMED: Record<string, { id: string; title: string; intro: string }> = {
  generator: {
    id: 'model-specs',
    title: 'Model specs',
    intro: 'A model (G or D) is a layer stack or a graph. Shapes leave out the batch dimension and are channels-last, as in Keras.',
  },
  'stack.layers[]': {
    id: 'layers',
    title: 'Layers',
    intro: 'Every layer has a `type`; the other fields depend on it. The same layers appear in stacks and in graph nodes.',
  },
  'graph.inputs[]': { id: 'graph-inputs', title: 'Graph inputs', intro: 'Each input of a graph spec.' },
  'graph.nodes[]': {
    id: 'graph-nodes',
    title: 'Graph nodes',
    intro: 'Each node applies one layer to the inputs or earlier nodes it names (two or more for concatenate, multiply and add).',
  },
  'optimizers.generator': {
    id: 'optimizer',
    title: 'Optimizer',
    intro: '`optimizers.generator` and `optimizers.discriminator` each take one of these forms, picked by `type`.',
  },
}

/** A schema's identity without its description, so G's and D's specs are one section. */
function identity(schema: Schema): string {
  const { description: _d, default: _def, ...rest } = schema
  return JSON.stringify(rest)
}

function code(value: Json | undefined): string {
  return `\`${JSON.stringify(value)}\``
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function range(lo: number | undefined, hi: number | undefined, loOpen = false, hiOpen = false): string {
  const fmt = (n: number) => (Math.abs(n) >= 10_000 && Number.isInteger(n) ? n.toLocaleString('en-US') : String(n))
  if (lo !== undefined && hi !== undefined) return `${loOpen ? '>' : '≥'} ${fmt(lo)} and ${hiOpen ? '<' : '≤'} ${fmt(hi)}`
  if (lo !== undefined) return `${loOpen ? '>' : '≥'} ${fmt(lo)}`
  if (hi !== undefined) return `${hiOpen ? '<' : '≤'} ${fmt(hi)}`
  return ''
}

function discriminatorOf(variants: Schema[]): string | undefined {
  return DISCRIMINATORS.find((key) =>
    variants.every((v) => v.properties?.[key]?.const !== undefined || v.properties?.[key]?.enum !== undefined),
  )
}

function variantValues(variant: Schema, key: string): Json[] {
  const p = variant.properties![key]!
  return p.const !== undefined ? [p.const] : p.enum!
}

export function configMarkdown(root: Schema): string {
  const sections: Section[] = []
  const known = new Map<string, string>()

  /** The section id for an object or union schema, queued on first sight. */
  function sectionFor(schema: Schema, path: string): string {
    const key = identity(schema)
    const existing = known.get(key)
    if (existing) return existing
    const named = NAMED[path]
    const id = named?.id ?? slug(path)
    known.set(key, id)
    sections.push(
      named
        ? { id, title: named.title, path: named.title, intro: named.intro, schema }
        : { id, title: path, path, intro: schema.description, schema },
    )
    return id
  }

  function typeOf(schema: Schema, path: string): string {
    if (schema.const !== undefined) return code(schema.const)
    if (schema.enum) return `one of ${schema.enum.map(code).join(', ')}`
    if (schema.oneOf) {
      const id = sectionFor(schema, path)
      return `${discriminatorOf(schema.oneOf) ?? 'one of'}-dependent object: [${sections.find((s) => s.id === id)!.title}](#${id})`
    }
    if (schema.anyOf) return `[model spec](#${sectionFor(schema, path)})`
    switch (schema.type) {
      case 'integer':
      case 'number': {
        const r = range(
          schema.exclusiveMinimum ?? schema.minimum,
          schema.exclusiveMaximum ?? schema.maximum,
          schema.exclusiveMinimum !== undefined,
          schema.exclusiveMaximum !== undefined,
        )
        return r ? `${schema.type}, ${r}` : schema.type
      }
      case 'string': {
        if (schema.pattern) return `name (\`${schema.pattern}\`)`
        return schema.maxLength ? `string (up to ${schema.maxLength.toLocaleString('en-US')} characters)` : 'string'
      }
      case 'boolean':
        return 'boolean'
      case 'array': {
        if (schema.prefixItems) return `[${schema.prefixItems.map((s) => typeOf(s, path)).join(', ')}]`
        const count = schema.minItems === schema.maxItems ? `${schema.minItems}` : `${schema.minItems ?? 0}–${schema.maxItems ?? '∞'}`
        return `array of ${count}: ${typeOf(schema.items ?? {}, `${path}[]`)}`
      }
      case 'object': {
        const id = sectionFor(schema, path)
        return `object: [${sections.find((s) => s.id === id)!.title}](#${id})`
      }
      default:
        return 'any'
    }
  }

  function table(schema: Schema, path: string, skip?: string): string[] {
    const rows = ['| field | type | default | description |', '| --- | --- | --- | --- |']
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      if (name === skip) continue
      const required = schema.required?.includes(name)
      const dflt = prop.default !== undefined ? code(prop.default) : required ? 'required' : 'optional'
      const type = typeOf(prop, path ? `${path}.${name}` : name)
      rows.push(`| \`${name}\` | ${cell(type)} | ${cell(dflt)} | ${cell(prop.description ?? '')} |`)
    }
    return rows
  }

  function render(section: Section): string[] {
    const { schema, id, title, path, intro } = section
    const out = [`<a id="${id}"></a>`, '', `## ${title}`, '']
    if (intro) out.push(intro, '')
    if (schema.oneOf) {
      const key = discriminatorOf(schema.oneOf)
      for (const variant of schema.oneOf) {
        const values = key ? variantValues(variant, key) : []
        const name = values.map((v) => `\`${key}: ${JSON.stringify(v)}\``).join(' or ')
        out.push(`### ${title} — ${name}`, '')
        if (variant.description) out.push(variant.description, '')
        out.push(...(Object.keys(variant.properties ?? {}).length > 1 ? table(variant, path, key) : ['No other fields.']), '')
      }
    } else if (schema.anyOf) {
      for (const form of schema.anyOf) {
        const graph = form.properties?.nodes !== undefined
        out.push(`### ${graph ? 'Graph' : 'Layer stack'}`, '')
        if (form.description) out.push(form.description, '')
        out.push(...table(form, graph ? 'graph' : 'stack'), '')
      }
    } else {
      out.push(...table(schema, path), '')
    }
    return out
  }

  const lines = [
    '# Experiment config reference',
    '',
    '<!-- Generated by `npm run schema` from src-shared/config/experiment.ts (the same source as resources/experiment-config.schema.json). Do not edit by hand: tests/unit/config-docs.test.ts fails when this file differs from what the script writes. -->',
    '',
    'An experiment is one JSON object, the same for `train --config FILE`, the UI and the registry. `gan-workbench presets show NAME` prints a complete one to start from; `--set path=value` changes one field from the command line. Objects are strict: an unknown field is an error that names it, as is a value out of range. Editors can validate a file against `resources/experiment-config.schema.json`.',
    '',
  ]
  sections.push({ id: 'top-level', title: 'Top level', path: '', schema: root })
  for (let i = 0; i < sections.length; i++) lines.push(...render(sections[i]!))
  return `${lines.join('\n').trimEnd()}\n`
}

function slug(path: string): string {
  return path
    .toLowerCase()
    .replace(/\[\]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}
