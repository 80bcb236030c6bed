/**
 * The benchmark's workloads: catalog presets at the sizes issue #9 fixes (batch, one D step and one
 * G step per iteration), with the time each may take. Ours and the PyTorch peer share these names.
 */
export interface Workload {
  name: string
  preset: string
  batchSize: number
  /** Iterations run before timing (kernel set-up, optimizer slots, caches). */
  warmup: number
  /** Timing stops after this many iterations or seconds, whichever comes first (at least 3 iterations). */
  maxIterations: number
  maxSeconds: number
}

export const WORKLOADS: Workload[] = [
  { name: 'dcgan', preset: 'dcgan-mnist', batchSize: 64, warmup: 2, maxIterations: 40, maxSeconds: 15 },
  { name: 'acgan', preset: 'acgan-mnist', batchSize: 64, warmup: 2, maxIterations: 40, maxSeconds: 15 },
  { name: 'mlp', preset: 'mlp-2d-ring8', batchSize: 256, warmup: 20, maxIterations: 2000, maxSeconds: 6 },
]
