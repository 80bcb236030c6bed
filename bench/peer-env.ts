/**
 * The PyTorch peer's process environment, shared by every bench script that starts it: the
 * thread settings ours gets, and the memory allocator PyTorch's CPU tuning guide recommends.
 *
 * - Threads, as native-blas.ts gives ours: OpenBLAS's idle threads spin 2^16 cycles, not 2^28;
 *   OpenMP threads wait passively; both pools sized to the threads measured (torch's
 *   set_num_threads does not size OpenBLAS's pool).
 * - Allocator, for the MLP only: with glibc's defaults, a tensor of 128 KiB or more (the MLP's
 *   256 × 128 activations exactly) is an mmap and munmap of its own, page faults included, every
 *   time: the MLP step ran 133–217 it/s on one thread, and 296–318 with jemalloc preloaded or
 *   glibc's mmap and trim thresholds raised (2026-12-06, the 2-core dev VM, alternating runs).
 *   PyTorch's performance tuning guide recommends jemalloc or TCMalloc on CPU; Debian's libjemalloc2
 *   is preloaded when it is installed (redis-server depends on it), otherwise glibc's thresholds are
 *   raised. The convolutional workloads ran 1.3–2.4× slower with jemalloc (a full bench at
 *   `99ec8a4`) and about 2× slower with the raised thresholds (AC-GAN, alternating runs), so they
 *   keep glibc's defaults: each workload gets its faster allocator (workloads.ts, `peerJemalloc`).
 *
 * A user's own values win, for the threads and for the allocator (LD_PRELOAD or MALLOC_* set).
 */
import fs from 'node:fs'

const JEMALLOC = ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2']

/** The allocator settings: which, and the variables that give it. */
export function peerAllocator(): { allocator: string; env: NodeJS.ProcessEnv } {
  if (process.env.LD_PRELOAD || Object.keys(process.env).some((k) => k.startsWith('MALLOC_')))
    return { allocator: 'as set by the user (LD_PRELOAD / MALLOC_*)', env: {} }
  const jemalloc = JEMALLOC.find((p) => fs.existsSync(p))
  if (jemalloc) return { allocator: `jemalloc (${jemalloc})`, env: { LD_PRELOAD: jemalloc } }
  return {
    allocator: 'glibc, mmap threshold 4 MiB and trim threshold 64 MiB (jemalloc not installed)',
    env: { MALLOC_MMAP_THRESHOLD_: String(4 << 20), MALLOC_TRIM_THRESHOLD_: String(64 << 20) },
  }
}

/** The peer's environment at `threads` threads, with the allocator settings where `allocator` (the MLP; see below). */
export function peerEnv(threads: number, allocator = false): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? String(threads),
    OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive',
    OPENBLAS_THREAD_TIMEOUT: process.env.OPENBLAS_THREAD_TIMEOUT ?? '16',
    ...(allocator ? peerAllocator().env : {}),
  }
}
