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
import { workbenchOnlyNodes } from '../../src-shared/model/workbench-only-layers'

/** Model files (every format but a bundle) must load outside the workbench. */
function workbenchOnlyRefusal(run: RunRecord, format: ExportKind): string | null {
  const which = format === 'discriminator' ? 'discriminator' : 'generator'
  const nodes = workbenchOnlyNodes(format === 'discriminator' ? run.config.discriminator : run.config.generator)
  if (nodes.length === 0) return null
  return `this run's ${which} has layers only the workbench can rebuild (${nodes.join(', ')}): plain TensorFlow.js, the sampler page and the Python loader cannot load them; export a bundle instead, which another workbench imports`
}

function whyNot(run: RunRecord, format: ExportKind, hasCheckpoint: boolean, converter: () => string | null): string | null {
  if (format === 'bundle') return null
  if (!hasCheckpoint) return noCheckpointYet(run)
  if (format === 'savedmodel' && !converter()) return NO_CONVERTER
  if (format === 'discriminator') return featureExtractorRefusal(run.config) ?? workbenchOnlyRefusal(run, format)
  return workbenchOnlyRefusal(run, format)
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
