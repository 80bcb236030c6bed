import { describe, expect, it } from 'vitest'
import { axisOf, parallelAxes } from '../../src-shared/compare/parallel-axes'

describe('parallel-coordinates axes', () => {
  it('puts learning rates spanning a factor over 20 on a log scale, others linearly', () => {
    const lr = axisOf('optimizers.discriminator.learningRate', [1e-5, 1e-4, 1e-3])!
    expect(lr.kind).toBe('log')
    expect(lr.positions.map((p) => p!.toFixed(3))).toEqual(['0.000', '0.500', '1.000'])
    expect(lr.ticks.map((t) => t.label)).toEqual(['1.0e-5', '1.0e-3'])
    const batch = axisOf('training.batchSize', [64, 128, 256])!
    expect(batch.kind).toBe('linear')
    expect(batch.positions).toEqual([0, 64 / 192, 1])
  })

  it('spaces categories evenly, centres a single value, and leaves holes for missing values', () => {
    const loss = axisOf('loss.generator', ['minimax', 'non-saturating', 'minimax'])!
    expect(loss).toMatchObject({
      kind: 'category',
      positions: [0, 1, 0],
      ticks: [
        { at: 0, label: 'minimax' },
        { at: 1, label: 'non-saturating' },
      ],
    })
    expect(axisOf('k', [3, 3])!.positions).toEqual([0.5, 0.5])
    expect(axisOf('fd', [1.5, null, 2.5])!.positions).toEqual([0, null, 1])
    expect(axisOf('generator', [{ layers: [] }, { layers: [1] }])).toBeNull()
    expect(axisOf('x', [null, null])).toBeNull()
  })

  it('lists the varied settings first, then the chosen metrics that exist', () => {
    const axes = parallelAxes(
      {
        configDiff: [
          { path: 'training.seed', values: [1, 2, 3] },
          { path: 'generator', values: [{}, {}, { a: 1 }] },
        ],
        finalMetrics: { gLoss: [0.7, 0.8, 0.9], modesCaptured: [8, 7, 8] },
      },
      ['modesCaptured', 'nope', 'gLoss'],
    )
    expect(axes.map((a) => a.key)).toEqual(['training.seed', 'modesCaptured', 'gLoss'])
  })
})
