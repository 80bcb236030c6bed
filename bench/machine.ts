/**
 * The machine the bench runs on, as it is: CPU model and family, vector extensions, cores, memory,
 * OpenBLAS's pinned core type, and the load average (read while each measurement runs).
 */
import fs from 'node:fs'
import os from 'node:os'

export interface Load {
  /** 1-minute load average. */
  avg1: number
  /** Processes runnable at this instant (the fourth field of /proc/loadavg), this one included. */
  runnable: number
}

export function readLoad(): Load {
  try {
    const fields = fs.readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/)
    return { avg1: Number(fields[0]), runnable: Number(fields[3]?.split('/')[0] ?? NaN) }
  } catch {
    return { avg1: os.loadavg()[0]!, runnable: NaN }
  }
}

/** AMD's family numbers of recent Zen generations (family 25 covers Zen 3 and Zen 4). */
const AMD_FAMILIES: Record<string, string> = { '23': 'Zen / Zen 2', '25': 'Zen 3 / Zen 4', '26': 'Zen 5' }

export function describeMachine(): {
  summary: string
  cpu: string
  cores: number
  memoryGiB: number
  vector: string
  openblasCoreType: string | null
} {
  let cpuinfo = ''
  try {
    cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8')
  } catch {
    /* not Linux */
  }
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1]?.trim()
  const flags = new Set((field('flags') ?? '').split(/\s+/))
  const vector = flags.has('avx512f')
    ? 'AVX-512 (and AVX2 + FMA)'
    : flags.has('avx2') && flags.has('fma')
      ? 'AVX2 + FMA'
      : flags.has('avx')
        ? 'AVX'
        : 'SSE'
  const vendor = field('vendor_id')
  const family = field('cpu family')
  const generation = vendor === 'AuthenticAMD' && family ? AMD_FAMILIES[family] : undefined
  const model = (os.cpus()[0]?.model ?? field('model name') ?? 'unknown CPU').trim()
  const cpu = `${model}${generation ? ` (${generation}, family ${family})` : ''}`
  const cores = os.cpus().length
  const memoryGiB = Math.round(os.totalmem() / 2 ** 30)
  const openblasCoreType = process.env.OPENBLAS_CORETYPE ?? null
  const summary = `${cores} cores of ${cpu}, ${vector}, ${memoryGiB} GiB${openblasCoreType ? `, OpenBLAS pinned to ${openblasCoreType} kernels (OPENBLAS_CORETYPE)` : ''}`
  return { summary, cpu, cores, memoryGiB, vector, openblasCoreType }
}
