/**
 * Reproductions: the catalog's entries are trainable and score what their goal rows read; a
 * table's verdicts follow its seeds (every seed must meet a goal; a failed seed fails the row);
 * the service trains one run per seed through the run manager (here with an in-process trainer),
 * tags and scores them, keeps failed and stopped seeds as such, and runs on the queue as a sweep.
 */
import { describe, expect, it } from 'vitest'
import {
  REPRODUCTIONS,
  REAL_RECALL_LABEL,
  findReproduction,
  withCurrentFindings,
  recipeConfig,
  recipeSteps,
  type Recipe,
  type ReproductionEntry,
} from '../../src-shared/reproductions/catalog'
import { formatSpread, peerFigure, seedCell, seedFailed, summarize, verdictWord } from '../../src-shared/reproductions/summary'
import { validateExperiment } from '../../src-shared/config/validate'
import type { ReproductionProgressEvent, ReproductionRecord, SeedResult } from '../../src-shared/domain/reproduction'
import { Registry } from '../../src-main/registry/registry'
import { RunManager } from '../../src-main/training/run-manager'
import { trainRun } from '../../src-main/training/train-run'
import type { HostMessage, SpawnTrainer, TrainerMessage } from '../../src-main/training/trainer-protocol'
import { startReproduction } from '../../src-main/reproductions/reproduction-service'
import { markdownTable, textTable } from '../../src-main/reproductions/report'
import { previousDocs, reproductionsMarkdown } from '../../src-main/reproductions/docs'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { pointQuality } from '../../src-main/scoring/point-metrics'
import { DEFAULT_EVAL_SEED, evalPointData } from '../../src-main/metrics/evaluate-run'
import { classifierDatasetOf } from '../../src-main/scoring/epoch-image-metrics'
import { useTempRegistry } from '../helpers/temp-registry'
import { newReproduction } from '../helpers/new-reproduction'

/** Metrics each protocol produces (src-main/reproductions/protocols.ts). */
const PRODUCES: Record<string, string[]> = {
  'mode-coverage': [
    'pacganModes',
    'pacganHighQuality',
    'boxModes',
    'boxHighQuality',
    'modesCaptured',
    'highQuality',
    'modeKL',
    'precision',
    'recall',
    'swd',
  ],
  'label-accuracy': ['labelAccuracy', 'classifierAccuracy', 'relativeAccuracy', 'frechetDistance', 'fixedPattern'],
  'infogan-code': ['codeError', 'codeAccuracy', 'frechetDistance'],
  frechet: ['frechetDistance', 'inceptionScore', 'precision', 'recall', 'classesPresent'],
}

describe('the catalog', () => {
  it('has every family the issue names, once each', () => {
    const names = REPRODUCTIONS.map((r) => r.name)
    expect(new Set(names).size).toBe(names.length)
    for (const n of [
      'pacgan-ring8',
      'pacgan-grid25',
      'toy-ring8',
      'toy-spiral',
      'wgan-gp-ring8',
      'lsgan-ring8',
      'unrolled-ring8',
      'feature-matching-ring8',
      'acgan-fashion-mnist',
      'acgan-mnist',
      'infogan-mnist',
      'dcgan-mnist',
      'dcgan-fashion-mnist',
    ])
      expect(names, n).toContain(n)
  })

  it.each(REPRODUCTIONS.map((r) => [r.name, r] as const))(
    '%s: its recipe (and baseline, and reference) validate, full and quick; its rows read what its protocol measures',
    (_name, entry) => {
      for (const recipe of [entry.recipe, ...[entry.baseline, entry.reference].filter((r) => r !== undefined)]) {
        for (const quick of [false, true]) {
          const { config } = validateExperiment(recipeConfig(recipe, { quick, quickOverrides: entry.quick.overrides, seed: 3 }))
          expect(config.training.seed).toBe(3)
          if (entry.family === '2d') expect(createDataSource(config.dataset, 1).mixture, 'known modes').toBeDefined()
          else expect(classifierDatasetOf(config), 'an evaluation classifier').not.toBeNull()
        }
      }
      if (entry.reference) {
        // Judged at the same settings: the baseline trains with the recipe's optimizers, rates included.
        const optimizers = (r: Recipe) => validateExperiment(recipeConfig(r, { seed: 1 })).config.optimizers
        expect(optimizers(entry.baseline!)).toEqual(optimizers(entry.recipe))
      }
      expect(recipeSteps(entry, true)).toBeLessThanOrEqual(20)
      expect(recipeSteps(entry)).toBeGreaterThan(recipeSteps(entry, true))
      for (const row of entry.rows) {
        const metric = row.metric.replace(/^(baseline|reference|peer)\./, '')
        expect(PRODUCES[entry.protocol.kind], `${row.metric}`).toContain(metric)
        if (row.metric.startsWith('baseline.') || row.goal.kind === 'at-least-baseline') expect(entry.baseline).toBeDefined()
        // The reference is shown beside the judged comparison, never judged.
        if (row.metric.startsWith('reference.')) {
          expect(entry.reference).toBeDefined()
          expect(row.goal.kind).toBe('report')
        }
        if (row.goal.kind === 'at-most-peer') expect(entry.peer).toBeDefined()
        // A peer's row only shows its figures: it judges nothing and needs them per seed.
        if (row.metric.startsWith('peer.')) {
          expect(row.goal.kind).toBe('report')
          expect(entry.peer?.perSeed?.length).toBeGreaterThan(0)
        }
      }
    },
  )

  it("gives each mode entry's recall row the recall real data scores: a second draw against the protocol's real points", () => {
    const entries = REPRODUCTIONS.filter((e) => e.rows.some((r) => r.metric === 'recall'))
    expect(entries.map((e) => e.name)).toEqual(['pacgan-ring8', 'pacgan-grid25', 'toy-ring8', 'toy-spiral'])
    for (const entry of entries) {
      const dataset = validateExperiment(recipeConfig(entry.recipe)).config.dataset
      // The protocol's real points (as `eval` draws them), and another 2,500 drawn with other seeds.
      const { real } = evalPointData(dataset, 2500, DEFAULT_EVAL_SEED)
      const other = createDataSource(dataset, 99).sample(2500, 7)
      const figure = entry.rows.find((r) => r.metric === 'recall')!.paper.find((p) => p.label === REAL_RECALL_LABEL)!.value!
      expect(pointQuality(other, real, 2).recall, entry.name).toBeCloseTo(figure, 3)
    }
  })

  it("holds the issue's goals: ring 8/8 and ≥ 97 %, grid 25/25 and ≥ 95 %, AC-GAN ≥ 95 % of the classifier, InfoGAN ≤ 5 %", () => {
    const goal = (name: string, metric: string) => findReproduction(name)!.rows.find((r) => r.metric === metric)!.goal
    expect(goal('pacgan-ring8', 'pacganModes')).toEqual({ kind: 'at-least', value: 8 })
    expect(goal('pacgan-ring8', 'pacganHighQuality')).toEqual({ kind: 'at-least', value: 0.97 })
    expect(goal('pacgan-grid25', 'pacganModes')).toEqual({ kind: 'at-least', value: 25 })
    expect(goal('pacgan-grid25', 'pacganHighQuality')).toEqual({ kind: 'at-least', value: 0.95 })
    expect(goal('acgan-fashion-mnist', 'relativeAccuracy')).toEqual({ kind: 'at-least', value: 0.95 })
    // The stripes row docs/evaluation.md describes: at most 2 on every seed, for both AC-GAN entries.
    for (const name of ['acgan-fashion-mnist', 'acgan-mnist']) expect(goal(name, 'fixedPattern')).toEqual({ kind: 'at-most', value: 2 })
    expect(goal('infogan-mnist', 'codeError')).toEqual({ kind: 'at-most', value: 0.05 })
    expect(findReproduction('pacgan-ring8')!.rows[0]!.paper).toEqual([
      { label: 'GAN', value: 6.3 },
      { label: 'PacGAN3', value: 7.8 },
      { label: 'PacGAN4', value: 7.8 },
      { label: expect.stringMatching(/^no code: .*40,000 steps/), value: 8 },
    ])
  })
})

const entry = findReproduction('pacgan-ring8')!
const seed = (n: number, values: Record<string, number>, status: SeedResult['status'] = 'completed'): SeedResult => ({
  seed: n,
  runId: n,
  status,
  values,
})

describe('a reproduction table', () => {
  it('passes a row only when every seed meets it; mean ± sd (min–max) over the seeds', () => {
    const s = summarize({
      entry,
      results: [seed(1, { pacganModes: 8, pacganHighQuality: 0.98 }), seed(2, { pacganModes: 8, pacganHighQuality: 0.96 })],
    })
    expect(s.rows.map((r) => r.verdict)).toEqual(['pass', 'fail', 'info'])
    expect(s.rows[1]!.why).toBe('seed 2 short of the goal')
    expect(s.rows[1]!).toMatchObject({ mean: 0.97, min: 0.96, max: 0.98 })
    expect(s.rows[1]!.sd).toBeCloseTo(Math.SQRT2 * 0.01, 12)
    expect(formatSpread(s.rows[1]!)).toBe('97.0 % ± 1.4 (96.0 %–98.0 %)')
    expect(s.passed).toBe(false)
    expect(summarize({ entry, results: [seed(1, { pacganModes: 8, pacganHighQuality: 0.98 })] }).passed).toBe(true)
  })

  it('a seed whose run failed or diverged has no figure and fails every judged row, named', () => {
    const s = summarize({ entry, results: [seed(1, { pacganModes: 8, pacganHighQuality: 0.99 }), seed(2, {}, 'diverged')] })
    expect(s.rows.map((r) => r.verdict)).toEqual(['fail', 'fail', 'info'])
    expect(s.rows[0]!.why).toBe('seed 2 (diverged) did not finish')
    expect(s.rows[0]!.perSeed).toEqual([8, null])
    expect(s.rows[0]!.mean).toBe(8)
    expect(s.failedSeeds).toEqual([2])
  })

  it('while it runs, a seed still to come fails nothing: the row is running, or failed when a finished seed fails it', () => {
    const results = [seed(1, { pacganModes: 8, pacganHighQuality: 0.96 }), seed(2, {}, 'running'), seed(3, {}, 'not-run')]
    const live = summarize({ entry, results, status: 'running' })
    expect(live.rows.map((r) => [r.verdict, r.why])).toEqual([
      ['running', 'waiting for seeds 2, 3'],
      ['fail', 'seed 1 short of the goal'],
      ['info', undefined],
    ])
    expect(live.failedSeeds).toEqual([])
    expect(live.passed).toBe(false)
    // Every finished seed meets every goal, and one is still to come: not a pass yet.
    const soFar = summarize({
      entry,
      results: [seed(1, { pacganModes: 8, pacganHighQuality: 0.99 }), seed(2, {}, 'running')],
      status: 'running',
    })
    expect(soFar.rows.map((r) => r.verdict)).toEqual(['running', 'running', 'info'])
    expect(soFar.passed).toBe(false)
    // A seed whose runs ended but are not scored yet (its figures come once every run has ended).
    const unscored = summarize({ entry, results: [seed(1, {})], status: 'running' })
    expect(unscored.rows[0]).toMatchObject({ verdict: 'running', why: 'waiting for seed 1' })
    expect(seedCell(unscored.rows[0]!, seed(1, {}), 0, true)).toBe('to score')
    expect(seedCell(live.rows[0]!, results[2]!, 2, true)).toBe('waiting')
    expect(seedCell(live.rows[0]!, results[1]!, 1, true)).toBe('running')
    expect(seedFailed(live.rows[0]!, results[1]!, true)).toBe(false)
    // The same seeds once the reproduction has ended (stopped, interrupted): unfinished seeds fail.
    const ended = summarize({ entry, results, status: 'stopped' })
    expect(ended.rows[0]).toMatchObject({ verdict: 'fail', why: 'seeds 2 (running), 3 (not run) did not finish' })
    expect(ended.failedSeeds).toEqual([2, 3])
    expect(seedCell(ended.rows[0]!, results[2]!, 2)).toBe('not run')
    expect(seedFailed(ended.rows[0]!, results[1]!)).toBe(true)
    // A variant's seed whose recipe finished but whose judged baseline still trains is still to come.
    const wganGp = findReproduction('wgan-gp-ring8')!
    const half: SeedResult = { ...seed(1, { pacganModes: 8, pacganHighQuality: 0.9 }), baselineStatus: 'running' }
    expect(summarize({ entry: wganGp, results: [half], status: 'running' }).rows[0]).toMatchObject({ verdict: 'running' })
    expect(summarize({ entry: wganGp, results: [half], status: 'interrupted' }).rows[0]!.verdict).toBe('fail')
    // The text table says the same.
    const record: ReproductionRecord = {
      ...newReproduction({ entry, seeds: 3, results }),
      id: 1,
      name: entry.name,
      status: 'running',
      error: null,
      createdAt: '2026-12-07T00:00:00.000Z',
      finishedAt: null,
    }
    expect(textTable(record)).toMatch(/RUNNING \(waiting for seeds 2, 3\)/)
    expect(textTable(record)).not.toMatch(/did not finish/)
  })

  it('a variant beats its baseline seed by seed; a peer goal waits for the peer figure', () => {
    const wganGp = findReproduction('wgan-gp-ring8')!
    const v = summarize({
      entry: wganGp,
      results: [
        {
          ...seed(1, { pacganModes: 8, 'baseline.pacganModes': 5, pacganHighQuality: 0.9, 'baseline.pacganHighQuality': 0.4 }),
          baselineStatus: 'completed',
        },
        {
          ...seed(2, { pacganModes: 6, 'baseline.pacganModes': 7, pacganHighQuality: 0.9, 'baseline.pacganHighQuality': 0.5 }),
          baselineStatus: 'completed',
        },
      ],
    })
    expect(v.rows.map((r) => r.verdict)).toEqual(['fail', 'info', 'info', 'info'])
    // Both high-quality shares are shown, the plain GAN's from its own run on the same seed.
    expect(v.rows.map((r) => r.perSeed)).toEqual([
      [8, 6],
      [5, 7],
      [0.9, 0.9],
      [0.4, 0.5],
    ])
    expect(v.rows[0]!.why).toBe('seed 2 short of the goal')
    // A made-up name, its peer figure not supplied yet: the catalog's own figure for dcgan-mnist must not replace these.
    const catalogued = findReproduction('dcgan-mnist')!
    const dcgan = { ...catalogued, name: 'dcgan-under-test', peer: { ...catalogued.peer!, value: null } }
    const results = [seed(1, { frechetDistance: 30, classesPresent: 10, inceptionScore: 8 })]
    expect(summarize({ entry: dcgan, results }).rows[0]).toMatchObject({
      verdict: 'no-goal',
      why: 'no PyTorch rebuild, same recipe and steps figure yet',
    })
    const withPeer: ReproductionEntry = { ...dcgan, peer: { ...dcgan.peer!, value: 25 } }
    expect(summarize({ entry: withPeer, results }).rows[0]!.verdict).toBe('fail')
    expect(summarize({ entry: { ...dcgan, peer: { ...dcgan.peer!, value: 35 } }, results }).rows[0]!.verdict).toBe('pass')
    // Every judged row passes, but the peer goal is not judged yet: not a pass.
    expect(verdictWord({ entry: dcgan, results, status: 'completed', quick: false })).toBe('awaiting a peer figure')
    const passing = { ...dcgan, peer: { ...dcgan.peer!, value: 35 } }
    expect(verdictWord({ entry: passing, results, status: 'completed', quick: false })).toBe('passed on 1 seed (the goal asks 5)')
    const five = [1, 2, 3, 4, 5].map((n) => seed(n, { frechetDistance: 30, classesPresent: 10, inceptionScore: 8 }))
    expect(verdictWord({ entry: passing, results: five, status: 'completed', quick: false })).toBe('passed')
    expect(verdictWord({ entry: withPeer, results, status: 'completed', quick: false })).toBe('not reached')
    expect(verdictWord({ entry: withPeer, results, status: 'stopped', quick: false })).toBe('stopped')
  })

  it('a peer measured on several seeds: its figure per seed beside ours, the goal against its mean', () => {
    const catalogued = findReproduction('dcgan-mnist')!
    const entry: ReproductionEntry = {
      ...catalogued,
      name: 'dcgan-under-test',
      peer: { ...catalogued.peer!, value: 30, perSeed: [26, 34, 30] },
    }
    const results = [
      seed(1, { frechetDistance: 29, classesPresent: 10, inceptionScore: 8 }),
      seed(2, { frechetDistance: 31, classesPresent: 10, inceptionScore: 8 }),
      seed(3, {}, 'diverged'),
    ]
    const s = summarize({ entry, results })
    const fd = s.rows.find((r) => r.row.metric === 'frechetDistance')!
    const peer = s.rows.find((r) => r.row.metric === 'peer.frechetDistance')!
    expect(fd).toMatchObject({ verdict: 'fail', why: 'seed 3 (diverged) did not finish' })
    // Seed 2's 31 beats the peer's seed 2 (34) but not its mean (30): seeds are not paired.
    expect(summarize({ entry, results: results.slice(0, 2) }).rows[0]).toMatchObject({ verdict: 'fail', why: 'seed 2 short of the goal' })
    expect(summarize({ entry, results: results.slice(0, 1) }).rows[0]!.verdict).toBe('pass')
    expect(peer).toMatchObject({ verdict: 'info', perSeed: [26, 34, 30], mean: 30 })
    // The peer's figure stays beside a seed of ours that did not finish.
    expect(seedCell(peer, results[2]!, 2)).toBe('30.00')
    expect(seedCell(fd, results[2]!, 2)).toBe('diverged')
    expect(peerFigure(entry.peer!)).toBe('30.00, the mean of seeds 1-3 (26.00, 34.00, 30.00)')
    expect(peerFigure({ ...entry.peer!, perSeed: [30] })).toBe('30.00')
  })

  it("a stored run is judged with the catalog's current peer figure, note and reference figures, its recipe and goals as they ran", () => {
    for (const e of REPRODUCTIONS) {
      const asRan = { ...e.rows[0]!, paper: [], goal: { kind: 'report' as const } }
      const stored: ReproductionEntry = { ...e, note: undefined, peer: e.peer && { ...e.peer, value: null }, rows: [asRan] }
      const now = withCurrentFindings(stored)
      expect(now.note).toBe(e.note)
      expect(now.peer?.value ?? null).toBe(e.peer?.value ?? null)
      // The peer's rows (its figure per seed, measured later) join the rows as they ran, after the row they mirror.
      const peerRows = e.rows.filter((r) => r.metric.startsWith('peer.'))
      expect(now.rows.map((r) => r.metric)).toEqual([asRan.metric, ...peerRows.map((r) => r.metric)])
      expect(now.rows[0]!.paper).toEqual(e.rows[0]!.paper)
      expect(now.rows[0]!.goal).toEqual({ kind: 'report' })
    }
    const dcgan = findReproduction('dcgan-mnist')!
    // A fresh run and a stored one show the rows in the same order.
    expect(dcgan.rows.map((r) => r.metric)).toEqual(['frechetDistance', 'peer.frechetDistance', 'classesPresent', 'inceptionScore'])
    const asRan = dcgan.rows.filter((r) => !r.metric.startsWith('peer.'))
    // Stored with the words its goal had then: the same kind of goal takes the catalog's words.
    const oldWords = asRan.map((r) => ({ ...r, goalText: 'as it ran' }))
    expect(withCurrentFindings({ ...dcgan, rows: oldWords }).rows.map((r) => r.goalText)).toEqual(dcgan.rows.map((r) => r.goalText))
    expect(withCurrentFindings({ ...dcgan, rows: asRan }).rows.map((r) => r.metric)).toEqual([
      'frechetDistance',
      'peer.frechetDistance',
      'classesPresent',
      'inceptionScore',
    ])
    const gone = { ...findReproduction('toy-ring8')!, name: 'no-longer-in-the-catalog', note: 'as it ran' }
    expect(withCurrentFindings(gone)).toBe(gone)
  })

  it('a stored run that trained other recipes (its baseline since changed) keeps the note and goal words it ran with', () => {
    const unrolled = findReproduction('unrolled-ring8')!
    const stored: ReproductionEntry = {
      ...unrolled,
      baseline: { preset: 'mlp-2d-ring8', overrides: [], label: 'plain GAN (mlp-2d-ring8)' },
      reference: undefined,
      note: 'as it ran',
      rows: unrolled.rows.map((r) => ({ ...r, goalText: 'words as it ran' })),
    }
    const now = withCurrentFindings(stored)
    expect(now.note).toBe('as it ran')
    expect(now.rows.map((r) => r.goalText)).toEqual(unrolled.rows.map(() => 'words as it ran'))
    // Only the label changed: the same runs, so today's words apply.
    const relabelled = withCurrentFindings({
      ...stored,
      baseline: { ...unrolled.baseline!, label: 'older words' },
      reference: unrolled.reference,
    })
    expect(relabelled.note).toBe(unrolled.note)
    expect(relabelled.rows[0]!.goalText).toBe(unrolled.rows[0]!.goalText)
    expect(relabelled.baseline!.label).toBe(unrolled.baseline!.label)
    // Other runs keep the names they ran under, the comparison's label included.
    expect(now.baseline!.label).toBe('plain GAN (mlp-2d-ring8)')
    expect(withCurrentFindings({ ...stored, title: 'as it ran' }).title).toBe('as it ran')
  })
})

/** A trainer "process" that trains in this process (the real trainRun on this registry). */
function inProcess(registry: Registry, home: string, fail: (nth: number) => boolean = () => false): SpawnTrainer {
  let started = 0
  return () => {
    const messages: ((m: TrainerMessage) => void)[] = []
    const exits: ((code: number | null) => void)[] = []
    let stop = false
    const nth = ++started
    return {
      pid: process.pid,
      send: (m: HostMessage) => {
        if (m.type === 'stop') stop = true
        if (m.type !== 'start') return
        setImmediate(async () => {
          if (fail(nth)) {
            messages.forEach((l) => l({ type: 'fatal', message: 'injected failure' }))
          } else {
            const status = await trainRun(registry, home, m.runId, {
              progress: (event) => messages.forEach((l) => l({ type: 'progress', event })),
              status: (event) => messages.forEach((l) => l({ type: 'status', event })),
              stopRequested: () => stop,
            })
            messages.forEach((l) => l({ type: 'done', status }))
          }
          exits.forEach((l) => l(0))
        })
      },
      onMessage: (l) => messages.push(l),
      onExit: (l) => exits.push(l),
      kill: () => {},
    }
  }
}

describe('the reproduction service', () => {
  const ctx = useTempRegistry()

  it('trains one run per seed (training.seed 1 … N), tags them, scores each with the protocol and stores the table', async () => {
    const runs = new RunManager(ctx.registry, ctx.dir, inProcess(ctx.registry, ctx.dir))
    const events: ReproductionProgressEvent[] = []
    // What a client reading the registry sees as each seed's run starts: that run, training, not "waiting".
    const seenAtStart: unknown[] = []
    const handle = startReproduction(ctx.registry, runs, { name: 'toy-ring8', seeds: 2, quick: true, command: 'test' }, (e) => {
      events.push(e)
      if (e.stage === 'training' && e.step === 0) {
        const stored = ctx.registry.repos.reproductions.get(e.reproductionId)
        seenAtStart.push(stored.results.map((r) => [r.runId === e.runId, r.status]))
      }
    })
    expect(handle.record).toMatchObject({ status: 'running', seeds: 2, quick: true, steps: 20, samples: 2500 })
    const final = await handle.done
    expect(seenAtStart).toEqual([
      [
        [true, 'running'],
        [false, 'not-run'],
      ],
      [
        [false, 'completed'],
        [true, 'running'],
      ],
    ])
    expect(final.status).toBe('completed')
    expect(final.results.map((r) => [r.seed, r.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ])
    for (const r of final.results) {
      const run = ctx.registry.getRun(r.runId!)
      expect(run.seed).toBe(r.seed)
      expect(run.tags).toContain('reproduction:toy-ring8')
      expect(run.experiment).toBe('reproduction:toy-ring8')
      expect(run.totalSteps).toBe(20)
      expect(r.values.pacganModes).toBeGreaterThanOrEqual(r.values.modesCaptured!)
      expect(r.modes!.centres).toHaveLength(8)
    }
    expect(new Set(final.results.map((r) => r.runId)).size).toBe(2)
    expect(events.map((e) => e.stage)).toEqual(expect.arrayContaining(['training', 'evaluating', 'done']))
    expect(ctx.registry.repos.reproductions.get(final.id)).toEqual(final)
    expect(ctx.registry.repos.reproductions.latest(true).get('toy-ring8')!.id).toBe(final.id)
    expect(ctx.registry.repos.reproductions.latest(false).size).toBe(0)
    const text = textTable(final)
    expect(text).toMatch(/SEED 1 +SEED 2 +MEAN ± SD \(MIN–MAX\)/)
    expect(text).toContain('QUICK test budget: not a reproduction')
    expect(markdownTable(final)).toMatch(/\| goal row \| paper \| seed 1 \| seed 2 \| mean ± sd \(min–max\) \| goal \| result \|/)
    const doc = reproductionsMarkdown(ctx.registry.repos.reproductions.latest(true), { quick: true, generatedAt: '2026-12-01 10:00 UTC' })
    expect(doc).toContain('- command: `test`')
    expect(doc).toMatch(/\| pacgan-ring8 \| Lin 2018 \| — \| not run \|/)
    expect(doc).toContain(`commit ${final.commit ? `\`${final.commit}\`` : 'unknown'}, ${final.machine}`)

    // Written again from a data directory that holds only toy-ring8: an entry run elsewhere keeps its
    // section and row from the previous file; toy-ring8's own old section is replaced.
    const earlier = doc
      .replace(
        '| pacgan-ring8 | Lin 2018 | — | not run | — | — |',
        '| [pacgan-ring8](#pacgan-ring8) | Lin 2018 | 5 | NOT REACHED | 2026-11-01 | `abc123` |',
      )
      .replace(/### pacgan-ring8: [^\n]*/, '### pacgan-ring8: measured elsewhere, 2026-11-01\n\n- note: what an older catalog said')
      .replace(/### toy-ring8: [^\n]*/, '### toy-ring8: an older run')
    const again = reproductionsMarkdown(ctx.registry.repos.reproductions.latest(true), {
      quick: true,
      generatedAt: '2026-12-02 10:00 UTC',
      previous: previousDocs(earlier, true),
    })
    expect(again).toContain('| [pacgan-ring8](#pacgan-ring8) | Lin 2018 | 5 | NOT REACHED | 2026-11-01 | `abc123` |')
    expect(again).toContain('### pacgan-ring8: measured elsewhere, 2026-11-01')
    // …with the note the catalog has now: what blocks a goal is learnt after the run.
    expect(earlier).toContain('- note: what an older catalog said')
    expect(again).not.toContain('what an older catalog said')
    expect(again).toContain(`- note: ${findReproduction('pacgan-ring8')!.note}`)
    expect(again).toContain(
      'Kept from the previous file, because the data directory this was written from holds no run of them: pacgan-ring8 ',
    )
    expect(again).not.toContain('an older run')
    expect(again).toMatch(/\| pacgan-grid25 \| Lin 2018 \| — \| not run \|/)
    expect(again.match(/<a id="pacgan-ring8"><\/a>/g)).toHaveLength(1)
    // A full file never lends its sections to a quick one, nor the reverse.
    expect(previousDocs(earlier, false).rows.size).toBe(0)
  })

  it('scores an AC-GAN run with every measurement of its protocol, the fixed-pattern ratio among them', async () => {
    const runs = new RunManager(ctx.registry, ctx.dir, inProcess(ctx.registry, ctx.dir))
    const final = await startReproduction(ctx.registry, runs, { name: 'acgan-mnist', seeds: 1, quick: true, command: 'test' }, () => {})
      .done
    const values = final.results[0]!.values
    expect(Object.keys(values).sort()).toEqual([...PRODUCES['label-accuracy']!].sort())
    // Three steps in, G's samples are nearly flat: some texture in common, far less than real digits'.
    expect(values.fixedPattern).toBeGreaterThan(0)
    expect(values.fixedPattern).toBeLessThan(1)
  }, 120_000)

  it('a seed whose run fails is a failed seed; the others still train and score', async () => {
    const runs = new RunManager(
      ctx.registry,
      ctx.dir,
      inProcess(ctx.registry, ctx.dir, (nth) => nth === 1),
    )
    const final = await startReproduction(ctx.registry, runs, { name: 'toy-ring8', seeds: 2, quick: true, command: 'test' }, () => {}).done
    expect(final.status).toBe('completed')
    expect(final.results.map((r) => r.status)).toEqual(['failed', 'completed'])
    expect(final.results[0]!.error).toBe('injected failure')
    expect(final.results[0]!.values).toEqual({})
    const s = summarize(final)
    expect(s.rows.map((r) => r.verdict)).toEqual(['fail', 'fail', 'info'])
    expect(s.rows[0]!.why).toBe('seed 1 (failed) did not finish')
  })

  it('a variant trains the plain GAN on the same seed and reads its figures beside its own', async () => {
    const runs = new RunManager(ctx.registry, ctx.dir, inProcess(ctx.registry, ctx.dir))
    const final = await startReproduction(ctx.registry, runs, { name: 'lsgan-ring8', seeds: 1, quick: true, command: 'test' }, () => {})
      .done
    const r = final.results[0]!
    expect(r.baselineStatus).toBe('completed')
    expect(ctx.registry.getRun(r.runId!).gan).toBe('lsgan')
    expect(ctx.registry.getRun(r.baselineRunId!)).toMatchObject({ gan: 'vanilla', seed: 1 })
    expect(r.values['baseline.pacganModes']).toBeTypeOf('number')
  })

  it("a variant with a reference trains it on the same seed too and shows its figures; only the baseline's judge", async () => {
    const runs = new RunManager(ctx.registry, ctx.dir, inProcess(ctx.registry, ctx.dir))
    // As each companion starts, what a client reading the registry sees: the seed still to come, its rows running.
    const seen: unknown[] = []
    const final = await startReproduction(ctx.registry, runs, { name: 'unrolled-ring8', seeds: 1, quick: true, command: 'test' }, (e) => {
      if (e.stage === 'training-baseline' || e.stage === 'training-reference') {
        if (e.step !== 0) return
        const stored = ctx.registry.repos.reproductions.get(e.reproductionId)
        const s = stored.results[0]!
        seen.push([e.stage, s.status, s.baselineStatus, s.referenceStatus ?? null, summarize(stored).rows[0]!.verdict])
      }
    }).done
    expect(seen).toEqual([
      ['training-baseline', 'completed', 'running', 'not-run', 'running'],
      ['training-reference', 'completed', 'completed', 'running', 'running'],
    ])
    const r = final.results[0]!
    expect([r.status, r.baselineStatus, r.referenceStatus]).toEqual(['completed', 'completed', 'completed'])
    const [recipe, baseline, reference] = [r.runId!, r.baselineRunId!, r.referenceRunId!].map((id) => ctx.registry.getRun(id))
    expect(new Set([recipe!.id, baseline!.id, reference!.id]).size).toBe(3)
    // The paper's comparison: the same settings without unrolling; the reference: the plain GAN's own rates.
    expect(recipe!.config.training.unrollSteps).toBe(5)
    expect(baseline!.config.training.unrollSteps).toBe(0)
    expect(baseline!.config.optimizers.discriminator.learningRate).toBe(recipe!.config.optimizers.discriminator.learningRate)
    expect(reference!.config.training.unrollSteps).toBe(0)
    expect(reference!.config.optimizers.discriminator.learningRate).toBe(1e-3)
    for (const id of [recipe, baseline, reference].map((x) => x!.id))
      expect(ctx.registry.getRun(id).tags).toContain('reproduction:unrolled-ring8')
    expect(r.values['baseline.pacganModes']).toBeTypeOf('number')
    expect(r.values['reference.pacganModes']).toBeTypeOf('number')
    // Judged against the baseline only: a reference far ahead changes no verdict.
    const judged = (values: Record<string, number>) => summarize({ ...final, results: [{ ...r, values }] }).rows[0]!.verdict
    expect(judged({ ...r.values, pacganModes: 7, 'baseline.pacganModes': 6, 'reference.pacganModes': 8 })).toBe('pass')
    expect(judged({ ...r.values, pacganModes: 7, 'baseline.pacganModes': 8, 'reference.pacganModes': 0 })).toBe('fail')
    expect(textTable(final)).toContain(`reference run ${reference!.id} completed`)
  }, 120_000)

  it("a seed whose baseline and reference both fail names both, the recipe's run first; a failed reference alone fails no row", async () => {
    const both = await startReproduction(
      ctx.registry,
      new RunManager(
        ctx.registry,
        ctx.dir,
        inProcess(ctx.registry, ctx.dir, (nth) => nth >= 2),
      ),
      { name: 'unrolled-ring8', seeds: 1, quick: true, command: 'test' },
      () => {},
    ).done
    const r = both.results[0]!
    expect([r.status, r.baselineStatus, r.referenceStatus]).toEqual(['completed', 'failed', 'failed'])
    expect(r.error).toBe(
      `baseline run ${r.baselineRunId} failed: injected failure; reference run ${r.referenceRunId} failed: injected failure`,
    )
    expect(summarize(both).failedSeeds).toEqual([1])
    const referenceOnly = await startReproduction(
      ctx.registry,
      new RunManager(
        ctx.registry,
        ctx.dir,
        inProcess(ctx.registry, ctx.dir, (nth) => nth === 3),
      ),
      { name: 'unrolled-ring8', seeds: 1, quick: true, command: 'test' },
      () => {},
    ).done
    const only = referenceOnly.results[0]!
    expect(only.error).toBe(`reference run ${only.referenceRunId} failed: injected failure`)
    const s = summarize(referenceOnly)
    expect(s.failedSeeds).toEqual([])
    expect(s.rows[0]!.verdict).toBe(only.values.pacganModes! >= only.values['baseline.pacganModes']! ? 'pass' : 'fail')
    expect(s.rows[0]!.why ?? '').not.toMatch(/did not finish/)
  }, 120_000)

  it('stop: the run training stops (checkpointed), no more start, the record ends stopped with the rest not run', async () => {
    const runs = new RunManager(ctx.registry, ctx.dir, inProcess(ctx.registry, ctx.dir))
    const stopper: { stop?: () => void } = {}
    const handle = startReproduction(ctx.registry, runs, { name: 'toy-ring8', seeds: 3, command: 'test' }, (e) => {
      if (e.stage === 'training' && (e.step ?? 0) > 0) stopper.stop?.()
    })
    stopper.stop = handle.stop
    const final: ReproductionRecord = await handle.done
    expect(final.status).toBe('stopped')
    expect(final.results.map((r) => r.status)).toEqual(['stopped', 'not-run', 'not-run'])
    expect(ctx.registry.getRun(final.results[0]!.runId!).step).toBeLessThan(3000)
    expect(ctx.registry.artifacts(final.results[0]!.runId!, 'checkpoint').length).toBeGreaterThan(0)
  })

  it('on the queue: one sweep over the seeds, scored as each run ends', async () => {
    const runs = new RunManager(ctx.registry, ctx.dir, inProcess(ctx.registry, ctx.dir))
    const handle = startReproduction(
      ctx.registry,
      runs,
      { name: 'toy-ring8', seeds: 2, quick: true, target: 'queue', command: 'test' },
      () => {},
    )
    // Stand in for queue workers: train each queued run here.
    const queued = () => ctx.registry.listRuns({ tag: 'reproduction:toy-ring8' })
    for (let i = 0; i < 50 && queued().length < 2; i++) await new Promise((r) => setTimeout(r, 20))
    const members = queued()
    expect(members.map((r) => [r.placement, r.status])).toEqual([
      ['queue', 'queued'],
      ['queue', 'queued'],
    ])
    expect(new Set(members.map((r) => r.sweepId)).size).toBe(1)
    expect(members.map((r) => r.seed).sort()).toEqual([1, 2])
    for (const run of members) runs.launchPrepared(run.id)
    const final = await handle.done
    expect(final.target).toBe('queue')
    expect(final.results.map((r) => r.status)).toEqual(['completed', 'completed'])
    expect(final.results.every((r) => r.values.pacganModes !== undefined)).toBe(true)
  })

  it('on the queue, a variant with a reference: a sweep each for the recipe, the baseline and the reference; a seed is scored once all three end', async () => {
    const runs = new RunManager(ctx.registry, ctx.dir, inProcess(ctx.registry, ctx.dir))
    const handle = startReproduction(
      ctx.registry,
      runs,
      { name: 'unrolled-ring8', seeds: 2, quick: true, target: 'queue', command: 'test' },
      () => {},
    )
    const queued = () => ctx.registry.listRuns({ tag: 'reproduction:unrolled-ring8' })
    for (let i = 0; i < 50 && queued().length < 6; i++) await new Promise((r) => setTimeout(r, 20))
    const members = queued()
    expect(members).toHaveLength(6)
    expect(members.every((r) => r.placement === 'queue' && r.status === 'queued')).toBe(true)
    expect(new Set(members.map((r) => r.sweepId)).size).toBe(3)
    // Seed 1's recipe and baseline train; its reference waits: seed 1 is not scored yet.
    const record = () => ctx.registry.repos.reproductions.get(handle.record.id)
    const seed1 = () => record().results[0]!
    await new Promise((r) => setTimeout(r, 50))
    for (const id of [seed1().runId!, seed1().baselineRunId!]) {
      runs.launchPrepared(id)
      await runs.waitFor(id)
    }
    await new Promise((r) => setTimeout(r, 1500)) // the reproduction polls the queue every second
    expect(seed1().referenceStatus).toBe('queued')
    expect(seed1().values).toEqual({})
    for (const run of queued().filter((r) => r.status === 'queued')) runs.launchPrepared(run.id)
    const final = await handle.done
    expect(final.results.map((r) => [r.status, r.baselineStatus, r.referenceStatus])).toEqual([
      ['completed', 'completed', 'completed'],
      ['completed', 'completed', 'completed'],
    ])
    for (const r of final.results) {
      expect(r.values['baseline.pacganModes']).toBeTypeOf('number')
      expect(r.values['reference.pacganModes']).toBeTypeOf('number')
      expect(ctx.registry.getRun(r.referenceRunId!).seed).toBe(r.seed)
    }
  }, 120_000)

  it('a reproduction whose process died is marked interrupted (not left running), its results kept', () => {
    const made = ctx.registry.repos.reproductions.create(
      newReproduction({ entry, steps: 20, samples: 2500, results: [seed(1, { pacganModes: 8 })] }),
    )
    ctx.registry.db.prepare('UPDATE reproductions SET pid = ? WHERE id = ?').run(999_999_999, made.id)
    ctx.registry.markOrphansInterrupted((pid) => pid === process.pid)
    const after = ctx.registry.repos.reproductions.get(made.id)
    expect(after).toMatchObject({ status: 'interrupted', error: 'the process running this reproduction ended before it finished' })
    expect(after.results[0]!.values).toEqual({ pacganModes: 8 })
  })

  it('a reproduction that died while seeds trained leaves none of them reading as training', () => {
    const results: SeedResult[] = [
      { ...seed(1, {}, 'running'), baselineStatus: 'queued', referenceStatus: 'completed' },
      seed(2, {}, 'not-run'),
      { ...seed(3, { pacganModes: 8 }), baselineStatus: 'paused' },
    ]
    const made = ctx.registry.repos.reproductions.create(newReproduction({ entry, seeds: 3, results }))
    ctx.registry.db.prepare('UPDATE reproductions SET pid = ? WHERE id = ?').run(999_999_999, made.id)
    ctx.registry.markOrphansInterrupted((pid) => pid === process.pid)
    const after = ctx.registry.repos.reproductions.get(made.id)
    expect(after.results.map((s) => [s.status, s.baselineStatus ?? null, s.referenceStatus ?? null])).toEqual([
      ['interrupted', 'interrupted', 'completed'],
      ['not-run', null, null],
      ['completed', 'interrupted', null],
    ])
    expect(after.results[2]!.values).toEqual({ pacganModes: 8 })
  })

  it('a reproduction whose pid now names another process is interrupted; its own live process keeps it running', () => {
    const made = ctx.registry.repos.reproductions.create(newReproduction({ entry, steps: 20, samples: 2500 }))
    ctx.registry.markOrphansInterrupted(() => true)
    expect(ctx.registry.repos.reproductions.get(made.id).status).toBe('running')
    // The same pid (alive: this process) with another start time: the system reused it.
    ctx.registry.db.prepare("UPDATE reproductions SET pid_started = 'another process' WHERE id = ?").run(made.id)
    ctx.registry.markOrphansInterrupted(() => true)
    expect(ctx.registry.repos.reproductions.get(made.id).status).toBe('interrupted')
  })

  it('refuses an unknown name or a bad seed count before recording anything', () => {
    const runs = new RunManager(ctx.registry, ctx.dir, inProcess(ctx.registry, ctx.dir))
    expect(() => startReproduction(ctx.registry, runs, { name: 'nope', command: 'test' }, () => {})).toThrow(
      /no reproduction named "nope"; the catalog: pacgan-ring8/,
    )
    expect(() => startReproduction(ctx.registry, runs, { name: 'toy-ring8', seeds: 0, command: 'test' }, () => {})).toThrow(
      /seeds must be a whole number from 1 to 20/,
    )
    expect(ctx.registry.db.prepare('SELECT COUNT(*) AS n FROM reproductions').get()).toEqual({ n: 0 })
  })
})
