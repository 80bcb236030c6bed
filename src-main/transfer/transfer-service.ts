/**
 * Transfer experiments (from the UI and the CLI alike) and generated datasets started from the UI. Both run in the serving process
 * (like sampling and export): tfjs's fit yields between batches, so requests keep being answered.
 * One transfer at a time per process: a second would only halve the speed of both.
 */
import type { SynthOutcome, TransferProgressEvent } from '../../src-shared/contract'
import type { TransferOptions, TransferRecord } from '../../src-shared/domain/transfer'
import type { Registry } from '../registry/registry'
import { ConflictError } from '../util/errors'
import { synthRun } from '../export/synth'
import { DEFAULT_TRANSFER, runTransfer, transferDataset } from './transfer-experiment'
import { DATASETS_DIR } from '../platform/paths'
import { confinedPath } from '../util/confined-path'

let busy = false

/** What a transfer experiment runs with: the UI's request, or the CLI's flags (every option). */
export interface TransferRequest {
  id: number
  labelsPerClass: number[]
  steps?: number
  freeze?: boolean
  batchSize?: number
  learningRate?: number
  seed?: number
  /** The checkpoint's step (default: the latest). */
  step?: number
}

/**
 * A transfer experiment from the UI (`runs.transfer`) or the CLI (`transfer`): recorded running,
 * then completed with its table or failed with the error. `onRecorded` gets the record as soon as
 * it exists (the CLI marks it failed when the user interrupts it).
 */
export async function startTransfer(
  registry: Registry,
  request: TransferRequest,
  progress: (e: TransferProgressEvent) => void,
  onRecorded?: (record: TransferRecord) => void,
): Promise<TransferRecord> {
  if (busy) throw new ConflictError('a transfer experiment is already running here; wait for it to finish')
  transferDataset(registry, request.id, request.labelsPerClass)
  const options: TransferOptions = {
    labelsPerClass: request.labelsPerClass,
    steps: request.steps ?? DEFAULT_TRANSFER.steps,
    batchSize: request.batchSize ?? DEFAULT_TRANSFER.batchSize,
    learningRate: request.learningRate ?? DEFAULT_TRANSFER.learningRate,
    freeze: request.freeze ?? false,
    seed: request.seed ?? DEFAULT_TRANSFER.seed,
  }
  const record = registry.createTransfer(request.id, request.step ?? registry.latestArtifact(request.id, 'checkpoint')?.step ?? 0, options)
  onRecorded?.(record)
  busy = true
  try {
    const r = await runTransfer(
      registry,
      request.id,
      options,
      (p) => progress({ runId: request.id, transferId: record.id, ...p }),
      request.step,
    )
    return registry.finishTransfer(record.id, { results: r.results })
  } catch (e) {
    registry.finishTransfer(record.id, { error: e instanceof Error ? e.message : String(e) })
    throw e
  } finally {
    busy = false
  }
}

export { DATASETS_DIR }

export async function synthForUi(
  registry: Registry,
  home: string,
  request: { id: number; n: number; format: 'idx' | 'png' | 'csv' },
): Promise<SynthOutcome> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)
  const dir = confinedPath(
    home,
    `${DATASETS_DIR}/run-${request.id}-${request.n}-${request.format}-${stamp}`,
    'the generated dataset folder',
  )
  const r = await synthRun(registry, request.id, request.n, dir, { format: request.format })
  const dataset =
    r.format === 'csv'
      ? { kind: 'csv', file: r.file }
      : r.format === 'idx'
        ? { kind: 'image', name: 'mnist-idx', dir: r.dir }
        : { kind: 'folder', dir: r.dir, labelsFromFolders: true, classes: 10 }
  return { dir: r.dir, count: r.count, labels: r.labels, perClass: r.perClass, dataset }
}
