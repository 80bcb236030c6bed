/**
 * Which exports a run can make, and why not the others: the Export dialog offers only these (a
 * click that could only fail is never offered), and a request for one that cannot work is refused
 * with the same reason before anything is written.
 */
import type { ExportKind, ExportOption } from '../../src-shared/contract'
import { EXPORT_KINDS } from '../../src-shared/contract'
import { isPointData } from '../../src-shared/config/validate'
import { toGraph } from '../../src-shared/model/shape-inference'
import type { RunRecord } from '../../src-shared/domain/run'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { findConverter } from './saved-model'

function whyNot(run: RunRecord, format: ExportKind, hasCheckpoint: boolean, converter: () => string | null): string | null {
  if (format === 'bundle') return null
  if (!hasCheckpoint)
    return `run ${run.id} has no checkpoint yet: one is saved every ${run.config.training.checkpointEvery} epoch(s) and when it stops`
  if (format === 'savedmodel' && !converter()) {
    return "needs TensorFlow's converter (tensorflowjs_converter), which is not installed on the machine the workbench runs on: `pip install tensorflowjs` there. The TensorFlow.js export already has weights.npz and a PyTorch loader for Python."
  }
  if (format === 'discriminator') {
    if (isPointData(run.config))
      return "this run's discriminator reads 2D points, not images: its features serve no image task (transfer learning needs an image discriminator)"
    const others = toGraph(run.config.discriminator, 'image').inputs.filter((i) => i.role !== 'image')
    if (others.length > 0)
      return `this run's discriminator also reads ${others.map((i) => `a ${i.role}`).join(' and ')}: its features need more than an image`
  }
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
