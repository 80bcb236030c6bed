/** Messages between a host (CLI, server, Electron main) and a trainer process. */
import type { RunProgressEvent, RunStatusEvent } from '../../src-shared/contract'
import type { RunStatus } from '../../src-shared/domain/run'

export type HostMessage =
  /** `wasmThreads`: this run's share of the cores for wasm kernels (runs training side by side split them). */
  /** `pauseAtStep`: the trainer pauses itself on reaching this step (`train --pause-at`). */
  { type: 'start'; runId: number; home: string; nativeBinding?: string; wasmThreads?: number; pauseAtStep?: number } | { type: 'stop' }

export type TrainerMessage =
  | { type: 'progress'; event: RunProgressEvent }
  | { type: 'status'; event: RunStatusEvent }
  | { type: 'done'; status: RunStatus }
  /** The trainer could not record how the run ended (`status`, default failed): the host tries. */
  | { type: 'fatal'; message: string; status?: RunStatus }

/** A spawned trainer process, whatever spawned it (child_process.fork or Electron's utilityProcess). */
export interface TrainerChild {
  readonly pid: number | undefined
  send(message: HostMessage): void
  onMessage(listener: (message: TrainerMessage) => void): void
  onExit(listener: (code: number | null) => void): void
  kill(): void
}

export type SpawnTrainer = () => TrainerChild
