/**
 * GAN health diagnostics: the detectors on hand-made series, then on real runs of the ring-8 MLP
 * preset: a healthy run is not flagged; short seeded runs built to diverge, to let D win and to
 * leave G collapsed are, in the default suite; the documented 1,000-step configs in the full one.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { showDiagnoses } from '../../src-main/cli/commands/runs'
import { GanDiagnostics, oscillation } from '../../src-shared/metrics/diagnostics'
import { diversityRatio, meanPairwiseDistance } from '../../src-shared/metrics/diversity'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { Registry } from '../../src-main/registry/registry'
import { selectBackend } from '../../src-main/training/backend'
import { trainRun, totalSteps } from '../../src-main/training/train-run'
import { tmpDir } from '../helpers/tmp'
import { itFull } from '../helpers/full'
import { thisProcess } from '../../src-main/util/process-identity'

describe('diversity', () => {
  it('is the mean pairwise distance, and the ratio of generated to real', () => {
    expect(meanPairwiseDistance([0, 0, 3, 4], 2)).toBe(5)
    expect(meanPairwiseDistance([0, 0, 3, 4, 0, 0], 2)).toBeCloseTo((5 + 0 + 5) / 3)
    expect(diversityRatio([1, 1, 1, 1], [0, 0, 3, 4], 2)).toBe(0) // everything on one point
    expect(diversityRatio([0, 0, 6, 8], [0, 0, 3, 4], 2)).toBe(2)
  })
})

describe('detectors', () => {
  it('divergence: the first non-finite value, once', () => {
    const d = new GanDiagnostics({ gan: 'vanilla' })
    expect(d.observeStep(5, { dLoss: 0.7, gLoss: 0.7 })).toEqual([])
    const found = d.observeStep(10, { dLoss: NaN, gLoss: 0.7 })
    expect(found.map((x) => [x.kind, x.step])).toEqual([['divergence', 10]])
    expect(found[0]!.evidence).toMatch(/dLoss = NaN at step 10/)
    expect(d.observeStep(15, { dLoss: NaN })).toEqual([])
  })

  it('discriminator dominates: only after a full window of near-perfect D, dated from its start', () => {
    const d = new GanDiagnostics({ gan: 'vanilla', dominanceWindow: 5 })
    const win = { dReal: 0.99, dFake: 0.01 }
    for (let s = 1; s <= 4; s++) expect(d.observeStep(s, win)).toEqual([])
    expect(d.observeStep(5, { dReal: 0.8, dFake: 0.3 })).toEqual([]) // the streak breaks
    for (let s = 6; s <= 9; s++) expect(d.observeStep(s, win)).toEqual([])
    expect(d.observeStep(10, win).map((x) => [x.kind, x.step, x.detectedAt])).toEqual([['discriminator-dominates', 6, 10]])
    // A critic's scores are not probabilities: WGANs are never judged this way.
    const w = new GanDiagnostics({ gan: 'wgan', dominanceWindow: 1 })
    expect(w.observeStep(1, win)).toEqual([])
  })

  it('mode collapse: low diversity for consecutive epochs after the first', () => {
    const d = new GanDiagnostics({ gan: 'vanilla' })
    expect(d.observeEpoch(100, 1, { diversity: 0.05 })).toEqual([]) // a fresh G is always collapsed
    expect(d.observeEpoch(200, 2, { diversity: 0.2 })).toEqual([])
    expect(d.observeEpoch(300, 3, { diversity: 0.9 })).toEqual([])
    expect(d.observeEpoch(400, 4, { diversity: 0.2 })).toEqual([])
    expect(d.observeEpoch(500, 5, { diversity: 0.1, modesCaptured: 1 }).map((x) => [x.kind, x.step])).toEqual([['mode-collapse', 400]])
  })

  it('mode collapse that ends is reported once more, marked recovered, after as many good epochs as it took to see it', () => {
    const d = new GanDiagnostics({ gan: 'vanilla' })
    d.observeEpoch(100, 1, { diversity: 0.05 })
    d.observeEpoch(200, 2, { diversity: 0.2 })
    const [collapse] = d.observeEpoch(300, 3, { diversity: 0.3, modesCaptured: 0 })
    expect(collapse).toMatchObject({ kind: 'mode-collapse', step: 200 })
    expect(collapse!.recovered).toBeUndefined()
    expect(d.observeEpoch(400, 4, { diversity: 0.9 })).toEqual([])
    expect(d.observeEpoch(500, 5, { diversity: 0.2 })).toEqual([]) // the recovery streak breaks
    expect(d.observeEpoch(600, 6, { diversity: 0.95 })).toEqual([])
    const [over] = d.observeEpoch(700, 7, { diversity: 1.0, modesCaptured: 8 })
    expect(over).toMatchObject({ kind: 'mode-collapse', step: 200, detectedAt: 300 })
    expect(over!.recovered).toEqual({
      step: 600,
      detectedAt: 700,
      evidence: "sample diversity 1.00 of the real data's (at or above 0.35) for 2 epochs in a row; 8 modes captured",
    })
    // More good epochs say nothing more; a second collapse takes the mark off (same diagnosis).
    for (let e = 8; e <= 10; e++) expect(d.observeEpoch(e * 100, e, { diversity: e < 10 ? 1 : 0.1 })).toEqual([])
    const [again] = d.observeEpoch(1100, 11, { diversity: 0.1 })
    expect(again).toMatchObject({ kind: 'mode-collapse', step: 200, recovered: null })
    expect(d.observeEpoch(1200, 12, { diversity: 0.1 })).toEqual([])
  })

  it('where the modes are known, a mode collapse is over only once every mode is captured again, not when the samples spread', () => {
    // As the 2D runs go: spread out long before the modes form (a ring of 8).
    const d = new GanDiagnostics({ gan: 'vanilla', modes: 8 })
    d.observeEpoch(100, 1, { diversity: 0.05, modesCaptured: 0 })
    d.observeEpoch(200, 2, { diversity: 0.1, modesCaptured: 0 })
    const [collapse] = d.observeEpoch(300, 3, { diversity: 0.2, modesCaptured: 0 })
    expect(collapse!.evidence).toContain('; 0 of 8 modes captured')
    for (let e = 4; e <= 20; e++) expect(d.observeEpoch(e * 100, e, { diversity: 0.9, modesCaptured: Math.min(7, e - 4) })).toEqual([])
    expect(d.observeEpoch(2100, 21, { diversity: 0.9, modesCaptured: 8 })).toEqual([])
    expect(d.observeEpoch(2200, 22, { diversity: 0.9, modesCaptured: 7 })).toEqual([]) // a mode lost again: the streak breaks
    expect(d.observeEpoch(2300, 23, { diversity: 0.9, modesCaptured: 8 })).toEqual([])
    const [over] = d.observeEpoch(2400, 24, { diversity: 0.95, modesCaptured: 8 })
    expect(over!.recovered).toEqual({
      step: 2300,
      detectedAt: 2400,
      evidence: "sample diversity 0.95 of the real data's (at or above 0.35) for 2 epochs in a row; 8 of 8 modes captured",
    })
  })

  it('`runs show` says a collapse is over, since when and why, and offers no remedies for it', () => {
    const d = new GanDiagnostics({ gan: 'vanilla', modes: 8 })
    const [collapse] = [100, 200, 300].flatMap((s) => d.observeEpoch(s, s / 100, { diversity: 0.1, modesCaptured: 0 }))
    const open = showDiagnoses([collapse!])
    expect(open).toContain('Mode collapse (from step 200, recognised at 300)\n')
    expect(open).toContain('try: Unrolled GAN')
    const [over] = [400, 500].flatMap((s) => d.observeEpoch(s, s / 100, { diversity: 0.9, modesCaptured: 8 }))
    const text = showDiagnoses([over!])
    expect(text).toContain('Mode collapse (from step 200, recognised at 300), over from step 400 (recognised at 500)')
    expect(text).toContain(
      "recovered: sample diversity 0.90 of the real data's (at or above 0.35) for 2 epochs in a row; 8 of 8 modes captured",
    )
    expect(text).not.toContain('try:')
  })

  it('a resumed run goes on from its stored diagnoses: a stored collapse is not reported twice, and can still end', () => {
    const first = new GanDiagnostics({ gan: 'vanilla' })
    const stored = [100, 200, 300].flatMap((step, i) => first.observeEpoch(step, i + 1, { diversity: 0.1 }))
    expect(stored.map((x) => x.kind)).toEqual(['mode-collapse'])
    const resumed = new GanDiagnostics({ gan: 'vanilla' })
    resumed.resumeFrom(stored)
    expect(resumed.observeEpoch(400, 4, { diversity: 0.1 })).toEqual([])
    expect(resumed.observeEpoch(500, 5, { diversity: 0.1 })).toEqual([]) // two collapsed epochs: already reported
    expect(resumed.observeEpoch(600, 6, { diversity: 0.9 })).toEqual([])
    expect(resumed.observeEpoch(700, 7, { diversity: 0.9 })[0]!.recovered).toMatchObject({ step: 600, detectedAt: 700 })
  })

  it('the registry marks a stored collapse recovered, and a resume from before the recovery takes the mark off', async () => {
    const t = tmpDir()
    const registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
    try {
      const config = validateExperiment(requirePreset('mlp-2d-ring8').config).config
      const run = registry.createRun({ config, totalSteps: totalSteps(config) })
      const d = new GanDiagnostics({ gan: 'vanilla' })
      const seen = [
        [100, 0.05],
        [200, 0.1],
        [300, 0.1],
        [400, 0.9],
        [500, 0.9],
      ].flatMap(([step, diversity], i) => d.observeEpoch(step!, i + 1, { diversity: diversity! }))
      for (const x of seen) registry.addDiagnosis(run.id, x)
      expect(registry.diagnoses(run.id)).toHaveLength(1)
      expect(registry.diagnoses(run.id)[0]).toMatchObject({ kind: 'mode-collapse', step: 200, recovered: { step: 400, detectedAt: 500 } })
      registry.truncateDiagnoses(run.id, 450) // resumed from step 450: the recovery is not yet seen there
      expect(registry.diagnoses(run.id)[0]).toMatchObject({ kind: 'mode-collapse', step: 200 })
      expect(registry.diagnoses(run.id)[0]!.recovered).toBeUndefined()
      // Collapsed again: the stored mark is taken off.
      registry.addDiagnosis(run.id, { ...registry.diagnoses(run.id)[0]!, recovered: { step: 400, detectedAt: 500, evidence: 'e' } })
      registry.addDiagnosis(run.id, { ...registry.diagnoses(run.id)[0]!, recovered: null })
      expect(registry.diagnoses(run.id)[0]!.recovered).toBeNull()
      registry.truncateDiagnoses(run.id, 250) // before the collapse was recognised: gone
      expect(registry.diagnoses(run.id)).toEqual([])
    } finally {
      registry.close()
      t.cleanup()
    }
  })

  it('oscillation: slow large waves are flagged, noise and a steady trend are not', () => {
    const waves = Array.from({ length: 60 }, (_, i) => 1 + Math.sin((i / 60) * 2 * Math.PI * 3) + 0.01 * Math.cos(i * 7))
    expect(oscillation(waves)).toMatch(/changing direction \d times/)
    let s = 1
    const noise = Array.from({ length: 60 }, () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5)
    expect(oscillation(noise)).toBeNull()
    expect(oscillation(Array.from({ length: 60 }, (_, i) => 2 - i / 60))).toBeNull()
  })
})

describe('on real runs (ring-8 MLP, 10 epochs of 100 steps)', () => {
  let t: ReturnType<typeof tmpDir>
  let registry: Registry
  beforeAll(async () => {
    await selectBackend('auto')
    t = tmpDir()
    registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
  })
  afterAll(() => {
    registry.close()
    t.cleanup()
  })

  const diagnose = async (sets: string[], expected = 'completed') => {
    const config = validateExperiment(
      applyOverrides(requirePreset('mlp-2d-ring8').config, ['training.epochs=10', 'training.checkpointEvery=10', ...sets]),
    ).config
    const run = registry.createRun({ config, totalSteps: totalSteps(config) })
    const status = await trainRun(registry, t.dir, run.id, { progress: () => {}, status: () => {}, stopRequested: () => false })
    expect(status).toBe(expected)
    return registry.diagnoses(run.id).map((d) => d.kind)
  }

  // 1,000 training steps each: ~20 s alone on 2 cores, several times that on a shared, busy machine.
  const LONG = 300_000

  // Cheap seeded runs (tens of steps) that must trigger each detector in the default suite, so a
  // detector that never fires fails here, not only in the full suite's long runs below.
  it(
    'a blown-up learning rate: divergence, and the run ends diverged',
    async () => {
      const kinds = await diagnose(
        [
          'training.epochs=1',
          'training.stepsPerEpoch=30',
          'training.logEvery=1',
          'optimizers.generator={"type":"sgd","learningRate":10}',
          'optimizers.discriminator={"type":"sgd","learningRate":10}',
        ],
        'diverged',
      )
      expect(kinds).toEqual(['divergence'])
    },
    LONG,
  )

  it(
    'D trained 5 steps per G step at 0.01 against a G that barely learns: the discriminator dominates',
    async () => {
      const kinds = await diagnose([
        'training.epochs=1',
        'training.stepsPerEpoch=80',
        'training.logEvery=1',
        'training.dSteps=5',
        'loss.generator=minimax',
        'optimizers.discriminator.learningRate=0.01',
        'optimizers.generator.learningRate=0.0000001',
      ])
      expect(kinds).toEqual(['discriminator-dominates'])
    },
    LONG,
  )

  it(
    'a G that barely learns stays on the point a fresh G maps every z to: mode collapse',
    async () => {
      const kinds = await diagnose(['training.epochs=3', 'training.stepsPerEpoch=5', 'optimizers.generator.learningRate=0.0000001'])
      expect(kinds).toEqual(['mode-collapse'])
    },
    LONG,
  )

  it(
    'the preset as shipped: nothing to report',
    async () => {
      expect(await diagnose([])).toEqual([])
    },
    LONG,
  )

  itFull(
    'minimax loss with both learning rates at 0.01: D dominates (and nothing else)',
    async () => {
      expect(
        await diagnose(['loss.generator=minimax', 'optimizers.generator.learningRate=0.01', 'optimizers.discriminator.learningRate=0.01']),
      ).toEqual(['discriminator-dominates'])
    },
    LONG,
  )

  itFull(
    "G learning rate 100× D's (0.01 vs 0.0001): mode collapse",
    async () => {
      // Seen: diversity 0.09, 0.51, then 0.04, 0.02, 0.13 … of the real data's spread; 0 modes captured.
      expect(await diagnose(['optimizers.generator.learningRate=0.01', 'optimizers.discriminator.learningRate=0.0001'])).toEqual([
        'mode-collapse',
      ])
    },
    LONG,
  )
})
