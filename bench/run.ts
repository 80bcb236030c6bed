/**
 * `npm run bench`: each workload on our engine and on the PyTorch CPU peer at its best, in the same
 * run on the same machine. Each engine runs on 1 and on 2 threads, with the same thread
 * environment (OMP_WAIT_POLICY=passive, OPENBLAS_THREAD_TIMEOUT=16, OMP_NUM_THREADS and
 * OPENBLAS_NUM_THREADS = the threads; the peer's MLP also gets jemalloc, bench/peer-env.ts), in ≥ 3 rounds whose order alternates between the engines;
 * every figure is the median of its rounds, with their spread and the load average sampled while
 * each ran. Ratios are best vs best (each engine at its faster thread count) and per core (both on
 * one thread). Parameter counts are compared: a mismatch fails the bench (exit 1). Then our
 * WebAssembly kernels alone (GWB_NATIVE_BLAS=0: no C compiler), the untuned peer as a footnote, the
 * kernels alone, and time to quality (bench/quality.ts). Prints a table and, last, one JSON line
 * {"machine", "workloads", "ratios", "perCoreRatios", "kernels", "quality", ...}.
 *
 * Options: --quick (the Keras-style DCGAN, AC-GAN and MLP, shorter timings, no time to quality);
 * BENCH_WORKLOADS=mlp,acgan picks workloads; BENCH_ROUNDS=n (3); BENCH_QUALITY=0 skips time to
 * quality, BENCH_QUALITY=ring8 runs one task; BENCH_EXTRA_BACKENDS=webgpu also measures forced backends.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { WORKLOADS, type Workload } from './workloads'
import { readLoad, describeMachine } from './machine'
import { median } from './stats'
import { peerAllocator, peerEnv } from './peer-env'
import { TASKS } from './quality'
import { childFailure, lastJsonLine } from './child-output'

const ROOT = path.resolve(__dirname, '..')
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx')
/** Debian's python3 has python3-torch; a pyenv python3 earlier on PATH does not. */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
const QUICK = process.argv.includes('--quick')
const THREADS = [1, 2] as const
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))
/** More of our backends to measure, forced (e.g. BENCH_EXTRA_BACKENDS=webgpu on a software adapter). */
const EXTRA_BACKENDS = (process.env.BENCH_EXTRA_BACKENDS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean)

type Json = Record<string, unknown>
type Result = Json & { itPerSec: number }
interface Measured {
  result: Result | { error: string }
  /** The 1-minute load average sampled every half second while it ran: mean and highest. */
  load: { mean: number; max: number }
}

/** Runs a child that prints one JSON line last, sampling the load average while it runs. */
function measure(cmd: string, args: string[], what: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<Measured> {
  return new Promise((resolve) => {
    const samples: number[] = [readLoad().avg1]
    const sampler = setInterval(() => samples.push(readLoad().avg1), 500)
    const child = spawn(cmd, args, { cwd: ROOT, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearInterval(sampler)
      clearTimeout(timer)
      samples.push(readLoad().avg1)
      const load = { mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: Math.max(...samples) }
      const result = code === 0 ? lastJsonLine(stdout) : undefined
      if (!result) resolve({ result: { error: childFailure(what, stderr, code).slice(0, 300) }, load })
      else resolve({ result: result as Result, load })
    })
  })
}

/** Our engine's environment: its threads (the native BLAS and its OpenMP teams, or the wasm pool). */
function oursEnv(threads: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, GWB_WASM_THREADS: String(threads), ...extra }
}

/** The peer as the bench first ran it: OMP_NUM_THREADS only. */
function untunedEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads) }
  for (const k of ['OPENBLAS_NUM_THREADS', 'OMP_WAIT_POLICY', 'OPENBLAS_THREAD_TIMEOUT']) delete env[k]
  return env
}

function torchAvailable(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' })
  return r.status === 0 ? null : `PyTorch is not importable by ${PYTHON} (apt-get install python3-torch libopenblas0-pthread)`
}

/** Every round's figure of one engine at one setting, its median, spread and load. */
interface Series {
  rounds: number[]
  median: number
  spread: [number, number]
  /** Mean 1-minute load average during each round. */
  load: number[]
  /** The last good round's report (backend, parameters, RSS, …). */
  detail: Json
  errors?: string[]
}

function series(measured: Measured[]): Series | { error: string } {
  const good = measured.filter((m): m is Measured & { result: Result } => 'itPerSec' in m.result)
  const errors = measured.filter((m) => 'error' in m.result).map((m) => (m.result as { error: string }).error)
  if (good.length === 0) return { error: errors[0] ?? 'not measured' }
  const rounds = good.map((m) => m.result.itPerSec)
  return {
    rounds,
    median: median(rounds),
    spread: [Math.min(...rounds), Math.max(...rounds)],
    load: measured.map((m) => Number(m.load.mean.toFixed(2))),
    detail: good.at(-1)!.result,
    ...(errors.length ? { errors } : {}),
  }
}

const ok = (s: unknown): s is Series => typeof s === 'object' && s !== null && 'median' in s

/**
 * Runs the rounds: in each, every measurement once, ours and the peer alternating (the order flips
 * every round), so a quiet or busy minute falls on both engines alike.
 */
interface Planned {
  key: string
  run: () => Promise<Measured>
  /** Informational figures (not in a ratio) are measured in the first round only. */
  once?: boolean
}

async function rounds(plan: Planned[]): Promise<Record<string, Series | { error: string }>> {
  const got: Record<string, Measured[]> = Object.fromEntries(plan.map((p) => [p.key, []]))
  for (let r = 0; r < ROUNDS; r++) {
    process.stdout.write(` round ${r + 1}…`)
    const order = (r % 2 === 0 ? plan : [...plan].reverse()).filter((p) => r === 0 || !p.once)
    for (const p of order) got[p.key]!.push(await p.run())
  }
  return Object.fromEntries(Object.entries(got).map(([k, m]) => [k, series(m)]))
}

const fmt = (v: unknown, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—')
const figure = (s: Series | { error: string } | undefined, digits = 2) =>
  ok(s) ? `${fmt(s.median, digits)} [${fmt(s.spread[0], digits)}–${fmt(s.spread[1], digits)}]` : '—'

interface WorkloadReport {
  title: string
  batchSize: number
  ours: Record<string, Series | { error: string }>
  peer?: Record<string, Series | { error: string }>
  oursWasmOnly?: Series | { error: string }
  peerUntuned?: Record<string, Series | { error: string }>
  best?: { ours: number; peer: number }
  params?: { ours: unknown; peer: unknown; equal: boolean }
  [extra: string]: unknown
}

async function benchWorkload(w: Workload, noTorch: string | null): Promise<WorkloadReport> {
  // --quick halves the time each figure may take; the iteration cap stays (an MLP figure of 20 steps
  // lasted 0.1 s, too short to mean anything) and the warm-up keeps at least the kernel set-up.
  const timing = QUICK
    ? [String(Math.min(w.warmup, 10)), String(w.maxIterations), String(Math.max(3, w.maxSeconds / 2))]
    : [String(w.warmup), String(w.maxIterations), String(w.maxSeconds)]
  const oursRun =
    (threads: number, extra: NodeJS.ProcessEnv = {}) =>
    () =>
      measure(
        TSX,
        ['bench/ours.ts', w.name],
        `ours ${w.name} ${threads} thread(s)`,
        oursEnv(threads, { BENCH_TIMING: timing.join(','), ...extra }),
      )
  const peerRun = (threads: number) => () =>
    measure(
      PYTHON,
      ['bench/torch_peer.py', w.name, String(threads), ...timing],
      `PyTorch ${w.name} ${threads} thread(s)`,
      peerEnv(threads, w.peerJemalloc),
    )
  const plan: Planned[] = []
  for (const t of THREADS) {
    plan.push({ key: `ours${t}`, run: oursRun(t) })
    if (!noTorch) plan.push({ key: `peer${t}`, run: peerRun(t) })
  }
  // Without a C compiler (or GWB_NATIVE_BLAS=0): WebAssembly kernels on every core.
  plan.push({ key: 'oursWasm', run: oursRun(2, { GWB_NATIVE_BLAS: '0' }), once: true })
  // The MLP: the generic tfjs step too (GWB_NATIVE_MLP=0), to show what the native MLP step buys.
  if (w.name === 'mlp') plan.push({ key: 'oursGeneric', run: oursRun(1, { GWB_NATIVE_MLP: '0' }), once: true })
  const got = await rounds(plan)
  const report: WorkloadReport = {
    title: w.title,
    batchSize: w.batchSize,
    ours: Object.fromEntries(THREADS.map((t) => [String(t), got[`ours${t}`]!])),
    oursWasmOnly: got.oursWasm,
    ...(got.oursGeneric ? { oursGenericStep: got.oursGeneric } : {}),
  }
  if (!noTorch) {
    report.peer = Object.fromEntries(THREADS.map((t) => [String(t), got[`peer${t}`]!]))
    // The peer as it was first measured (footnote): one round on both threads counts.
    process.stdout.write(' untuned peer…')
    report.peerUntuned = {}
    const short = [timing[0]!, timing[1]!, String(Math.min(Number(timing[2]), 4))]
    for (const t of THREADS)
      report.peerUntuned[String(t)] = series([
        await measure(
          PYTHON,
          ['bench/torch_peer.py', w.name, String(t), ...short, '--untuned'],
          `PyTorch untuned ${w.name}`,
          untunedEnv(t),
        ),
      ])
  }
  const bestOf = (side: Record<string, Series | { error: string }>) =>
    THREADS.reduce<number>(
      (best, t) =>
        ok(side[String(t)]) && (!ok(side[String(best)]) || (side[String(t)] as Series).median > (side[String(best)] as Series).median)
          ? t
          : best,
      THREADS[0],
    )
  report.best = { ours: bestOf(report.ours), peer: report.peer ? bestOf(report.peer) : 0 }
  const oursParams = [...THREADS.map((t) => report.ours[String(t)])].find(ok)?.detail.params
  const peerParams = report.peer ? THREADS.map((t) => report.peer![String(t)]).find(ok)?.detail.params : undefined
  if (oursParams || peerParams)
    report.params = {
      ours: oursParams,
      peer: peerParams,
      equal: peerParams === undefined || JSON.stringify(oursParams) === JSON.stringify(peerParams),
    }
  if (w.name === 'mlp' && !QUICK) {
    // The MLP's steps are the shortest, so per-step overheads weigh most there: metric logging, the
    // app's own work around the steps in a real run, and tfjs' per-op dispatch inside a step.
    process.stdout.write(' overheads…')
    const env = oursEnv(report.best.ours)
    report.loggingOverhead = (await measure(TSX, ['bench/ours.ts', w.name, '--logging-overhead'], 'logging overhead', env)).result
    report.appOverhead = (await measure(TSX, ['bench/ours.ts', w.name, '--app-overhead'], 'app overhead', env)).result
    // tfjs' dispatch is measured on the generic step (the native MLP step has none).
    report.dispatch = (
      await measure(TSX, ['bench/profile.ts', w.preset, String(w.batchSize), '300', '--json'], 'kernel profile', {
        ...env,
        GWB_NATIVE_MLP: '0',
      })
    ).result
  }
  if (EXTRA_BACKENDS.length) {
    report.oursOn = Object.fromEntries(
      await Promise.all(
        EXTRA_BACKENDS.map(async (b) => [
          b,
          (await measure(TSX, ['bench/ours.ts', w.name], `ours on ${b}`, oursEnv(2, { BENCH_BACKEND: b }))).result,
        ]),
      ),
    )
  }
  return report
}

async function main(): Promise<void> {
  const started = Date.now()
  const machine = describeMachine()
  const noTorch = torchAvailable()
  if (noTorch) console.log(`PyTorch peer: unavailable (${noTorch}); reporting ours alone.`)
  const peerMemory = peerAllocator().allocator
  const tunedFor = WORKLOADS.filter((w) => w.peerJemalloc).map((w) => w.name)
  if (!noTorch)
    console.log(
      `PyTorch peer: memory allocator ${peerMemory} for ${tunedFor.join(', ')} (and its time to quality); glibc's defaults for the others`,
    )
  const picked = (process.env.BENCH_WORKLOADS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const name of picked)
    if (!WORKLOADS.some((w) => w.name === name))
      throw new Error(`unknown workload "${name}" in BENCH_WORKLOADS (${WORKLOADS.map((w) => w.name).join(', ')})`)
  const chosen = WORKLOADS.filter((w) => (picked.length ? picked.includes(w.name) : !QUICK || w.quick))
  console.log(
    `machine: ${machine.summary}; load average ${readLoad().avg1.toFixed(2)} at start; ${ROUNDS} rounds per figure, engines alternating`,
  )
  const workloads: Record<string, WorkloadReport> = {}
  const ratios: Record<string, number> = {}
  const perCoreRatios: Record<string, number> = {}
  const mismatches: string[] = []
  for (const w of chosen) {
    process.stdout.write(`${w.name}:`)
    const r = await benchWorkload(w, noTorch)
    console.log(' done')
    workloads[w.name] = r
    if (r.params && !r.params.equal)
      mismatches.push(`${w.name}: ours ${JSON.stringify(r.params.ours)} vs PyTorch ${JSON.stringify(r.params.peer)}`)
    const oursBest = r.ours[String(r.best!.ours)]
    const peerBest = r.peer?.[String(r.best!.peer)]
    if (ok(oursBest) && ok(peerBest)) ratios[w.name] = oursBest.median / peerBest.median
    if (ok(r.ours['1']) && ok(r.peer?.['1'])) perCoreRatios[w.name] = (r.ours['1'] as Series).median / (r.peer['1'] as Series).median
  }
  const quality = chosen.length && !QUICK && process.env.BENCH_QUALITY !== '0' ? await timeToQuality(workloads, noTorch) : undefined
  const kernels = await kernelsAlone(noTorch)
  printTable(chosen, workloads, ratios, perCoreRatios, quality, kernels)
  const seconds = (Date.now() - started) / 1000
  console.log(`bench took ${seconds.toFixed(0)} s`)
  if (mismatches.length) console.log(`PARAMETER COUNTS DIFFER (the peer is not the same model): ${mismatches.join('; ')}`)
  console.log(
    JSON.stringify({
      machine,
      peerAllocator: noTorch ? undefined : { allocator: peerMemory, workloads: tunedFor },
      rounds: ROUNDS,
      quick: QUICK,
      seconds,
      workloads,
      ratios,
      perCoreRatios,
      kernels,
      quality,
    }),
  )
  if (mismatches.length) process.exitCode = 1
}

/** Wall-clock to a quality threshold, ours vs PyTorch, each on its faster thread count (bench/quality.ts). */
async function timeToQuality(workloads: Record<string, WorkloadReport>, noTorch: string | null): Promise<Json> {
  const tasks = (
    process.env.BENCH_QUALITY && process.env.BENCH_QUALITY !== '1' ? process.env.BENCH_QUALITY.split(',') : ['ring8', 'acgan']
  ).map((t) => t.trim())
  const out: Json = {}
  for (const task of tasks) {
    const workload = workloads[TASKS[task]?.workload ?? task]
    const threads = { ours: workload?.best?.ours ?? 2, peer: workload?.best?.peer || 2 }
    process.stdout.write(`time to quality, ${task} (ours ${threads.ours} thread(s), PyTorch ${threads.peer})…`)
    const args = [
      'bench/quality.ts',
      task,
      '--ours-threads',
      String(threads.ours),
      '--peer-threads',
      String(threads.peer),
      ...(noTorch ? ['--no-peer'] : []),
    ]
    const r = await measure(TSX, args, `time to quality ${task}`, { ...process.env, BENCH_PYTHON: PYTHON }, 1_800_000)
    out[task] = { ...r.result, load: r.load }
    console.log(' done')
  }
  return out
}

/** The kernels alone (no tfjs per-op overhead), one thread and two, both engines. */
async function kernelsAlone(noTorch: string | null): Promise<Json> {
  process.stdout.write('kernels: ours… ')
  const kernels: Json = {}
  for (const t of THREADS) kernels[`ours${t}`] = (await measure(TSX, ['bench/kernels.ts'], `ours kernels ${t}`, oursEnv(t))).result
  if (!noTorch) {
    process.stdout.write('PyTorch… ')
    for (const t of THREADS)
      kernels[`peer${t}`] = (await measure(PYTHON, ['bench/torch_kernels.py', String(t)], `PyTorch kernels ${t}`, peerEnv(t))).result
  }
  console.log('done')
  return kernels
}

function printTable(
  chosen: Workload[],
  workloads: Record<string, WorkloadReport>,
  ratios: Record<string, number>,
  perCore: Record<string, number>,
  quality: Json | undefined,
  kernels: Json,
): void {
  console.log('\nit/s, median of rounds [slowest–fastest]; best = each engine at its faster thread count')
  console.log(
    [
      'workload'.padEnd(14),
      'ours best'.padStart(24),
      'PyTorch best'.padStart(24),
      'ratio',
      '| ours 1 thr'.padStart(24),
      'PyTorch 1 thr'.padStart(24),
      'per core',
      '| wasm only (2 thr, 1 round)'.padStart(22),
      '| load',
    ].join(' '),
  )
  for (const w of chosen) {
    const r = workloads[w.name]!
    const ob = r.ours[String(r.best!.ours)]
    const pb = r.peer?.[String(r.best!.peer)]
    const loads = [...Object.values(r.ours), ...Object.values(r.peer ?? {})].filter(ok).flatMap((s) => s.load)
    console.log(
      [
        w.name.padEnd(14),
        `${figure(ob)} (${r.best!.ours})`.padStart(24),
        `${figure(pb)} (${r.best!.peer || '—'})`.padStart(24),
        fmt(ratios[w.name]).padStart(5),
        '|',
        figure(r.ours['1']).padStart(22),
        figure(r.peer?.['1']).padStart(24),
        fmt(perCore[w.name]).padStart(8),
        '|',
        figure(r.oursWasmOnly, 3).padStart(20),
        '|',
        loads.length ? `${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)}` : '—',
      ].join(' '),
    )
  }
  const params = chosen.map((w) => workloads[w.name]!.params).filter(Boolean)
  if (params.length)
    console.log(
      `trainable parameters (G / D), ours = PyTorch: ${chosen
        .map((w) => {
          const p = workloads[w.name]!.params
          const o = p?.ours as { g?: number; d?: number } | undefined
          return `${w.name} ${o?.g ?? '?'} / ${o?.d ?? '?'}${p && !p.equal ? ' MISMATCH' : ''}`
        })
        .join(', ')}`,
    )
  const untuned = chosen
    .map((w) => {
      const u = workloads[w.name]!.peerUntuned
      return u
        ? `${w.name} ${THREADS.map((t) => `${fmt((u[String(t)] as Series | undefined)?.median)} (${t} thr)`).join(' / ')}`
        : undefined
    })
    .filter(Boolean)
  if (untuned.length)
    console.log(
      `footnote, the peer untuned (NCHW, default Adam, separate D passes, OMP_NUM_THREADS only), one round: ${untuned.join(', ')}`,
    )
  const mlp = workloads.mlp
  if (mlp?.loggingOverhead && 'overhead' in (mlp.loggingOverhead as Json))
    console.log(
      `MLP: metric logging adds ${(((mlp.loggingOverhead as Json).overhead as number) * 100).toFixed(1)} % (logged and quiet steps alternating)`,
    )
  if (mlp?.appOverhead && 'overhead' in (mlp.appOverhead as Json))
    console.log(
      `MLP: the workbench's own work around the steps adds ${(((mlp.appOverhead as Json).overhead as number) * 100).toFixed(1)} % (a ${String((mlp.appOverhead as Json).steps)}-step run through the trainer's loop)`,
    )
  const d = mlp?.dispatch as Record<string, number> | undefined
  if (ok(mlp?.oursGenericStep))
    console.log(
      `MLP: the generic tfjs step (GWB_NATIVE_MLP=0), 1 thread: ${figure(mlp.oursGenericStep)} it/s, against ${figure(mlp.ours['1'])} with the native MLP step`,
    )
  if (d && 'stepMs' in d)
    console.log(
      `MLP, generic tfjs step: inside a step, kernels take ${fmt(d.inKernelsMs)} of ${fmt(d.stepMs)} ms (${fmt(d.kernelCallsPerStep, 0)} kernel calls; ${fmt(d.identityCallsPerStep, 0)} tape copies, ${fmt(d.reshapeCallsPerStep, 0)} reshapes)`,
    )
  for (const [task, q] of Object.entries(quality ?? {})) {
    const side = (s: unknown) => {
      const r = s as
        | {
            reached?: boolean
            trainSeconds?: number
            steps?: number
            maxSteps?: number
            perSeed?: Array<{ trainSeconds: number; steps: number } | null>
          }
        | undefined
      if (!r) return '—'
      const seeds = r.perSeed ?? []
      const each =
        seeds.length > 1
          ? `; per seed ${seeds.map((p) => (p ? `${fmt(p.trainSeconds, 1)} s (${p.steps})` : 'not reached')).join(', ')}`
          : ''
      const median = seeds.length > 1 ? `median of ${seeds.length} seeds ` : ''
      return r.reached
        ? `${median}${fmt(r.trainSeconds, 1)} s (${String(r.steps)} steps${each})`
        : `not reached in ${String(r.maxSteps)} steps${each}`
    }
    const qq = q as { ours?: unknown; peer?: unknown; threshold?: string; error?: string }
    console.log(
      qq.error
        ? `time to quality, ${task}: ${qq.error}`
        : `time to quality, ${task} (${qq.threshold}): ours ${side(qq.ours)}, PyTorch ${side(qq.peer)}`,
    )
  }
  const g = (k: string, key: string) => fmt((kernels[k] as Record<string, number> | undefined)?.[key], 1)
  for (const t of THREADS) {
    console.log(
      `kernels, ${t} thread(s): 512³ matmul ours ${g(`ours${t}`, 'matmulGflops')} GFLOP/s vs PyTorch ${g(`peer${t}`, 'matmulGflops')}; 3×3 conv 16×28×28×64→64, effective GFLOP/s (direct-convolution FLOPs over time; our Winograd does 2.25× fewer multiplications) ours ${g(`ours${t}`, 'convGflops')} vs PyTorch ${g(`peer${t}`, 'convGflops')}`,
    )
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
