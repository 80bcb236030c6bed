/**
 * The PyTorch peer's environment (bench/peer-env.ts), as docs/benchmark.md states it: our thread
 * settings at the figure's thread count; for the MLP only, jemalloc preloaded where Debian's
 * libjemalloc2 is installed and glibc's mmap/trim thresholds raised where it is not; a user's own
 * thread, LD_PRELOAD or MALLOC_* values kept.
 */
import fs from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { peerAllocator, peerEnv } from '../../bench/peer-env'
import { WORKLOADS } from '../../bench/workloads'

const KEYS = ['LD_PRELOAD', 'MALLOC_ARENA_MAX', 'OPENBLAS_NUM_THREADS', 'OMP_WAIT_POLICY', 'OPENBLAS_THREAD_TIMEOUT']
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]))
afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
  }
  vi.restoreAllMocks()
})
const clear = () => KEYS.forEach((k) => delete process.env[k])

describe("the peer's environment (bench/peer-env.ts)", () => {
  it("gives our thread settings at the figure's thread count", () => {
    clear()
    const env = peerEnv(2)
    expect(env).toMatchObject({
      OMP_NUM_THREADS: '2',
      OPENBLAS_NUM_THREADS: '2',
      OMP_WAIT_POLICY: 'passive',
      OPENBLAS_THREAD_TIMEOUT: '16',
    })
    // glibc's allocator, unless the workload asks for the other (only the MLP does).
    expect(env.LD_PRELOAD).toBeUndefined()
    expect(env.MALLOC_MMAP_THRESHOLD_).toBeUndefined()
    expect(WORKLOADS.filter((w) => w.peerJemalloc).map((w) => w.name)).toEqual(['mlp'])
  })

  it('preloads jemalloc where it is installed', () => {
    clear()
    vi.spyOn(fs, 'existsSync').mockImplementation((p) => String(p).endsWith('libjemalloc.so.2'))
    expect(peerEnv(1, true).LD_PRELOAD).toBe('/usr/lib/x86_64-linux-gnu/libjemalloc.so.2')
    expect(peerAllocator().allocator).toMatch(/^jemalloc/)
  })

  it("raises glibc's mmap and trim thresholds where jemalloc is absent", () => {
    clear()
    vi.spyOn(fs, 'existsSync').mockReturnValue(false)
    const env = peerEnv(1, true)
    expect(env.LD_PRELOAD).toBeUndefined()
    expect(env.MALLOC_MMAP_THRESHOLD_).toBe(String(4 * 1024 * 1024))
    expect(env.MALLOC_TRIM_THRESHOLD_).toBe(String(64 * 1024 * 1024))
  })

  it("keeps a user's own allocator and thread settings", () => {
    clear()
    process.env.MALLOC_ARENA_MAX = '2'
    process.env.OMP_WAIT_POLICY = 'active'
    process.env.OPENBLAS_NUM_THREADS = '1'
    const env = peerEnv(2, true)
    expect(env.LD_PRELOAD).toBeUndefined()
    expect(env.MALLOC_MMAP_THRESHOLD_).toBeUndefined()
    expect(env).toMatchObject({ MALLOC_ARENA_MAX: '2', OMP_WAIT_POLICY: 'active', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2' })
    expect(peerAllocator().allocator).toMatch(/as set by the user/)
  })
})
