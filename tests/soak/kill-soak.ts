/**
 * `npm run soak`: SIGKILL trainers again and again, across training and checkpoint writes, and
 * check after every kill that nothing the registry says is a lie. Several lanes (a data directory
 * each) run side by side; each trains short runs (8 epochs of 10 steps, a checkpoint and a sample
 * every epoch, every step logged) under the app's own RunManager, and each attempt dies one of
 * two ways, chosen by a seeded RNG:
 *   - from outside: SIGKILL once the registry shows the run at a seeded target step (within two
 *     epochs of where the attempt started), plus a seeded 0-40 ms: the kill lands mid-step,
 *     mid-transaction or mid-checkpoint (where is tallied from what it left);
 *   - at a fault point (src-main/util/faults.ts): the trainer SIGKILLs itself the 1st or 2nd time
 *     it reaches checkpoint-write, checkpoint-commit, metrics-batch or artifact-write.
 * The run is then resumed, and so on until it completes; then a new run starts.
 *
 * After every attempt: `PRAGMA integrity_check`; every checkpoint ever recorded still recorded,
 * unchanged and verifying; no duplicated rows; the run `interrupted` (killed) or `completed`.
 * A completed run holds every metric step exactly once. At the end the unfinished runs resume to
 * completion. Prints the figures and one JSON line; exits 1 on any violation.
 *
 * SOAK_KILLS (default 1000), SOAK_LANES (default 3), SOAK_SEED (default 20261205).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRng, type Rng } from '../../src-shared/util/rng'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { validateExperiment } from '../../src-shared/config/validate'
import { Registry } from '../../src-main/registry/registry'
import { RunManager } from '../../src-main/training/run-manager'
import { runDir } from '../../src-main/platform/paths'
import { pinBuild, soakSpawner, TRAINER_ENTRY, type Spawned } from './soak-trainer'
import { sourceCommit } from '../../src-main/util/build-info'
import { checkpointDirs, checkpointProblem, duplicateRows, landing, recordedCheckpoints } from './soak-checks'
import { thisProcess } from '../../src-main/util/process-identity'

const KILLS = Number(process.env.SOAK_KILLS ?? 1000)
const LANES = Number(process.env.SOAK_LANES ?? 3)
const SEED = Number(process.env.SOAK_SEED ?? 20_261_205)
const EPOCHS = 8
const STEPS_PER_EPOCH = 10
const TOTAL = EPOCHS * STEPS_PER_EPOCH
const FAULT_POINTS = ['checkpoint-write', 'checkpoint-commit', 'metrics-batch', 'artifact-write'] as const

const config = validateExperiment(
  applyOverrides(requirePreset('mlp-2d-ring8').config, [
    `training.epochs=${EPOCHS}`,
    `training.stepsPerEpoch=${STEPS_PER_EPOCH}`,
    'training.logEvery=1',
    'training.checkpointEvery=1',
    'training.evalSamples=0',
  ]),
).config

const tally = {
  kills: 0,
  external: { 'checkpoint-write': 0, 'checkpoint-commit': 0, elsewhere: 0 } as Record<string, number>,
  faults: Object.fromEntries(FAULT_POINTS.map((p) => [p, 0])) as Record<string, number>,
  /** Kills that hit a trainer which had already recorded its run as completed (on its way out). */
  killsAfterTheEnd: 0,
  attempts: 0,
  attemptsUnkilled: 0,
  runsCompleted: 0,
  integrityChecks: 0,
  corruptRegistries: 0,
  checkpointsRecorded: 0,
  lostCheckpoints: 0,
  duplicatedRows: 0,
  incompleteRuns: 0,
  statusLies: 0,
}
const violations: string[] = []
const violation = (lane: number, text: string) => {
  violations.push(`lane ${lane}: ${text}`)
  process.stderr.write(`VIOLATION lane ${lane}: ${text}\n`)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

class Lane {
  readonly home: string
  private registry!: Registry
  private runs!: RunManager
  private rng: Rng
  private nextEnv: Record<string, string> = {}
  private spawned: Spawned | null = null
  private runId: number | null = null
  /** Every checkpoint ever recorded in this lane: run/step → manifest hash. */
  private readonly seen = new Map<string, string>()

  constructor(
    readonly index: number,
    root: string,
    private readonly trainerEntry: string,
  ) {
    this.home = path.join(root, `lane-${index}`)
    this.rng = createRng(SEED + 7919 * index)
  }

  async open(): Promise<void> {
    this.registry = await Registry.open(path.join(this.home, 'registry.sqlite'), { owner: thisProcess() })
    this.runs = new RunManager(
      this.registry,
      this.home,
      soakSpawner(
        this.trainerEntry,
        () => this.nextEnv,
        (s) => (this.spawned = s),
      ),
    )
  }

  close(): void {
    this.registry.close()
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng() * (hi - lo + 1))
  }

  /** One trainer start (a new run or a resume), killed one way or the other; then the checks. */
  async attempt(): Promise<void> {
    const run = this.runId === null ? null : this.registry.getRun(this.runId)
    const from = run ? (this.registry.latestArtifact(run.id, 'checkpoint')?.step ?? 0) : 0
    const epochsLeft = EPOCHS - Math.floor(from / STEPS_PER_EPOCH)
    const external = this.rng() < 0.6
    const fault = FAULT_POINTS[this.int(0, FAULT_POINTS.length - 1)]!
    // Within the attempt's first two epochs: a trainer start costs more than its steps, so kills
    // come soon after it (each epoch ends with a sample, a metric batch and a checkpoint).
    this.nextEnv = external
      ? { GAN_WORKBENCH_FAULTS: '' }
      : { GAN_WORKBENCH_FAULTS: `${fault}:kill@${this.int(1, Math.min(2, epochsLeft))}` }
    const target = this.int(from + 1, Math.min(TOTAL - 1, from + 2 * STEPS_PER_EPOCH))
    const extraMs = this.int(0, 40)
    const dirsBefore = run ? checkpointDirs(runDir(this.home, run.id)) : new Map<string, number>()

    this.spawned = null
    const id = run ? (await this.runs.resume(run.id)).id : this.runs.start({ config, name: `soak-${this.index}` }).id
    this.runId = id
    const trainer = this.spawned as Spawned | null
    if (!trainer) throw new Error('no trainer was started')
    let exited = false
    void trainer.exit.then(() => (exited = true))
    if (external) {
      const step = this.registry.db.prepare('SELECT step FROM runs WHERE id = ?').pluck()
      while (!exited && (step.get(id) as number) < target) await sleep(5)
      if (!exited) await sleep(extraMs)
      if (!exited) trainer.child.kill('SIGKILL')
    }
    const ended = await trainer.exit
    await this.runs.waitFor(id)
    tally.attempts++

    const after = this.registry.getRun(id)
    const killed = ended.signal === 'SIGKILL'
    if (killed) {
      tally.kills++
      if (external)
        tally.external[landing(runDir(this.home, id), dirsBefore, new Set(this.registry.artifacts(id, 'checkpoint').map((a) => a.step)))]!++
      else tally.faults[fault]!++
      // `completed`: the kill hit a trainer that had recorded the end of its run and was exiting.
      if (after.status !== 'interrupted' && after.status !== 'completed') {
        tally.statusLies++
        violation(this.index, `run ${id} killed, but its status is ${after.status}`)
      }
      if (after.status === 'completed') tally.killsAfterTheEnd++
    } else {
      tally.attemptsUnkilled++
      if (after.status !== 'completed') {
        tally.statusLies++
        violation(this.index, `run ${id} ended without a kill as ${after.status}: ${after.error}`)
      }
    }
    this.check(id)
    if (after.status === 'completed') this.completed(id)
  }

  /** The registry after an attempt: intact, every checkpoint ever recorded still there and whole, nothing twice. */
  private check(id: number): void {
    tally.integrityChecks++
    const integrity = this.registry.db.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') {
      tally.corruptRegistries++
      violation(this.index, `integrity_check: ${String(integrity)}`)
    }
    const recorded = recordedCheckpoints(this.registry.db, this.home)
    const now = new Map(recorded.map((c) => [`${c.runId}/${c.step}`, c.sha256]))
    for (const [key, sha] of this.seen) {
      if (now.get(key) !== sha) {
        tally.lostCheckpoints++
        violation(this.index, `checkpoint ${key} was recorded and is ${now.has(key) ? 'changed' : 'gone'}`)
        this.seen.delete(key)
      }
    }
    for (const c of recorded.filter((r) => r.runId === id)) {
      const problem = checkpointProblem(c)
      if (problem) {
        tally.lostCheckpoints++
        violation(this.index, problem)
      }
      if (!this.seen.has(`${c.runId}/${c.step}`)) tally.checkpointsRecorded++
      this.seen.set(`${c.runId}/${c.step}`, c.sha256)
    }
    const dupes = duplicateRows(this.registry.db)
    if (dupes > 0) violation(this.index, `${dupes} duplicated rows`)
    tally.duplicatedRows = Math.max(tally.duplicatedRows, dupes)
  }

  /** A completed run holds every step's metrics exactly once and no half-written checkpoint. */
  private completed(id: number): void {
    tally.runsCompleted++
    const steps = this.registry.db
      .prepare("SELECT step FROM metrics WHERE run_id = ? AND key = 'dLoss' ORDER BY step")
      .pluck()
      .all(id) as number[]
    const whole = steps.length === TOTAL && steps.every((s, i) => s === i + 1)
    const leftovers = fs.readdirSync(path.join(runDir(this.home, id), 'checkpoints')).filter((e) => e.startsWith('.tmp-'))
    if (!whole || leftovers.length) {
      tally.incompleteRuns++
      violation(
        this.index,
        `completed run ${id}: ${steps.length} metric steps of ${TOTAL}${leftovers.length ? `, leftovers ${leftovers.join(', ')}` : ''}`,
      )
    }
    this.runId = null
  }

  /** Resumes the unfinished run, if any, to its end, with nothing armed. */
  async finish(): Promise<void> {
    if (this.runId === null) return
    this.nextEnv = { GAN_WORKBENCH_FAULTS: '' }
    await this.runs.resume(this.runId)
    const run = await this.runs.waitFor(this.runId)
    tally.attempts++
    tally.attemptsUnkilled++
    if (run.status !== 'completed') {
      tally.statusLies++
      violation(this.index, `run ${run.id} resumed at the end as ${run.status}: ${run.error}`)
    }
    this.check(run.id)
    if (run.status === 'completed') this.completed(run.id)
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(TRAINER_ENTRY)) throw new Error(`${TRAINER_ENTRY} is missing: run \`npm run build\` first`)
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gwb-soak-'))
  // The checkout's commit now (+dirty when it has changes): `npm run soak` built out/ just before, so
  // it is the build's unless the checkout moved in between (say so when it did). That build is pinned.
  const commit = sourceCommit(path.resolve(__dirname, '..', '..')) ?? 'unknown'
  const build = pinBuild()
  const started = Date.now()
  const lanes = Array.from({ length: LANES }, (_, i) => new Lane(i, root, build.entry))
  for (const l of lanes) await l.open()
  let lastReport = Date.now()
  try {
    await Promise.all(
      lanes.map(async (lane) => {
        while (tally.kills < KILLS) {
          await lane.attempt()
          if (Date.now() - lastReport > 30_000) {
            lastReport = Date.now()
            process.stderr.write(
              `  ${tally.kills}/${KILLS} kills, ${tally.runsCompleted} runs completed, ${violations.length} violations, ${Math.round((Date.now() - started) / 1000)} s\n`,
            )
          }
        }
        await lane.finish()
      }),
    )
  } finally {
    for (const l of lanes) l.close()
    build.remove()
  }
  const wallSeconds = Math.round((Date.now() - started) / 1000)
  const landed = Object.entries(tally.external)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')
  const faulted = Object.entries(tally.faults)
    .map(([k, v]) => `${v} at ${k}`)
    .join(', ')
  console.log(
    [
      `kill soak, seed ${SEED}, commit ${commit}, ${LANES} lanes, ${os.availableParallelism()} cores: ${wallSeconds} s`,
      `SIGKILLs:                  ${tally.kills} (${tally.kills - Object.values(tally.faults).reduce((a, b) => a + b, 0)} from outside at a seeded step: ${landed}; ${faulted})`,
      `trainer starts:            ${tally.attempts} (${tally.attemptsUnkilled} ran to the end unkilled, ${tally.killsAfterTheEnd} killed after recording the end), runs completed: ${tally.runsCompleted}`,
      `corrupt registries:        ${tally.corruptRegistries} (integrity_check after each of ${tally.integrityChecks} attempts)`,
      `lost completed checkpoints: ${tally.lostCheckpoints} (of ${tally.checkpointsRecorded} recorded, each re-verified after every later attempt)`,
      `duplicated rows:           ${tally.duplicatedRows}`,
      `completed runs not whole:  ${tally.incompleteRuns} (every metric step exactly once)`,
      `statuses that lied:        ${tally.statusLies}`,
    ].join('\n'),
  )
  console.log(JSON.stringify({ soak: 'kill', seed: SEED, commit, lanes: LANES, wallSeconds, ...tally, violations: violations.length }))
  fs.rmSync(root, { recursive: true, force: true })
  if (violations.length > 0 || tally.kills < KILLS) process.exitCode = 1
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
