/**
 * What the run page, the compare view, the runs table, the launcher and the Fork dialog compute
 * before they draw: curves (smoothing, per-epoch series, one wall-time origin per run, log axes),
 * the better value of a metric, a run against its closest preset, preset families, sorting,
 * `key=value` lines, and validation messages in plain words.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { minMaxPerBucket } from '../../src-shared/compare/min-max'
import type { MetricPoint, RunRecord } from '../../src-shared/domain/run'
import { chartPoints, ema, extendChartPoints, isPerEpoch, wallTimeOrigin, withLive } from '../../src-shared/compare/series'
import { bestIndices, isMetricKey, metricInfo, sortMetricKeys } from '../../src-shared/metrics/metric-catalog'
import { MODE_PROTOCOLS } from '../../src-shared/metrics/mode-protocols'
import { closestPreset, familyOf, groupPresets, warmPresetCatalog } from '../../src-shared/config/preset-match'
import { PRESETS, requirePreset } from '../../src-shared/config/presets'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { ConfigError } from '../../src-shared/config/errors'
import { configLeaves, valueAt } from '../../src-shared/config/config-paths'
import { errorsByLine, lineSyntaxError, overrideLines, suggestPaths } from '../../src-shared/config/override-lines'
import { columnById, configChoices, sortRuns } from '../../src-shared/runs-table/columns'

const pt = (step: number, value: number, wallTime = step, epoch = 1): MetricPoint => ({ step, epoch, value, wallTime })
const config = (preset: string, overrides: string[] = []) =>
  validateExperiment(applyOverrides(requirePreset(preset).config, overrides)).config

describe('curves', () => {
  it('extends a curve by its new points to exactly what mapping it whole gives (EMA, log axis, every x axis)', () => {
    const point = fc.record({
      value: fc.double({ min: -5, max: 5, noNaN: true }),
      epoch: fc.integer({ min: 1, max: 9 }),
      wallTime: fc.double({ min: 0, max: 1e4, noNaN: true }),
    })
    const options = fc.record({
      axis: fc.constantFrom('step' as const, 'epoch' as const, 'wallTime' as const),
      smoothing: fc.constantFrom(0, 0.3, 0.9),
      perEpoch: fc.boolean(),
      log: fc.boolean(),
      origin: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
    })
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 60 }), fc.nat(), options, (raw, cut, o) => {
        const pts: MetricPoint[] = raw.map((p, i) => ({ ...p, step: i + 1 }))
        const k = cut % (pts.length + 1)
        const whole = chartPoints(pts, o)
        const extended = extendChartPoints(chartPoints(pts.slice(0, k), { ...o, origin: o.origin ?? pts[0]!.wallTime }), pts, k, o)
        expect(extended).toEqual(whole)
      }),
      { seed: 24, numRuns: 300 },
    )
  })

  it("reduces a long curve to each x-bucket's lowest and highest point, in x order, spikes and ends kept", () => {
    const short: [number, number][] = [
      [1, 1],
      [2, 3],
      [3, 2],
    ]
    expect(minMaxPerBucket(short, 10)).toBe(short)
    const xy: [number, number][] = Array.from({ length: 5000 }, (_, i) => [i * 2, Math.sin(i / 40)])
    xy[3210] = [6420, 50]
    xy[777] = [1554, -50]
    const r = minMaxPerBucket(xy, 400)
    expect(r.length).toBeLessThanOrEqual(802)
    expect(r[0]).toBe(xy[0])
    expect(r.at(-1)).toBe(xy.at(-1))
    expect(r).toContain(xy[3210])
    expect(r).toContain(xy[777])
    // Any curve (unevenly spaced x): every bucket's lowest and highest point are drawn, nothing else is invented.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0.001, max: 5, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
          minLength: 1,
          maxLength: 600,
        }),
        fc.integer({ min: 1, max: 40 }),
        (steps, buckets) => {
          let x = 0
          const curve = steps.map(([dx, y]) => [(x += dx), y] as [number, number])
          const out = minMaxPerBucket(curve, buckets)
          expect(out.length).toBeLessThanOrEqual(Math.max(curve.length, 2 * buckets + 2))
          for (const p of out) expect(curve).toContain(p)
          for (let i = 1; i < out.length; i++) expect(out[i]![0]).toBeGreaterThan(out[i - 1]![0])
          if (out === curve) return
          const x0 = curve[0]![0]
          const span = curve.at(-1)![0] - x0
          const inner = curve.slice(1, -1)
          for (let b = 0; b < buckets; b++) {
            const inB = inner.filter(([px]) => Math.min(buckets - 1, Math.floor(((px - x0) / span) * buckets)) === b)
            if (!inB.length) continue
            expect(out).toContain(inB.reduce((m, p) => (p[1] < m[1] ? p : m)))
            expect(out).toContain(inB.reduce((m, p) => (p[1] > m[1] ? p : m)))
          }
        },
      ),
      { seed: 24, numRuns: 200 },
    )
  })

  it('smooths per-step series only: a per-epoch series keeps its values', () => {
    const steps = [pt(10, 1), pt(20, 0), pt(30, 1)]
    expect(chartPoints(steps, { axis: 'step', smoothing: 0.5, perEpoch: false }).xy).toEqual([
      [10, 1],
      [20, 0.5],
      [30, 0.75],
    ])
    expect(chartPoints(steps, { axis: 'step', smoothing: 0.5, perEpoch: true }).xy).toEqual([
      [10, 1],
      [20, 0],
      [30, 1],
    ])
    expect(ema([4, 0], 0)).toEqual([4, 0])
  })

  it('tells per-epoch series by their steps (every one an epoch end), and eval.* always', () => {
    expect(isPerEpoch('diversity', [pt(100, 1), pt(200, 1)], 100)).toBe(true)
    expect(isPerEpoch('dLoss', [pt(50, 1), pt(100, 1)], 100)).toBe(false)
    expect(isPerEpoch('dLoss', [pt(1, 1)], 1)).toBe(false) // one step per epoch: every series qualifies, none is treated so
    expect(isPerEpoch('eval.swd', [pt(7, 1)], 100)).toBe(true)
    expect(isPerEpoch('x', [], 100)).toBe(false)
  })

  it("puts all of a run's metrics on one wall-time origin: a metric first logged later starts later", () => {
    const series = { dLoss: [pt(1, 0, 1000), pt(2, 0, 1001)], pacganModes: [pt(100, 8, 1060)] }
    const origin = wallTimeOrigin(series)
    expect(origin).toBe(1000)
    expect(chartPoints(series.pacganModes, { axis: 'wallTime', origin, smoothing: 0, perEpoch: true }).xy).toEqual([[60, 8]])
    // Without the run's origin, each series would start at 0 (the bug this replaces).
    expect(chartPoints(series.pacganModes, { axis: 'wallTime', smoothing: 0, perEpoch: true }).xy).toEqual([[0, 8]])
    expect(wallTimeOrigin({})).toBeUndefined()
  })

  it('drops what a log axis cannot show, and says how many', () => {
    const r = chartPoints([pt(1, 2), pt(2, 0), pt(3, -1), pt(4, 4)], { axis: 'step', smoothing: 0, perEpoch: false, log: true })
    expect(r).toEqual({
      xy: [
        [1, 2],
        [4, 4],
      ],
      dropped: 2,
    })
  })

  it('extends stored points with live ones past the last stored step only', () => {
    expect(withLive([pt(1, 1), pt(2, 2)], [pt(2, 9), pt(3, 3)]).map((p) => p.step)).toEqual([1, 2, 3])
    const stored = [pt(1, 1)]
    expect(withLive(stored, undefined)).toBe(stored)
  })
})

describe('metric catalog', () => {
  it('marks the better value where a metric has a better side, all of a tie, none when all agree', () => {
    expect(bestIndices('frechetDistance', [12, 8, null, 9])).toEqual([1])
    expect(bestIndices('pacganModes', [8, 7, 8])).toEqual([0, 2])
    expect(bestIndices('pacganModes', [8, 8])).toEqual([])
    expect(bestIndices('dLoss', [0.1, 0.9])).toEqual([]) // a loss has no better side between runs
    expect(bestIndices('swd', [0.3, null])).toEqual([])
    expect(bestIndices('eval.recall', [0.2, 0.5])).toEqual([1])
  })

  it('names the mode metrics after the definitions the eval code uses, and keeps sample counts out', () => {
    for (const p of Object.values(MODE_PROTOCOLS)) {
      expect(metricInfo(p.keys.modes).description).toContain(p.definition)
      expect(metricInfo(p.keys.modes).group).toBe('modes')
    }
    expect(isMetricKey('evalSamples')).toBe(false)
    expect(isMetricKey('qualitySamples')).toBe(false)
    expect(isMetricKey('pacganModes')).toBe(true)
    expect(sortMetricKeys(['zzz', 'eval.swd', 'swd', 'gLoss', 'dLoss'])).toEqual(['dLoss', 'gLoss', 'swd', 'zzz', 'eval.swd'])
  })
})

describe('presets', () => {
  it('groups all presets by family (ring variants with the 2D toys), filtered by words', () => {
    const groups = groupPresets(PRESETS)
    expect(groups.map((g) => g.family.id)).toEqual(['points', 'images', 'conditional', 'translation'])
    expect(groups.flatMap((g) => g.presets).length).toBe(PRESETS.length)
    expect(groups[0]!.presets.map((p) => p.name)).toContain('mlp-2d-ring8-wgan-gp')
    expect(familyOf(requirePreset('pix2pix-mnist-edges').config as never)).toBe('translation')
    const ring = groupPresets(PRESETS, 'RING wgan')
    expect(ring.flatMap((g) => g.presets.map((p) => p.name))).toEqual(['mlp-2d-ring8-wgan', 'mlp-2d-ring8-wgan-gp'])
    expect(groupPresets(PRESETS, 'nothing-like-this')).toEqual([])
  })

  it('parses the preset catalog a preset per pause, then finds the closest preset without parsing again', async () => {
    let pauses = 0
    await warmPresetCatalog(async () => void pauses++)
    // One pause per preset (no test before this one in the file looks presets up).
    expect(pauses).toBe(PRESETS.length)
    let again = 0
    await warmPresetCatalog(async () => void again++)
    expect(again).toBe(0)
    expect(closestPreset(config('mlp-2d-ring8'))?.preset).toBe('mlp-2d-ring8')
  })

  it("finds a run's preset and what differs: settings, and models from the builder", () => {
    expect(closestPreset(config('mlp-2d-ring8'))).toMatchObject({ preset: 'mlp-2d-ring8', differences: [], modelsDiffer: [] })
    expect(closestPreset(config('mlp-2d-ring8-unrolled'))).toMatchObject({ preset: 'mlp-2d-ring8-unrolled', differences: [] })
    const tweaked = closestPreset(config('mlp-2d-ring8', ['training.epochs=3', 'loss.generator=minimax']))!
    expect(tweaked.preset).toBe('mlp-2d-ring8')
    expect(tweaked.differences).toEqual(
      expect.arrayContaining([
        { path: 'training.epochs', run: 3, preset: 30 },
        { path: 'loss.generator', run: 'minimax', preset: 'non-saturating' },
      ]),
    )
    expect(tweaked.differences).toHaveLength(2)
    const built = config('dcgan-mnist', ['generator.layers.1.alpha=0.1'])
    expect(closestPreset(built)).toMatchObject({ preset: 'dcgan-mnist', modelsDiffer: ['generator'] })
    // Another dataset size is still the same data, told as a difference.
    expect(closestPreset(config('dcgan-mnist', ['dataset.limit=64']))).toMatchObject({
      preset: 'dcgan-mnist',
      differences: [{ path: 'dataset.limit', run: 64, preset: undefined }],
    })
  })
})

describe('config paths and key=value lines', () => {
  const c = config('mlp-2d-ring8')

  it('walks a config to its leaves and back', () => {
    const leaves = configLeaves(c)
    expect(leaves.find((l) => l.path === 'training.batchSize')!.value).toBe(c.training.batchSize)
    expect(valueAt(c, 'generator.layers[0].units')).toBe(128)
    expect(valueAt(c, 'no.such')).toBeUndefined()
  })

  it('completes a typed path, starting matches first, the frozen sections left out', () => {
    const s = suggestPaths(c, 'optimizers.disc', { exclude: ['generator', 'discriminator', 'latent'] })
    expect(s[0]).toMatchObject({ path: 'optimizers.discriminator.type', current: 'adam' })
    expect(s.map((x) => x.path)).toContain('optimizers.discriminator.learningRate')
    expect(suggestPaths(c, 'units', { exclude: ['generator', 'discriminator'] })).toEqual([])
    expect(suggestPaths(c, 'learningrate').map((x) => x.path)).toEqual([
      'optimizers.generator.learningRate',
      'optimizers.discriminator.learningRate',
    ])
  })

  it('says what is wrong with a line in words (no CLI flags), and ties each field error to its line', () => {
    expect(lineSyntaxError('training.epochs=4')).toBeNull()
    expect(lineSyntaxError('training.epochs')).toMatch(/key=value/)
    expect(lineSyntaxError('a..b=1')).toMatch(/not a setting's name/)
    expect(lineSyntaxError('__proto__.x=1')).not.toMatch(/--set/)
    const lines = overrideLines('training.epochs=0\n\n  optimizers.discriminator.learningRate=-1  \n')
    expect(lines.map((l) => l.number)).toEqual([1, 3])
    let errors: { path: string; message: string }[] = []
    try {
      validateExperiment(
        applyOverrides(
          c,
          lines.map((l) => l.text),
        ),
      )
    } catch (e) {
      errors = (e as ConfigError).errors
    }
    expect(errorsByLine(lines, errors).map((e) => `${e.line?.number}: ${e.message}`)).toEqual([
      '1: training.epochs: must be at least 1',
      '3: optimizers.discriminator.learningRate: must be more than 0',
    ])
  })

  it('words validation plainly: a whole number, a number, one of the choices', () => {
    const messages = (o: string[]) => {
      try {
        validateExperiment(applyOverrides(requirePreset('mlp-2d-ring8').config, o))
        return []
      } catch (e) {
        return (e as ConfigError).errors.map((x) => x.message)
      }
    }
    expect(messages(['training.epochs=-12.5'])).toEqual(['enter a whole number'])
    expect(messages(['training.epochs=""'])).toEqual(['enter a number'])
    expect(messages(['loss.generator=max'])).toEqual(['choose one of: minimax, non-saturating'])
    expect(messages(['tricks.labelSmoothing=0.9'])).toEqual(['must be at most 0.5'])
    expect(messages(['tricks.softLabels=1'])).toEqual(['true or false'])
    // A schema's own message is kept.
    expect(messages(['dataset={"kind":"paired","task":"mnist-edges","dir":"/x"}']).join()).toMatch(/not both/)
  })
})

describe('runs table', () => {
  const run = (id: number, extra: Partial<RunRecord> & { lr?: number } = {}): RunRecord =>
    ({
      id,
      name: `run-${id}`,
      status: 'completed',
      config: config('mlp-2d-ring8', extra.lr ? [`optimizers.discriminator.learningRate=${extra.lr}`] : []),
      lastMetrics: {},
      tags: [],
      notes: '',
      step: 1,
      totalSteps: 1,
      samplesPerSec: null,
      startedAt: null,
      finishedAt: null,
      createdAt: '',
      backend: null,
      dataset: '',
      gan: 'vanilla',
      ...extra,
    }) as RunRecord

  it('sorts by a metric or a setting either way, runs without a value last', () => {
    const runs = [run(1, { lastMetrics: { swd: 0.3 } }), run(2, { lastMetrics: {} }), run(3, { lastMetrics: { swd: 0.1 } })]
    expect(sortRuns(runs, columnById('m:swd'), 'asc').map((r) => r.id)).toEqual([3, 1, 2])
    expect(sortRuns(runs, columnById('m:swd'), 'desc').map((r) => r.id)).toEqual([1, 3, 2])
    const lrs = [run(1, { lr: 1e-3 }), run(2, { lr: 1e-4 }), run(3, { lr: 5e-4 })]
    expect(sortRuns(lrs, columnById('c:optimizers.discriminator.learningRate'), 'asc').map((r) => r.id)).toEqual([2, 3, 1])
    expect(sortRuns(lrs, columnById('name'), 'desc').map((r) => r.id)).toEqual([3, 2, 1])
  })

  it('offers the settings that vary between the listed runs first, and no model internals', () => {
    const choices = configChoices([run(1, { lr: 1e-3 }), run(2, { lr: 1e-4 })])
    expect(choices[0]).toEqual({ path: 'optimizers.discriminator.learningRate', varies: true })
    expect(choices.filter((c) => c.varies)).toHaveLength(1)
    expect(choices.some((c) => c.path.startsWith('generator'))).toBe(false)
    expect(choices.some((c) => c.path === 'training.batchSize')).toBe(true)
  })
})
