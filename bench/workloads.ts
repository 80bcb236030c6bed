/**
 * The benchmark's workloads: catalog presets at their own batch sizes, one D step and one G step
 * per iteration, with the time each may take. Ours (bench/ours.ts) and the PyTorch peer
 * (bench/torch_peer.py) share these names.
 */
export interface Workload {
  name: string
  preset: string
  title: string
  batchSize: number
  /** Iterations run before timing (kernel set-up, optimizer slots, caches). */
  warmup: number
  /** Timing stops after this many iterations or seconds, whichever comes first (at least 3 iterations). */
  maxIterations: number
  maxSeconds: number
  /** In `npm run bench -- --quick`. */
  quick: boolean
  /**
   * The peer runs with jemalloc (bench/peer-env.ts): the MLP's step ran 1.6× faster with it, every
   * convolutional workload 1.3–2.4× slower (2026-12-06, `99ec8a4` against `191b2ee`), so each gets
   * its faster allocator.
   */
  peerJemalloc?: boolean
}

export const WORKLOADS: Workload[] = [
  {
    name: 'dcgan',
    preset: 'dcgan-mnist',
    title: 'Keras-style DCGAN',
    batchSize: 64,
    warmup: 2,
    maxIterations: 40,
    maxSeconds: 6,
    quick: true,
  },
  {
    name: 'dcgan-radford',
    preset: 'dcgan-radford-mnist',
    title: 'Radford DCGAN (batch norm)',
    batchSize: 64,
    warmup: 2,
    maxIterations: 60,
    maxSeconds: 6,
    quick: false,
  },
  {
    name: 'acgan',
    preset: 'acgan-mnist',
    title: 'lecture AC-GAN',
    batchSize: 64,
    warmup: 2,
    maxIterations: 40,
    maxSeconds: 6,
    quick: true,
  },
  {
    name: 'pix2pix',
    preset: 'pix2pix-mnist-edges',
    title: 'pix2pix (U-Net, PatchGAN)',
    batchSize: 32,
    warmup: 2,
    maxIterations: 60,
    maxSeconds: 6,
    quick: false,
  },
  {
    name: 'cyclegan',
    preset: 'cyclegan-mnist-edges',
    title: 'CycleGAN (2 ResNet G, 2 PatchGAN D)',
    batchSize: 32,
    warmup: 2,
    maxIterations: 40,
    maxSeconds: 6,
    quick: false,
  },
  {
    name: 'mlp',
    preset: 'mlp-2d-ring8',
    title: 'MLP on ring-8',
    batchSize: 256,
    warmup: 30,
    maxIterations: 3000,
    maxSeconds: 5,
    quick: true,
    peerJemalloc: true,
  },
]

export function findWorkload(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name)
  if (!w) throw new Error(`unknown workload "${name}" (${WORKLOADS.map((x) => x.name).join(', ')})`)
  return w
}
