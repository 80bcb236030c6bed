/**
 * Transfer experiments: a classifier fine-tuned from a GAN's discriminator beside the same network
 * trained from scratch, on the same few labels. A run kind of its own, linked to its GAN run.
 */
export const TRANSFER_STATUSES = ['running', 'completed', 'failed'] as const
export type TransferStatus = (typeof TRANSFER_STATUSES)[number]

export interface TransferOptions {
  /** One comparison per entry: this many labelled training images per class. */
  labelsPerClass: number[]
  /** Gradient steps per classifier (the same for every label count, so only the data differs). */
  steps: number
  batchSize: number
  learningRate: number
  /** Train only the new head on D's frozen features (a linear probe) instead of fine-tuning all. */
  freeze: boolean
  seed: number
}

export interface TransferRow {
  labelsPerClass: number
  trainCount: number
  /** Test accuracy starting from D's weights. */
  transfer: number
  /** Test accuracy of the same architecture from a random initialisation. */
  scratch: number
}

export interface TransferResults {
  dataset: string
  testCount: number
  featureShape: number[]
  rows: TransferRow[]
}

export interface TransferRecord {
  id: number
  ganRunId: number
  status: TransferStatus
  checkpointStep: number
  options: TransferOptions
  results: TransferResults | null
  error: string | null
  createdAt: string
  finishedAt: string | null
}
