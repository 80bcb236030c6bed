/** Users' own data: CSV points and image folders, with a clear error for every bad input. */
import fs from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import jpeg from 'jpeg-js'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parsePointsCsv, readPointsCsv } from '../../src-main/datasets/csv-points'
import { loadImageFolder, resizeGrey } from '../../src-main/datasets/image-folder'
import { createDataSource } from '../../src-main/datasets/create-data-source'
import { validateExperiment } from '../../src-shared/config/validate'
import { applyOverrides } from '../../src-shared/config/overrides'
import { requirePreset } from '../../src-shared/config/presets'
import { selectBackend } from '../../src-main/training/backend'
import { VanillaGan } from '../../src-main/training/vanilla-gan'
import { readMetrics } from '../../src-main/training/step-metrics'
import { tmpDir } from '../helpers/tmp'
import { Registry } from '../../src-main/registry/registry'
import { datasetIdentity } from '../../src-main/datasets/dataset-identity'
import { thisProcess } from '../../src-main/util/process-identity'

function png(width: number, height: number, grey: (x: number, y: number) => number, alpha = 255): Buffer {
  const img = new PNG({ width, height })
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x)
      img.data[i] = img.data[i + 1] = img.data[i + 2] = grey(x, y)
      img.data[i + 3] = alpha
    }
  return PNG.sync.write(img)
}

function jpg(width: number, height: number, value: number): Buffer {
  const data = Buffer.alloc(width * height * 4, value)
  return Buffer.from(jpeg.encode({ data, width, height }, 95).data)
}

let t: ReturnType<typeof tmpDir>
afterEach(() => t?.cleanup())
beforeAll(async () => {
  await selectBackend('auto')
})

describe('CSV points', () => {
  it('reads x, y rows with a header, blank lines, comments and any of , ; tab', () => {
    expect(Array.from(parsePointsCsv('x,y\n1,2\n\n# note\n3;4\n5\t-6.5\n', 'a.csv'))).toEqual([1, 2, 3, 4, 5, -6.5])
  })

  it('names the file and the line of a bad row, and refuses an empty file', () => {
    expect(() => parsePointsCsv('1,2\n3,oops\n', 'a.csv')).toThrowError('a.csv: line 2: expected two numbers (x, y), got "3,oops"')
    expect(() => parsePointsCsv('1,2,3\n', 'a.csv')).toThrowError('a.csv: line 1: expected two columns (x, y), got 3')
    expect(() => parsePointsCsv('x,y\n', 'a.csv')).toThrowError('a.csv: no points')
    expect(() => readPointsCsv('/nonexistent/p.csv')).toThrowError('/nonexistent/p.csv: no such file')
  })

  it('trains the MLP GAN on a CSV of points', async () => {
    t = tmpDir()
    const file = path.join(t.dir, 'points.csv')
    fs.writeFileSync(file, 'x,y\n' + Array.from({ length: 200 }, (_, i) => `${Math.cos(i)},${Math.sin(i)}`).join('\n'))
    const config = validateExperiment(
      applyOverrides(requirePreset('mlp-2d-ring8').config, [
        `dataset={"kind":"csv","file":${JSON.stringify(file)}}`,
        'training.batchSize=16',
      ]),
    ).config
    const gan = new VanillaGan(config, createDataSource(config.dataset, 1))
    const m = await readMetrics(gan.trainStep(0, 0))
    expect(Number.isFinite(m.dLoss)).toBe(true)
    gan.dispose()
  })
})

describe('image folders', () => {
  it('loads PNG and JPEG of mixed sizes and channels, grey and 28×28, labelled by subfolder', () => {
    t = tmpDir()
    fs.mkdirSync(path.join(t.dir, 'cats'))
    fs.mkdirSync(path.join(t.dir, 'dogs', 'more'), { recursive: true })
    fs.writeFileSync(
      path.join(t.dir, 'cats', 'a.png'),
      png(56, 56, () => 255),
    )
    fs.writeFileSync(
      path.join(t.dir, 'cats', 'b.png'),
      png(10, 7, () => 255, 0),
    ) // transparent: black
    fs.writeFileSync(path.join(t.dir, 'dogs', 'c.jpg'), jpg(40, 30, 128))
    fs.writeFileSync(
      path.join(t.dir, 'dogs', 'more', 'd.png'),
      png(28, 28, (x) => (x < 14 ? 0 : 255)),
    )
    fs.writeFileSync(path.join(t.dir, '.DS_Store'), 'ignored')
    const d = loadImageFolder(t.dir, { labelsFromFolders: true, classes: 2 })
    expect(d.count).toBe(4)
    expect([d.width, d.height]).toEqual([28, 28])
    expect(Array.from(d.labels)).toEqual([0, 0, 1, 1])
    expect(d.images[0]).toBe(255)
    expect(d.images[784]).toBe(0)
    expect(Math.abs(d.images[2 * 784]! - 128)).toBeLessThanOrEqual(3) // JPEG is lossy
    expect([d.images[3 * 784], d.images[3 * 784 + 27]]).toEqual([0, 255])
  })

  it('names the file for non-image, empty and corrupt files, and checks the class count', () => {
    t = tmpDir()
    fs.writeFileSync(
      path.join(t.dir, 'a.png'),
      png(4, 4, () => 0),
    )
    fs.writeFileSync(path.join(t.dir, 'notes.txt'), 'hello')
    expect(() => loadImageFolder(t.dir)).toThrowError(`${path.join(t.dir, 'notes.txt')}: not a PNG or JPEG image`)
    fs.rmSync(path.join(t.dir, 'notes.txt'))
    fs.writeFileSync(path.join(t.dir, 'empty.png'), '')
    expect(() => loadImageFolder(t.dir)).toThrowError(`${path.join(t.dir, 'empty.png')}: empty file (0 bytes)`)
    fs.writeFileSync(path.join(t.dir, 'empty.png'), png(4, 4, () => 0).subarray(0, 30))
    expect(() => loadImageFolder(t.dir)).toThrowError(new RegExp(`empty\\.png: not a readable PNG image`))
    fs.rmSync(path.join(t.dir, 'empty.png'))
    expect(() => loadImageFolder(t.dir, { labelsFromFolders: true, classes: 2 })).toThrowError(/must be inside a class subfolder/)
    expect(() => loadImageFolder(path.join(t.dir, 'nope'))).toThrowError(/no such directory/)
  })

  it('resizes by area averaging', () => {
    // A 4×4 checkerboard of 0/255 averages to mid-grey at 2×2.
    const src = Float32Array.from({ length: 16 }, (_, i) => (((i % 4) + Math.floor(i / 4)) % 2 ? 255 : 0))
    expect(Array.from(resizeGrey(src, 4, 4, 2))).toEqual([128, 128, 128, 128])
  })

  it('a conditional GAN on a labelled folder must state its classes', () => {
    const cgan = requirePreset('cgan-mnist').config
    expect(() => validateExperiment(applyOverrides(cgan, ['dataset={"kind":"folder","dir":"/x","labelsFromFolders":true}']))).toThrowError(
      /dataset\.classes: with labelsFromFolders/,
    )
  })
})

describe('datasets registry', () => {
  it('registers data once by content: the same images under another folder share a row, a changed pixel does not', async () => {
    t = tmpDir()
    const write = (dir: string, tweak = 0) => {
      for (const [i, cls] of ['0', '1', '1'].entries()) {
        fs.mkdirSync(path.join(dir, cls), { recursive: true })
        fs.writeFileSync(
          path.join(dir, cls, `img${i}.png`),
          png(28, 28, (x, y) => (x * 9 + y * i + (i === 2 ? tweak : 0)) % 256),
        )
      }
    }
    write(path.join(t.dir, 'a'))
    write(path.join(t.dir, 'copy-of-a'))
    write(path.join(t.dir, 'b'), 1)
    const registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
    try {
      const ids = ['a', 'copy-of-a', 'b'].map((name) => {
        const config = validateExperiment(
          applyOverrides(requirePreset('dcgan-mnist').config, [
            `dataset={"kind":"folder","dir":${JSON.stringify(path.join(t.dir, name))},"labelsFromFolders":true,"classes":2}`,
          ]),
        ).config
        const run = registry.createRun({ config, totalSteps: 1 })
        return registry.registerDataset(run.id, config, datasetIdentity(config.dataset)).id
      })
      expect(ids[0]).toBe(ids[1])
      expect(ids[2]).not.toBe(ids[0])
      const all = registry.listDatasets()
      expect(all.map((d) => [d.runs, d.count, d.contentHash])).toEqual([
        [2, 3, true],
        [1, 3, true],
      ])
      expect(all[0]!.sha256).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      registry.close()
    }
  })
})

describe('paired image folders', () => {
  function pairs(dir: string, n: number) {
    for (let i = 0; i < n; i++) {
      const sub = i % 2 ? 'odd' : 'even'
      fs.mkdirSync(path.join(dir, 'A', sub), { recursive: true })
      fs.mkdirSync(path.join(dir, 'B', sub), { recursive: true })
      // B is A inverted, at another size: a pair is recognisable after loading.
      fs.writeFileSync(
        path.join(dir, 'A', sub, `${i}.png`),
        png(28, 28, (x, y) => (x * 7 + y * 3 + i * 20) % 256),
      )
      fs.writeFileSync(
        path.join(dir, 'B', sub, `${i}.png`),
        png(56, 56, (x, y) => 255 - ((Math.floor(x / 2) * 7 + Math.floor(y / 2) * 3 + i * 20) % 256)),
      )
    }
  }

  it('pairs A/x with B/x: every condition batch matches its target batch, and pix2pix trains on it', async () => {
    t = tmpDir()
    pairs(t.dir, 6)
    const config = validateExperiment(
      applyOverrides(requirePreset('pix2pix-mnist-edges').config, [
        `dataset={"kind":"paired","dir":${JSON.stringify(t.dir)}}`,
        'training.batchSize=4',
      ]),
    ).config
    const source = createDataSource(config.dataset, 3)
    expect(source.size).toBe(6)
    const a = source.conditions!(5, 0, 4).dataSync()
    const b = source.batch(5, 0, 4).dataSync()
    // Inverted pixels: b = -a in the [-1, 1] range (to rounding of the 2×2 averaging).
    for (let i = 0; i < a.length; i++) expect(b[i]!).toBeCloseTo(-a[i]!, 1)
    const gan = new VanillaGan(config, source)
    const m = await readMetrics(gan.trainStep(0, 0))
    expect(Number.isFinite(m.gLoss)).toBe(true)
    gan.dispose()
  })

  it('names the file without a partner, and a missing side', () => {
    t = tmpDir()
    pairs(t.dir, 3)
    fs.writeFileSync(
      path.join(t.dir, 'A', 'even', 'extra.png'),
      png(28, 28, () => 0),
    )
    const config = (dir: string) =>
      validateExperiment(
        applyOverrides(requirePreset('pix2pix-mnist-edges').config, [`dataset={"kind":"paired","dir":${JSON.stringify(dir)}}`]),
      ).config.dataset
    expect(() => createDataSource(config(t.dir), 1)).toThrowError(
      `${path.join(t.dir, 'A', 'even', 'extra.png')} has no partner ${path.join(t.dir, 'B', 'even', 'extra.png')}`,
    )
    expect(() =>
      validateExperiment(
        applyOverrides(requirePreset('pix2pix-mnist-edges').config, [
          `dataset={"kind":"paired","task":"mnist-edges","dir":${JSON.stringify(t.dir)}}`,
        ]),
      ),
    ).toThrowError(/dataset\.task: give either a built-in task or a dir of paired images \(A\/ and B\/\), not both/)
    fs.mkdirSync(path.join(t.dir, 'lonely', 'A'), { recursive: true })
    expect(() => createDataSource(config(path.join(t.dir, 'lonely')), 1)).toThrowError(
      `${path.join(t.dir, 'lonely', 'B')}: no such directory (a paired folder holds A/ with the conditions and B/ with the targets)`,
    )
  })
})
