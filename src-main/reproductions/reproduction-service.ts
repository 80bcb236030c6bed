/**
 * `reproduce NAME` and the Reproductions page: trains a catalog recipe (and, for a variant, the
 * plain GAN it is judged against, and any reference shown beside it) once per seed, through the same run manager `train` uses
 * (trainer processes, registry rows tagged `reproduction:NAME`), one after another here or as a
 * sweep on the job queue; scores every finished run with the paper's protocol; and stores the
 * per-seed results after each seed, so a crash keeps what was measured and the UI can show the
 * last table. A run that fails, diverges or is stopped is a failed seed, never silently dropped.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Placement, RunRecord } from '../../src-shared/domain/run'
import { ACTIVE_STATUSES } from '../../src-shared/domain/run'
import {
  settleActiveSeeds,
  type Companion,
  type ReproductionProgressEvent,
  type ReproductionRecord,
  type SeedResult,
  type SeedReuse,
} from '../../src-shared/domain/reproduction'
import {
  findReproduction,
  recipeConfig,
  recipeSteps,
  REPRODUCTIONS,
  type Recipe,
  type ReproductionEntry,
} from '../../src-shared/reproductions/catalog'
import { validateExperiment } from '../../src-shared/config/validate'
import { ConfigError } from '../../src-shared/config/errors'
import type { Registry } from '../registry/registry'
import { ConflictError, type RunManager } from '../training/run-manager'
import { startSweep } from '../sweeps/sweep-service'
import { machineLine, runningCommit } from '../util/build-info'
import { measureRun } from './protocols'

export const DEFAULT_SEEDS = 5
export const MAX_SEEDS = 20
/** Seeds are 1, 2, … N (training.seed), so "seed 3" can be trained again by hand. */
export const seedList = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

export interface ReproduceRequest {
  name: string
  seeds?: number
  quick?: boolean
  target?: Placement
  /**
   * Seeds a previous reproduction of this entry already trained with exactly the config this one
   * would train are scored again instead of trained again (local target only); each such seed
   * names the reproduction and commit its run came from.
   */
  reuse?: boolean
  /** How it was started, for the record (a command line, or the UI's action). */
  command: string
}

export interface ReproductionHandle {
  record: ReproductionRecord
  /** Resolves with the final record (completed, stopped or failed); never rejects. */
  done: Promise<ReproductionRecord>
  /** Stops the run training now (it checkpoints) and starts no more; the record ends `stopped`. */
  stop(): void
}

const PROGRESS_INTERVAL_MS = 250
const QUEUE_POLL_MS = 1000

type Role = 'recipe' | Companion

function companions(entry: ReproductionEntry): { role: Companion; recipe: Recipe & { label: string } }[] {
  return (['baseline', 'reference'] as const).flatMap((role) => {
    const recipe = entry[role]
    return recipe ? [{ role, recipe }] : []
  })
}

/** The seed result's fields for a companion's run. */
const runIdKey = (role: Companion) => `${role}RunId` as const
const statusKey = (role: Companion) => `${role}Status` as const
const reusedKey = (role: Companion) => `${role}ReusedFrom` as const

/** A seed's error for a companion run that ended without completing. */
const endedWithout = (role: Companion, run: RunRecord) => `${role} run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}`

/** How the progress line names a companion's run. */
const roleWords: Record<Companion, string> = { baseline: 'the plain GAN', reference: 'the reference' }

export function requireReproduction(name: string): ReproductionEntry {
  const entry = findReproduction(name)
  if (!entry) throw new ConflictError(`no reproduction named "${name}"; the catalog: ${REPRODUCTIONS.map((r) => r.name).join(', ')}`)
  return entry
}

/** The overrides a recipe's runs train with (its budget, the quick budget, the seed). */
function runOverrides(entry: ReproductionEntry, recipe: Recipe, quick: boolean, seed?: number): string[] {
  return [...recipe.overrides, ...(quick ? entry.quick.overrides : []), ...(seed === undefined ? [] : [`training.seed=${seed}`])]
}

/** Every config the reproduction will train is validated before anything is recorded. */
function validateRecipes(entry: ReproductionEntry, quick: boolean): void {
  for (const recipe of [entry.recipe, ...companions(entry).map((c) => c.recipe)]) {
    try {
      validateExperiment(recipeConfig(recipe, { quick, quickOverrides: entry.quick.overrides, seed: 1 }))
    } catch (e) {
      if (e instanceof ConfigError)
        throw new ConfigError(e.errors.map((f) => ({ ...f, message: `reproduction ${entry.name}, preset ${recipe.preset}: ${f.message}` })))
      throw e
    }
  }
}

/** A config as today's schema reads it, in the form the registry stores (JSON), so two compare as stored. */
function asStored(config: unknown): unknown {
  return JSON.parse(JSON.stringify(validateExperiment(config).config))
}

/**
 * A stored run's config read the same way: a field added since the run was stored takes its
 * default, which is off, so the run still compares equal to what it trained (a new field whose
 * default is not what old runs did would need its own migration). A config today's schema
 * refuses never matches.
 */
function storedAsToday(config: unknown): unknown {
  try {
    return asStored(config)
  } catch {
    return null
  }
}

/**
 * The latest completed run a previous reproduction of this entry trained with exactly the config
 * this recipe and seed give (the validated config, the seed included), and where it came from.
 */
export function findReusableRun(
  registry: Registry,
  entry: ReproductionEntry,
  recipe: Recipe,
  quick: boolean,
  seed: number,
  excludeReproductionId: number,
): { run: RunRecord; from: SeedReuse } | null {
  const wanted = asStored(recipeConfig(recipe, { quick, quickOverrides: entry.quick.overrides, seed }))
  const candidates = registry
    .listRuns({ tag: `reproduction:${entry.name}`, status: 'completed', limit: 10_000 })
    .sort((a, b) => b.id - a.id)
  for (const run of candidates) {
    const idTag = run.tags.find((t) => t.startsWith('reproduction-id:'))
    const reproductionId = idTag ? Number(idTag.slice('reproduction-id:'.length)) : NaN
    if (!Number.isInteger(reproductionId) || reproductionId === excludeReproductionId) continue
    if (!isDeepStrictEqual(storedAsToday(run.config), wanted)) continue // key order aside
    const source = registry.repos.reproductions.find(reproductionId)
    if (!source) continue // its reproduction record was deleted: nothing to name as its origin
    return { run, from: { reproductionId, commit: source.commit } }
  }
  return null
}

export function startReproduction(
  registry: Registry,
  runs: RunManager,
  req: ReproduceRequest,
  onProgress: (e: ReproductionProgressEvent) => void,
): ReproductionHandle {
  const entry = requireReproduction(req.name)
  const seeds = req.seeds ?? DEFAULT_SEEDS
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SEEDS)
    throw new ConflictError(`seeds must be a whole number from 1 to ${MAX_SEEDS}`)
  const quick = req.quick ?? false
  const target = req.target ?? 'local'
  const reuse = req.reuse ?? false
  if (reuse && target !== 'local')
    throw new ConflictError('reuse works with the local target only (the queue trains every seed of its sweep)')
  validateRecipes(entry, quick)
  const samples = quick ? entry.quick.samples : entry.protocol.samples
  const results: SeedResult[] = seedList(seeds).map((seed) => ({
    seed,
    runId: null,
    status: 'not-run',
    values: {},
    ...(entry.baseline ? { baselineRunId: null, baselineStatus: 'not-run' as const } : {}),
    ...(entry.reference ? { referenceRunId: null, referenceStatus: 'not-run' as const } : {}),
  }))
  const record = registry.repos.reproductions.create({
    entry,
    quick,
    seeds,
    target,
    command: req.command,
    commit: runningCommit(),
    machine: machineLine(),
    steps: recipeSteps(entry, quick),
    samples,
    results,
  })
  const id = record.id
  let stopped = false
  const training = new Set<number>()
  let lastProgress = 0
  const emit = (e: Omit<ReproductionProgressEvent, 'reproductionId' | 'name' | 'seeds'>, force = false) => {
    const now = Date.now()
    if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return
    lastProgress = now
    onProgress({ reproductionId: id, name: entry.name, seeds, ...e })
  }
  /** A seed's error names every run that went wrong, the recipe's first: a later one never hides an earlier. */
  const addError = (r: SeedResult, message: string) => {
    r.error = r.error ? `${r.error}; ${message}` : message
  }
  const tagAndNote = (run: RunRecord, seed: number, role: string) => {
    registry.tag(run.id, [`reproduction:${entry.name}`, `reproduction-id:${id}`])
    registry.setNotes(
      run.id,
      `reproduction ${entry.name} (#${id}), ${role}, seed ${seed}${quick ? ', quick budget (not a reproduction)' : ''}`,
    )
  }

  /** Scores a seed's finished runs with the protocol; a run that did not complete is left as it ended. */
  const evaluate = async (r: SeedResult, seedIndex: number) => {
    if (r.status !== 'completed' || r.runId === null) return
    emit(
      {
        stage: 'evaluating',
        seedIndex,
        runId: r.runId,
        message: `seed ${r.seed}: scoring run ${r.runId} (${entry.protocol.kind}, ${samples} samples)`,
      },
      true,
    )
    try {
      const m = await measureRun(registry, r.runId, entry, samples)
      r.values = m.values
      if (m.modes) r.modes = m.modes
    } catch (e) {
      r.status = 'evaluation-failed'
      addError(r, e instanceof Error ? e.message : String(e))
    }
    for (const { role } of companions(entry)) {
      const runId = r[runIdKey(role)]
      if (r[statusKey(role)] !== 'completed' || !runId) continue
      try {
        const b = await measureRun(registry, runId, entry, samples)
        for (const [k, v] of Object.entries(b.values)) r.values[`${role}.${k}`] = v
      } catch (e) {
        r[statusKey(role)] = 'evaluation-failed'
        addError(r, `${role}: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
  }

  /**
   * Records a seed's run as training, so the table and the seed lines show it (linked, "running")
   * rather than "waiting". For display only: a failed write must not orphan the run just started.
   */
  const showTraining = (r: SeedResult, role: Role, runId: number) => {
    if (role === 'recipe') Object.assign(r, { runId, status: 'running' })
    else Object.assign(r, { [runIdKey(role)]: runId, [statusKey(role)]: 'running' })
    try {
      registry.repos.reproductions.saveResults(id, results)
    } catch {
      // the next save (when the seed is scored) records it
    }
  }

  /** Trains one recipe for one seed here and waits for it, relaying its progress. */
  const roleNote = (role: Role) => (role === 'recipe' ? 'recipe' : `${role}: ${entry[role]!.label}`)
  const stageOf = (role: Role) => (role === 'recipe' ? 'training' : (`training-${role}` as const))
  const whose = (role: Role) => (role === 'recipe' ? '' : ` (${roleWords[role]})`)

  const trainHere = async (recipe: Recipe, seed: number, seedIndex: number, role: Role): Promise<RunRecord> => {
    const run = runs.start({
      preset: recipe.preset,
      overrides: runOverrides(entry, recipe, quick, seed),
      name: `${entry.name}${quick ? '-quick' : ''}-s${seed}${role === 'recipe' ? '' : `-${role}`}`,
      experiment: `reproduction:${entry.name}`,
    })
    tagAndNote(run, seed, roleNote(role))
    training.add(run.id)
    showTraining(results[seedIndex - 1]!, role, run.id)
    const stage = stageOf(role)
    emit(
      {
        stage,
        seedIndex,
        runId: run.id,
        step: 0,
        totalSteps: run.totalSteps,
        message: `seed ${seed}: training run ${run.id}${whose(role)}`,
      },
      true,
    )
    const off = runs.onEvent((name, data) => {
      if (name !== 'run.progress') return
      const p = data as { runId: number; step: number; totalSteps: number }
      if (p.runId === run.id)
        emit({
          stage,
          seedIndex,
          runId: run.id,
          step: p.step,
          totalSteps: p.totalSteps,
          message: `seed ${seed}: run ${run.id} step ${p.step}/${p.totalSteps}`,
        })
    })
    try {
      if (stopped) runs.stop(run.id) // stopped between the start and here
      return await runs.waitFor(run.id)
    } finally {
      off()
      training.delete(run.id)
    }
  }

  /** A previous reproduction's run of this recipe and seed when `reuse` is on and one exists, or a new run. */
  const trainOrReuse = async (recipe: Recipe, seed: number, seedIndex: number, role: Role) => {
    const found = reuse ? findReusableRun(registry, entry, recipe, quick, seed, id) : null
    if (!found) return { run: await trainHere(recipe, seed, seedIndex, role), from: undefined }
    emit(
      {
        stage: stageOf(role),
        seedIndex,
        runId: found.run.id,
        message: `seed ${seed}: reusing run ${found.run.id}${whose(role)} from reproduction #${found.from.reproductionId}`,
      },
      true,
    )
    return found
  }

  const locally = async () => {
    for (const [i, r] of results.entries()) {
      if (stopped) break
      const { run, from } = await trainOrReuse(entry.recipe, r.seed, i + 1, 'recipe')
      Object.assign(r, { runId: run.id, status: run.status, error: run.error, backend: run.backend })
      if (from) r.reusedFrom = from
      for (const { role, recipe } of companions(entry)) {
        if (stopped) break
        const { run: b, from: bFrom } = await trainOrReuse(recipe, r.seed, i + 1, role)
        Object.assign(r, { [runIdKey(role)]: b.id, [statusKey(role)]: b.status })
        if (bFrom) r[reusedKey(role)] = bFrom
        if (b.status !== 'completed') addError(r, endedWithout(role, b))
      }
      await evaluate(r, i + 1)
      registry.repos.reproductions.saveResults(id, results)
    }
  }

  /** One sweep over the seeds on the queue (one more per companion); each seed is scored when all its runs end. */
  const onQueue = async () => {
    const sweep = (recipe: Recipe, role: Role) =>
      startSweep(registry, runs, {
        preset: recipe.preset,
        overrides: runOverrides(entry, recipe, quick),
        grid: [{ path: 'training.seed', values: seedList(seeds).map(String) }],
        name: `reproduction-${entry.name}-${id}${role === 'recipe' ? '' : `-${role}`}`,
        target: 'queue',
      }).runs
    // Each sweep's runs are tagged and recorded as soon as it is queued; when a later sweep cannot
    // start, the runs already queued are stopped, so none trains for a reproduction that failed.
    const queued: RunRecord[] = []
    try {
      for (const { role, recipe } of [{ role: 'recipe' as const, recipe: entry.recipe }, ...companions(entry)]) {
        const members = sweep(recipe, role)
        queued.push(...members)
        results.forEach((r, i) => {
          if (role === 'recipe') Object.assign(r, { runId: members[i]!.id, status: 'queued' })
          else Object.assign(r, { [runIdKey(role)]: members[i]!.id, [statusKey(role)]: 'queued' })
          tagAndNote(members[i]!, r.seed, roleNote(role))
        })
      }
    } catch (e) {
      for (const run of queued) runs.stop(run.id)
      throw e
    }
    registry.repos.reproductions.saveResults(id, results)
    const settled = new Set<number>()
    const where = new Map<number, string>() // seed → what its run is doing, for the waiting line
    for (;;) {
      for (const [i, r] of results.entries()) {
        if (settled.has(r.seed)) continue
        const run = registry.getRun(r.runId!)
        where.set(
          r.seed,
          run.status === 'running' ? `step ${run.step.toLocaleString('en-US')}/${run.totalSteps.toLocaleString('en-US')}` : run.status,
        )
        const beside = companions(entry).flatMap(({ role }) => {
          const runId = r[runIdKey(role)]
          return runId ? [{ role, run: registry.getRun(runId) }] : []
        })
        const seedRuns = [run, ...beside.map((b) => b.run)]
        if (stopped) for (const x of seedRuns) if (ACTIVE_STATUSES.includes(x.status)) runs.stop(x.id)
        const ended = !seedRuns.some((x) => ACTIVE_STATUSES.includes(x.status))
        r.status = run.status
        r.error = run.error
        r.backend = run.backend
        for (const b of beside) {
          r[statusKey(b.role)] = b.run.status
          if (b.run.status !== 'completed' && !ACTIVE_STATUSES.includes(b.run.status)) addError(r, endedWithout(b.role, b.run))
        }
        if (!ended) continue
        settled.add(r.seed)
        await evaluate(r, i + 1)
        registry.repos.reproductions.saveResults(id, results)
      }
      if (settled.size === results.length) break
      const waiting = results.filter((r) => !settled.has(r.seed))
      emit({
        stage: 'waiting',
        seedIndex: settled.size + 1,
        message: `${settled.size} of ${seeds} seeds done; runs ${waiting.map((r) => `${r.runId} ${where.get(r.seed) ?? r.status}`).join(', ')} on the queue`,
      })
      await new Promise((resolve) => setTimeout(resolve, QUEUE_POLL_MS))
    }
  }

  const done = (async (): Promise<ReproductionRecord> => {
    try {
      await (target === 'queue' ? onQueue() : locally())
      registry.repos.reproductions.saveResults(id, results)
      const final = registry.repos.reproductions.finish(id, stopped ? 'stopped' : 'completed')
      emit({ stage: 'done', seedIndex: seeds, status: final.status, message: `reproduction ${id} ${final.status}` }, true)
      return final
    } catch (e) {
      for (const runId of training) runs.stop(runId) // no run trains on for a reproduction that failed
      registry.repos.reproductions.saveResults(id, settleActiveSeeds(results))
      const final = registry.repos.reproductions.finish(id, 'failed', e instanceof Error ? e.message : String(e))
      emit({ stage: 'done', seedIndex: seeds, status: 'failed', message: `reproduction ${id} failed: ${final.error}` }, true)
      return final
    }
  })()

  return {
    record,
    done,
    stop: () => {
      stopped = true
      for (const runId of training) runs.stop(runId)
    },
  }
}
