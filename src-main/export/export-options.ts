/**
 * Which exports a run can make, and why not the others: the Export dialog offers only these (a
 * click that could only fail is never offered), and a request for one that cannot work is refused
 * with the same reason before anything is written, by the UI's `runs.export` and the CLI's `export`
 * alike. The reasons themselves live beside what they are about (checkpoints, the converter, D's
 * inputs), so the exporter's own refusals use the same words.
 */
import type { ExportKind, ExportOption } from '../../src-shared/contract'
import { EXPORT_KINDS } from '../../src-shared/contract'
import type { RunRecord } from '../../src-shared/domain/run'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { findConverter, NO_CONVERTER } from './saved-model'
import { noCheckpointYet } from '../model-io/load-generator'
import { featureExtractorRefusal } from '../model-io/d-features'

function whyNot(run: RunRecord, format: ExportKind, hasCheckpoint: boolean, converter: () => string | null): string | null {
  if (format === 'bundle') return null
  if (!hasCheckpoint) return noCheckpointYet(run)
  if (format === 'savedmodel' && !converter()) return NO_CONVERTER
  if (format === 'discriminator') return featureExtractorRefusal(run.config)
  return null
}

export function exportOptions(registry: Registry, runId: number): ExportOption[] {
  const run = registry.getRun(runId)
  const hasCheckpoint = registry.latestArtifact(runId, 'checkpoint') !== undefined
  let found: string | null | undefined
  const converter = () => (found === undefined ? (found = findConverter()) : found)
  return EXPORT_KINDS.map((format) => {
    const reason = whyNot(run, format, hasCheckpoint, converter)
    return { format, available: reason === null, reason }
  })
}

/** Refuses an export the run cannot make, with the reason the dialog shows. */
export function assertExportable(registry: Registry, runId: number, format: ExportKind): void {
  const option = exportOptions(registry, runId).find((o) => o.format === format)
  if (option && !option.available) throw new ConflictError(option.reason!)
}
