/** Queue workers as the coordinator sees them (each one announces itself in Redis every few seconds). */
export interface WorkerJobInfo {
  runId: number
  jobId: string
  step: number
  totalSteps: number
}

export interface WorkerInfo {
  /** "host/pid": also what runs record as their worker. */
  id: string
  host: string
  pid: number
  /** The backend its trainers get by default, and why; `gpu` names a hardware adapter when one was found. */
  backend: string
  backendReason: string
  gpu: string | null
  concurrency: number
  jobs: WorkerJobInfo[]
  /** The job it finished last (absent from workers of older versions): what an idle worker did. */
  lastJob?: { runId: number; jobId: string; endedAt: string } | null
  startedAt: string
  /** When it last announced itself (ISO). */
  seenAt: string
}

export interface WorkersView {
  /** The queue this host dispatches to (redis URL without credentials), or null when it has none. */
  queue: string | null
  workers: WorkerInfo[]
}
