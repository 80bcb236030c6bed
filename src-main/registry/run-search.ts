/**
 * The runs table's search, as SQL over the registry: every word must match (in any order) a run's
 * name, notes, dataset, a tag, or one of its config values ("minimax" finds the runs whose G loss
 * is minimax; "0.0002" a learning rate); a `path=value` word matches that config setting exactly
 * (`loss.generator=minimax`, `batchSize=64`: the path may be the end of a dotted path). Config keys
 * themselves are not searched: every run has a "generator".
 */

/** A config leaf's value as text: booleans as true/false (json_tree gives 1/0), numbers as SQLite writes them. */
const LEAF_TEXT = "CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.atom AS TEXT) END"

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/** `path=value` with a path of config keys (letters, digits, dots, [i]). */
const SETTING = /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*|\[\d+\])*)=(.+)$/

export interface SearchClause {
  sql: string
  params: unknown[]
}

export function searchClause(search: string): SearchClause | null {
  const words = search.trim().split(/\s+/).filter(Boolean).slice(0, 20)
  if (words.length === 0) return null
  const parts: string[] = []
  const params: unknown[] = []
  for (const word of words) {
    const setting = SETTING.exec(word)
    if (setting) {
      const [, path, value] = setting as unknown as [string, string, string]
      const number = Number(value)
      parts.push(`EXISTS (SELECT 1 FROM json_tree(r.config_json) j WHERE j.atom IS NOT NULL
        AND (j.fullkey = ? OR j.fullkey LIKE ? ESCAPE '\\')
        AND (lower(${LEAF_TEXT}) = lower(?)${Number.isFinite(number) && value.trim() !== '' ? " OR (j.type IN ('integer', 'real') AND j.atom = ?)" : ''}))`)
      params.push(`$.${path}`, `%.${escapeLike(path)}`, value)
      if (Number.isFinite(number) && value.trim() !== '') params.push(number)
      continue
    }
    const like = `%${escapeLike(word)}%`
    parts.push(`(r.name LIKE ? ESCAPE '\\' OR r.notes LIKE ? ESCAPE '\\' OR r.dataset LIKE ? ESCAPE '\\'
      OR EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag LIKE ? ESCAPE '\\')
      OR EXISTS (SELECT 1 FROM json_tree(r.config_json) j WHERE j.atom IS NOT NULL AND ${LEAF_TEXT} LIKE ? ESCAPE '\\'))`)
    params.push(like, like, like, like, like)
  }
  return { sql: parts.join(' AND '), params }
}
