/** The `datasets` table: the data runs train on, one row per content (or spec) hash, shared by later runs. */
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { Db } from './database'

export interface DatasetRecord {
  id: number
  /** Of the content (`contentHash`), or of the spec for generated and derived data. */
  sha256: string
  contentHash: boolean
  /** How the first run named it (e.g. image:mnist, folder:/data/faces). */
  label: string
  spec: ExperimentConfig['dataset']
  count: number | null
  createdAt: string
  /** Runs that trained on it. */
  runs: number
}

export function datasetLabel(config: ExperimentConfig): string {
  switch (config.dataset.kind) {
    case 'toy2d':
      return `toy2d:${config.dataset.distribution}`
    case 'image':
      return `image:${config.dataset.name}${config.dataset.limit ? `[:${config.dataset.limit}]` : ''}`
    case 'paired':
      return `paired:${config.dataset.task ?? config.dataset.dir}${config.dataset.limit ? `[:${config.dataset.limit}]` : ''}`
    case 'unpaired':
      return `unpaired:${config.dataset.task ?? config.dataset.dir}${config.dataset.limit ? `[:${config.dataset.limit}]` : ''}`
    case 'csv':
      return `csv:${config.dataset.file}`
    case 'folder':
      return `folder:${config.dataset.dir}${config.dataset.limit ? `[:${config.dataset.limit}]` : ''}`
  }
}

interface DatasetRow {
  id: number
  sha256: string
  content_hash: number
  label: string
  spec_json: string
  sample_count: number | null
  created_at: string
  runs: number
}

export class DatasetRepository {
  constructor(private readonly db: Db) {}

  /** Records the data a run trains on (reusing the row of the same hash) and points the run at it. */
  register(runId: number, config: ExperimentConfig, identity: { sha256: string; content: boolean; count: number | null }): DatasetRecord {
    const tx = this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT OR IGNORE INTO datasets (sha256, content_hash, label, spec_json, sample_count, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          identity.sha256,
          identity.content ? 1 : 0,
          datasetLabel(config),
          JSON.stringify(config.dataset),
          identity.count,
          new Date().toISOString(),
        )
      const row = this.db.prepare('SELECT id FROM datasets WHERE sha256 = ?').get(identity.sha256) as { id: number }
      this.db.prepare('UPDATE runs SET dataset_id = ? WHERE id = ?').run(row.id, runId)
      return row.id
    })
    const id = tx.immediate()
    return this.list().find((d) => d.id === id)!
  }

  list(): DatasetRecord[] {
    const rows = this.db
      .prepare(
        `
      SELECT d.id, d.sha256, d.content_hash, d.label, d.spec_json, d.sample_count, d.created_at, count(r.id) AS runs
      FROM datasets d LEFT JOIN runs r ON r.dataset_id = d.id GROUP BY d.id ORDER BY d.id`,
      )
      .all() as DatasetRow[]
    return rows.map((r) => ({
      id: r.id,
      sha256: r.sha256,
      contentHash: r.content_hash === 1,
      label: r.label,
      spec: JSON.parse(r.spec_json) as ExperimentConfig['dataset'],
      count: r.sample_count,
      createdAt: r.created_at,
      runs: r.runs,
    }))
  }
}
