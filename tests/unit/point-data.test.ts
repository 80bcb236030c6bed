/**
 * Point data of any kind (2D toys, CSV points) is recognised by one predicate, and generator.json
 * describes its real range: the CSV's lowest and highest coordinates, a mixture's centres ± 3σ,
 * or (when the CSV is gone) generated samples', saying which.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { isPointData, validateExperiment } from '../../src-shared/config/validate'
import { describeGenerator } from '../../src-main/export/generator-description'
import { pointRangeOf } from '../../src-main/export/point-range'
import { pointsCsv } from '../../src-main/export/synth'
import { parsePointsCsv } from '../../src-main/datasets/csv-points'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
beforeEach(() => (t = tmpDir()))
afterEach(() => t.cleanup())

const csvConfig = (file: string) =>
  validateExperiment(applyOverrides(requirePreset('mlp-2d-ring8').config, [`dataset={"kind":"csv","file":${JSON.stringify(file)}}`])).config
const noSamples = async (): Promise<Float32Array> => {
  throw new Error('the data was readable: no samples needed')
}

describe('point data', () => {
  it('one predicate: toy and CSV configs are point data; every image kind is not', () => {
    expect(isPointData(requirePreset('mlp-2d-ring8').config as never)).toBe(true)
    expect(isPointData({ dataset: { kind: 'csv', file: 'x.csv' } })).toBe(true)
    for (const name of ['dcgan-mnist', 'acgan-fashion-mnist', 'pix2pix-mnist-edges', 'cyclegan-mnist-edges'])
      expect(isPointData(requirePreset(name).config as never), name).toBe(false)
    expect(isPointData({ dataset: { kind: 'folder', dir: 'd', labelsFromFolders: false } })).toBe(false)
  })

  it("generator.json of a CSV run: the range of the CSV's points, per coordinate and overall", async () => {
    const file = path.join(t.dir, 'p.csv')
    fs.writeFileSync(file, 'x,y\n-4,0.5\n3.5,-2\n0,4.25\n')
    const config = csvConfig(file)
    const d = describeGenerator(config, await pointRangeOf(config, noSamples))
    expect(d.output).toMatchObject({
      kind: 'points',
      shape: [2],
      range: [-4, 4.25],
      bounds: [
        [-4, 3.5],
        [-2, 4.25],
      ],
    })
    expect(d.output.rangeFrom).toContain('3 points of')
  })

  it("generator.json of a toy run: the mixture's centres ± 3σ (grid25: ±4 ± 0.15)", async () => {
    const config = validateExperiment(requirePreset('mlp-2d-grid25').config).config
    const d = describeGenerator(config, await pointRangeOf(config, noSamples))
    expect(d.output.range[0]).toBeCloseTo(-4.15, 12)
    expect(d.output.range[1]).toBeCloseTo(4.15, 12)
    expect(d.output.rangeFrom).toMatch(/grid25 mixture's mode centres ± 3σ/)
  })

  it('a CSV deleted since training: the range of generated samples, and generator.json says why', async () => {
    const config = csvConfig(path.join(t.dir, 'gone.csv'))
    const generated = Float32Array.from([1, 2, -3, 0.5, 2, -1])
    const range = await pointRangeOf(config, async () => generated)
    expect(range.bounds).toEqual([
      [-3, 2],
      [-1, 2],
    ])
    expect(range.from).toMatch(/generated samples .*gone\.csv: no such file/)
  })

  it('point data needs a range; images keep [-1, 1]', () => {
    expect(() => describeGenerator(csvConfig('x.csv'))).toThrow(/needs its range/)
    const image = describeGenerator(validateExperiment(requirePreset('dcgan-mnist').config).config)
    expect(image.output).toMatchObject({ kind: 'image', range: [-1, 1] })
  })

  it('synth writes points as a CSV the csv dataset reads back exactly', () => {
    const values = Float32Array.from([0.1, -2.5, 3.75, 1e-7, -1.5, 4])
    const text = pointsCsv(values, 2)
    expect(text.split('\n')[0]).toBe('x,y')
    expect(parsePointsCsv(text, 'synth.csv')).toEqual(values)
  })
})
