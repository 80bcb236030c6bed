/**
 * Point runs' evaluation: the labelled mode report, precision/recall/SWD of a set against itself,
 * and the per-epoch metrics (a toy mixture's every mode definition on 2,500 fixed-z samples; a
 * CSV's precision/recall/SWD on 1,000).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEpochPointEval, modeReport, pointModes, pointQuality } from '../../src-main/scoring/point-metrics'
import { createToy2dSource } from '../../src-main/datasets/toy2d-source'
import { createCsvSource } from '../../src-main/datasets/csv-points'
import { sampleToy2d, toy2dMixture } from '../../src-shared/datasets/toy2d'
import { createRng } from '../../src-shared/util/rng'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
beforeEach(() => (t = tmpDir()))
afterEach(() => t.cleanup())

describe('point metrics', () => {
  it("the mode report labels each definition and reports the papers' protocol first", () => {
    const mix = toy2dMixture('ring8')
    const pts: number[] = []
    for (let i = 0; i < 990; i++) pts.push(...mix.centres[i % 7]!) // 7 modes, evenly
    pts.push(mix.centres[7]![0] + 0.01, mix.centres[7]![1]) // the 8th: 1 sample of 991 (< 1 %)
    const r = modeReport(pts, { centres: mix.centres, std: mix.std, from: 'test' })
    expect(r.protocols.map((p) => [p.id, p.modesCaptured])).toEqual([
      ['pacgan', 8],
      ['box', 8],
      ['app', 7],
    ])
    expect(r.protocols[0]!.label).toBe('PacGAN/VEEGAN protocol (Euclidean 3σ)')
    expect(r.metrics).toMatchObject({ pacganModes: 8, boxModes: 8, modesCaptured: 7, pacganHighQuality: 1, highQuality: 1 })
  })

  it('a set against itself: precision and recall 1, SWD 0; shifted by 1 in x: SWD about 1/√2', () => {
    const a = sampleToy2d(toy2dMixture('grid25'), 600, createRng(4))
    expect(pointQuality(a, a, 2)).toEqual({ precision: 1, recall: 1, swd: 0 })
    const shifted = Float32Array.from(a, (v, i) => (i % 2 === 0 ? v + 1 : v))
    const q = pointQuality(shifted, a, 2)
    expect(q.swd).toBeGreaterThan(0.6)
    expect(q.swd).toBeLessThan(0.8)
  })

  it("modes: the ones given win over a toy mixture's; a CSV has none unless given", () => {
    const toy = createToy2dSource({ kind: 'toy2d', distribution: 'grid25' }, 1)
    expect(pointModes(toy)!.centres).toHaveLength(25)
    expect(pointModes(toy, { centres: [[0, 0]], std: 1 })!.centres).toEqual([[0, 0]])
    const file = path.join(t.dir, 'p.csv')
    fs.writeFileSync(file, '0,0\n1,1\n')
    expect(pointModes(createCsvSource({ kind: 'csv', file }, 1))).toBeUndefined()
  })

  it('per epoch: a toy run records every mode definition on 2,500 fixed-z samples; a CSV run precision, recall and SWD on 1,000', async () => {
    const asked: [number, number][] = []
    const generate = async (n: number, seed: number) => {
      asked.push([n, seed])
      return sampleToy2d(toy2dMixture('ring8'), n, createRng(seed))
    }
    const toy = await createEpochPointEval(createToy2dSource({ kind: 'toy2d', distribution: 'ring8' }, 5), 5, generate)()
    expect(Object.keys(toy).sort()).toEqual([
      'boxHighQuality',
      'boxModes',
      'evalSamples',
      'highQuality',
      'modeKL',
      'modesCaptured',
      'pacganHighQuality',
      'pacganModes',
    ])
    expect(toy).toMatchObject({ pacganModes: 8, modesCaptured: 8, evalSamples: 2500 })
    const file = path.join(t.dir, 'p.csv')
    fs.writeFileSync(file, Array.from({ length: 50 }, (_, i) => `${i % 5},${Math.floor(i / 5)}`).join('\n'))
    const csv = await createEpochPointEval(createCsvSource({ kind: 'csv', file }, 5), 5, generate)()
    expect(Object.keys(csv).sort()).toEqual(['precision', 'qualitySamples', 'recall', 'swd'])
    expect(asked.map(([n]) => n)).toEqual([2500, 1000])
    expect(asked[0]![1]).toBe(asked[1]![1]) // the same fixed z seed every epoch
  })
})
