/**
 * Export of trained generators: TensorFlow.js files + generator.json + model card; the sampler's
 * Node script reproduces `gan-workbench sample` in a fresh process; the sampler page draws offline
 * in Chromium with every network request blocked.
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/domain/run'
import type { ExportKind } from '../../src-shared/contract'
import { Registry } from '../../src-main/registry/registry'
import { thisProcess } from '../../src-main/util/process-identity'
import { exportOptions } from '../../src-main/export/export-options'
import { autoTrainingBackend, cli, lastJson, ROOT, sets } from '../helpers/cli'
import { withUi } from '../helpers/ui'
import { launchBrowser, screenshotPath, watchConsole } from '../helpers/browser'
import { tmpDir } from '../helpers/tmp'
import * as tf from '@tensorflow/tfjs'
import { fromTfjsFiles } from '../../src-main/util/tfjs-model'
import { CLASSIFIER_FILES, loadClassifier, sha256Hex, type ClassifierMeta } from '../../src-main/scoring/classifier'
import { classifierSplits, type ClassifierDataset } from '../../src-main/scoring/classifier-data'
import { datasetHash, FASHION_MNIST_DIR, TO_TANH_RANGE } from '../../src-main/datasets/image-datasets'
import { selectBackend } from '../../src-main/training/backend'
import { modeCoverage } from '../../src-shared/metrics/mode-coverage'
import { toy2dMixture } from '../../src-shared/datasets/toy2d'
import { itFull } from '../helpers/full'
import { available, skipUnless } from '../helpers/requirements'

let t: ReturnType<typeof tmpDir>
let home: string
let mlp: RunRecord
let acgan: RunRecord
let dcgan: RunRecord

beforeAll(() => {
  t = tmpDir('gwb-export-')
  home = path.join(t.dir, 'home')
  const train = (preset: string, extra: string[]) => {
    const r = cli(home, ['--json', 'train', '--preset', preset, ...sets('training.epochs=1', 'training.checkpointEvery=1'), ...extra])
    expect(r.code, r.stderr).toBe(0)
    return lastJson<RunRecord>(r)
  }
  mlp = train('mlp-2d-ring8', sets('training.stepsPerEpoch=20'))
  acgan = train('acgan-mnist', sets('training.stepsPerEpoch=2', 'training.batchSize=8', 'dataset.limit=64', 'training.evalSamples=0'))
  // Transposed convolutions and batch norm (moving statistics moved off their initial values).
  dcgan = train('dcgan-mnist-bn', sets('training.stepsPerEpoch=3', 'training.batchSize=8', 'dataset.limit=64', 'training.evalSamples=0'))
})
afterAll(() => t.cleanup())

/** What `export --format tfjs` writes (sorted): the model, its card, the loaders and a sample grid. */
const TFJS_EXPORT_FILES = [
  'MODEL_CARD.md',
  'generator.json',
  'load_generator.py',
  'model-card.json',
  'model.json',
  'samples.png',
  'weights.bin',
  'weights.npz',
]

describe('export', () => {
  it('tfjs: model.json + weights, generator.json describing the inputs, and a model card', () => {
    const out = path.join(t.dir, 'acgan-tfjs')
    const r = cli(home, ['--json', 'export', String(acgan.id), '--format', 'tfjs', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(lastJson<{ files: string[] }>(r).files).toEqual(TFJS_EXPORT_FILES)
    const desc = JSON.parse(fs.readFileSync(path.join(out, 'generator.json'), 'utf8'))
    expect(desc.inputs.map((i: { role: string }) => i.role)).toEqual(['latent', 'label'])
    expect(desc.inputs[1]).toMatchObject({ classes: 10, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] })
    expect(desc.output).toMatchObject({ shape: [28, 28, 1], range: [-1, 1], kind: 'image' })
    const card = JSON.parse(fs.readFileSync(path.join(out, 'model-card.json'), 'utf8'))
    expect(card).toMatchObject({ runId: acgan.id, conditioning: 'acgan', seed: 42, backend: autoTrainingBackend(home), step: 2 })
    expect(card.datasetSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(card.finalMetrics.classAccReal).toBeTypeOf('number')
    expect(fs.readFileSync(path.join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(/generator parameters \| 856,425/)
    // A non-empty folder is never replaced silently.
    const again = cli(home, ['export', String(acgan.id), '--format', 'tfjs', '--out', out])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/exists and is not empty: choose another --out, or pass --force/)
    expect(cli(home, ['export', String(acgan.id), '--format', 'tfjs', '--out', out, '--force']).code).toBe(0)
    expect(cli(home, ['export', String(acgan.id), '--format', 'onnx', '--out', out]).stderr).toMatch(
      /--format must be one of tfjs, sampler/,
    )
    expect(cli(home, ['export', String(acgan.id), '--format', 'tfjs', '--out', out, '--step', '7', '--force']).stderr).toMatch(
      /no checkpoint at step 7 \(it has: 2\)/,
    )
  })

  it("savedmodel: refused with what to install when TensorFlow's converter is missing; a failing converter leaves nothing behind", () => {
    const out = path.join(t.dir, 'acgan-savedmodel')
    const none = cli(home, ['export', String(acgan.id), '--format', 'savedmodel', '--out', out], {
      PATH: '/nonexistent',
      GAN_WORKBENCH_TFJS_CONVERTER: '',
    })
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/needs TensorFlow's converter \(tensorflowjs_converter\).*`pip install tensorflowjs`/)
    expect(none.stderr).not.toMatch(/\n\s+at /)
    expect(fs.existsSync(out)).toBe(false)
    const broken = path.join(t.dir, 'broken-converter.sh')
    fs.writeFileSync(broken, '#!/bin/sh\necho "ValueError: unsupported layer" >&2\nexit 3\n', { mode: 0o755 })
    const failed = cli(home, ['export', String(acgan.id), '--format', 'savedmodel', '--out', out], { GAN_WORKBENCH_TFJS_CONVERTER: broken })
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/failed \(exit 3\): ValueError: unsupported layer/)
    expect(fs.existsSync(out)).toBe(false)
    expect(fs.readdirSync(t.dir).filter((f) => f.includes('.tmp-'))).toEqual([])
  })

  it("a refused export prints the Export dialog's reason word for word, exits 1 without a stack trace, and writes nothing", async () => {
    // A queue run no worker took: recorded, never trained, so no checkpoint yet.
    const queued = cli(home, ['--json', 'train', '--preset', 'mlp-2d-ring8', '--target', 'queue'])
    expect(queued.code, queued.stderr).toBe(0)
    const fresh = lastJson<RunRecord>(queued)
    const noConverter = { PATH: '/nonexistent', GAN_WORKBENCH_TFJS_CONVERTER: path.join(t.dir, 'no-such-converter') }
    const cases: [RunRecord, ExportKind, NodeJS.ProcessEnv][] = [
      [mlp, 'discriminator', {}],
      [acgan, 'savedmodel', noConverter],
      [fresh, 'tfjs', {}],
      [fresh, 'sampler', {}],
    ]
    // What the UI's runs.exportOptions answers for each, read with the CLI's environment.
    const registry = await Registry.open(path.join(home, 'registry.sqlite'), { owner: thisProcess() })
    const saved = { ...process.env }
    let reasons: (string | null)[]
    try {
      reasons = cases.map(([run, format, env]) => {
        Object.assign(process.env, env)
        try {
          return exportOptions(registry, run.id).find((o) => o.format === format)!.reason
        } finally {
          for (const k of Object.keys(env)) {
            if (saved[k] === undefined) delete process.env[k]
            else process.env[k] = saved[k]
          }
        }
      })
    } finally {
      registry.close()
    }
    for (const [i, [run, format, env]] of cases.entries()) {
      const reason = reasons[i]
      expect(reason, `${format} of run ${run.id}`).toBeTruthy()
      const out = path.join(t.dir, `refused-${i}`)
      const r = cli(home, ['export', String(run.id), '--format', format, '--out', out], env)
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toBe(`gan-workbench: ${reason}\n`)
      expect(r.stdout).toBe('')
      expect(fs.existsSync(out)).toBe(false)
      // --json carries the same words for a program.
      const json = cli(home, ['--json', 'export', String(run.id), '--format', format, '--out', out], env)
      expect(json.code).toBe(1)
      expect(lastJson(json)).toEqual({ error: { code: 'conflict', message: reason } })
    }
  })

  it('sampler: its Node script, in a fresh process, draws exactly what `gan-workbench sample` draws', () => {
    const out = path.join(t.dir, 'mlp-sampler')
    expect(cli(home, ['export', String(mlp.id), '--format', 'sampler', '--out', out]).code).toBe(0)
    const script = spawnSync(
      process.execPath,
      [path.join(out, 'sample.mjs'), '--n', '16', '--seed', '5', '--out', path.join(t.dir, 'script.json')],
      { encoding: 'utf8', cwd: t.dir },
    )
    expect(script.status, script.stderr).toBe(0)
    expect(cli(home, ['sample', String(mlp.id), '--n', '16', '--seed', '5', '--out', path.join(t.dir, 'app.json')]).code).toBe(0)
    const fromScript = JSON.parse(fs.readFileSync(path.join(t.dir, 'script.json'), 'utf8')).values as number[]
    const fromApp = (JSON.parse(fs.readFileSync(path.join(t.dir, 'app.json'), 'utf8')).points as number[][]).flat()
    expect(fromScript).toHaveLength(32)
    fromScript.forEach((v, i) => expect(v).toBeCloseTo(fromApp[i]!, 4))
  })

  it('sampler page: draws what a link names (seed, class) in Chromium from file://, with every network request blocked', async () => {
    const out = path.join(t.dir, 'acgan-sampler')
    expect(cli(home, ['export', String(acgan.id), '--format', 'sampler', '--out', out]).code).toBe(0)
    const browser = await launchBrowser()
    try {
      const page = await browser.context.newPage()
      const errors = watchConsole(page)
      const attempts: string[] = []
      await browser.context.route('**/*', (route) => {
        const url = route.request().url()
        if (url.startsWith('file:')) return route.continue()
        attempts.push(url)
        return route.abort()
      })
      // A link naming the seed and class draws that first (one draw: headless Chromium without a
      // GPU runs WebGL in software, tens of seconds for a whole class × z grid).
      await page.goto(`${pathToFileURL(path.join(out, 'index.html')).href}?seed=7&label=3`)
      await page.waitForSelector('#status[data-drawn="7"]', { timeout: 120_000 })
      expect(await page.inputValue('#label')).toBe('3')
      fs.mkdirSync(path.join(ROOT, 'tests', 'output'), { recursive: true })
      await page.screenshot({ path: path.join(ROOT, 'tests', 'output', 'sampler-acgan.png') })
      // The canvas holds an image grid, not a blank rectangle.
      const spread = await page.evaluate(() => {
        const c = document.getElementById('out') as HTMLCanvasElement
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
        let min = 255
        let max = 0
        for (let i = 0; i < d.length; i += 4) {
          min = Math.min(min, d[i]!)
          max = Math.max(max, d[i]!)
        }
        return max - min
      })
      expect(spread).toBeGreaterThan(50)
      // The page draws what the Node script draws for the same seed and class (WebGL vs wasm: float noise).
      const pageValues = await page.evaluate(() => Array.from((window as unknown as { lastSamples: Float32Array }).lastSamples))
      const script = spawnSync(
        process.execPath,
        [path.join(out, 'sample.mjs'), '--n', '20', '--seed', '7', '--label', '3', '--out', path.join(t.dir, 'class3.json')],
        { encoding: 'utf8' },
      )
      expect(script.status, script.stderr).toBe(0)
      const scriptValues = JSON.parse(fs.readFileSync(path.join(t.dir, 'class3.json'), 'utf8')).values as number[]
      expect(pageValues).toHaveLength(scriptValues.length)
      expect(Math.max(...pageValues.map((v, i) => Math.abs(v - scriptValues[i]!)))).toBeLessThan(1e-3)
      expect(await page.textContent('#status')).toMatch(/20 samples, seed 7/)
      expect(attempts).toEqual([])
      expect(errors).toEqual([])
    } finally {
      await browser.close()
    }
  })
})

describe('discriminator → classifier', () => {
  it('export --format discriminator: D without its real/fake head, loaded afresh, gives features of the declared shape', async () => {
    const out = path.join(t.dir, 'acgan-d')
    const r = cli(home, ['--json', 'export', String(acgan.id), '--format', 'discriminator', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(lastJson<{ files: string[] }>(r).files).toEqual([
      'MODEL_CARD.md',
      'features.json',
      'load_generator.py',
      'model-card.json',
      'model.json',
      'weights.bin',
      'weights.npz',
    ])
    const desc = JSON.parse(fs.readFileSync(path.join(out, 'features.json'), 'utf8'))
    expect(desc.input).toMatchObject({ shape: [28, 28, 1], range: [-1, 1] })
    const model = await fromTfjsFiles({
      modelJson: fs.readFileSync(path.join(out, 'model.json'), 'utf8'),
      weights: fs.readFileSync(path.join(out, 'weights.bin')),
    })
    const y = model.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor
    expect(y.shape).toEqual([3, ...desc.output.shape])
    // Only D's body: no real/fake or class head among its layers.
    const layers = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).modelTopology.config.layers.map(
      (l: { name: string }) => l.name,
    )
    expect(layers.some((n: string) => /source|class/.test(n))).toBe(false)
    expect(fs.readFileSync(path.join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(/discriminator's feature extractor/)
    model.dispose()
    const toy = cli(home, ['export', String(mlp.id), '--format', 'discriminator', '--out', path.join(t.dir, 'mlp-d')])
    expect(toy.code).toBe(1)
    expect(toy.stderr).toMatch(/reads 2D points, not images: .*transfer learning needs an image discriminator/)
  })

  it('transfer: D fine-tuned beside the same network from scratch, stored as its own record and shown in the run view', async () => {
    const r = cli(home, ['--json', 'transfer', String(acgan.id), '--labels-per-class', '3,20', '--steps', '6'])
    expect(r.code, r.stderr).toBe(0)
    const record = lastJson<{
      id: number
      ganRunId: number
      status: string
      results: { rows: { labelsPerClass: number; trainCount: number; transfer: number; scratch: number }[]; testCount: number }
    }>(r)
    expect(record).toMatchObject({ ganRunId: acgan.id, status: 'completed' })
    expect(record.results.rows.map((x) => [x.labelsPerClass, x.trainCount])).toEqual([
      [3, 30],
      [20, 200],
    ])
    // Each accuracy is a count of the 2,000 held-out digits (that fine-tuning starts from D's
    // weights and the baseline from a random start is tests/unit/transfer.test.ts's).
    expect(record.results.testCount).toBe(2000)
    for (const row of record.results.rows) {
      for (const acc of [row.transfer, row.scratch]) {
        const correct = acc * record.results.testCount
        expect(correct).toBeCloseTo(Math.round(correct), 6)
        expect(correct).toBeGreaterThan(0)
        expect(correct).toBeLessThanOrEqual(record.results.testCount)
      }
    }
    const text = cli(home, ['transfer', String(mlp.id)])
    expect(text.code).toBe(1)
    expect(text.stderr).toMatch(/transfer needs a GAN trained on a built-in labelled dataset \(mnist, fashion-mnist\)/)
    const tooMany = cli(home, ['transfer', String(acgan.id), '--labels-per-class', '10,1000'])
    expect(tooMany.stderr).toMatch(/1000 labels per class is more than mnist's training split has of its rarest class \(\d+ images\)/)
    // Refused before anything is recorded; the GAN run lists its experiment.
    expect(lastJson<{ transfers: unknown[] }>(cli(home, ['--json', 'runs', 'show', String(mlp.id)])).transfers).toEqual([])
    expect(lastJson<{ transfers: unknown[] }>(cli(home, ['--json', 'runs', 'show', String(acgan.id)])).transfers).toHaveLength(1)
    const shown = cli(home, ['runs', 'show', String(acgan.id)]).stdout
    expect(shown).toMatch(/transfer \d+ from run \d+ \(checkpoint at step 2\), mnist: test accuracy on 2000 held-out images, 6 steps each/)

    await withUi(home, `/runs/${acgan.id}`, async (page) => {
      // The CLI's experiment is listed with the run.
      await page.waitForSelector('[data-testid=transfer-table]')
      expect(await page.textContent('[data-testid=transfer-table]')).toMatch(/3\s*30/)
      // A new one from the UI, with progress.
      await page.click('[data-testid=use-discriminator]')
      await page.fill('[data-testid=transfer-budgets]', '5')
      await page.fill('[data-testid=transfer-steps]', '4')
      await page.click('[data-testid=start-transfer]')
      await page.waitForSelector('[data-testid=transfer-progress]')
      await page.waitForSelector('[data-testid=start-transfer]', { state: 'detached', timeout: 120_000 })
      await page.waitForFunction(() => document.querySelector('[data-testid=transfer-table] tbody')?.textContent?.includes('50'))
      await page.locator('[data-testid=transfer-panel]').screenshot({ path: screenshotPath('ui-transfer.png') })
      // Make dataset: labelled samples in datasets/, with the config that trains on them.
      await page.click('[data-testid=make-dataset]')
      await page.fill('[data-testid=synth-n]', '40')
      await page.click('[data-testid=start-synth]')
      await page.waitForSelector('[data-testid=synth-result]', { timeout: 60_000 })
      const shown = await page.textContent('[data-testid=synth-result]')
      expect(shown).toMatch(/40 samples in .*datasets.*labels: the class each sample was drawn for; per class 4 4 4 4 4 4 4 4 4 4/)
      expect(shown).toContain('"name":"mnist-idx"')
    })
  })
})

describe('export from the UI', () => {
  it('the Export dialog shows progress, writes into exports/, and the browser downloads a bundle that imports elsewhere', async () => {
    await withUi(home, `/runs/${acgan.id}`, async (page, server) => {
      await page.click('[data-testid=export-run]')
      await page.check('[data-testid=export-bundle]')
      await page.click('[data-testid=start-export]')
      await page.waitForSelector('[data-testid=export-result]', { timeout: 60_000 })
      expect(await page.textContent('[data-testid=export-progress]')).toMatch(/done/)
      expect(await page.textContent('[data-testid=export-result]')).toContain(path.join(home, 'exports'))
      await page.screenshot({ path: screenshotPath('ui-export-dialog.png') })
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-download]')])
      const file = path.join(t.dir, 'downloaded.gwbundle')
      await download.saveAs(file)
      // The downloaded bundle is a whole run: it imports into an empty data dir with its metrics.
      const elsewhere = path.join(t.dir, 'elsewhere')
      const imported = cli(elsewhere, ['--json', 'import', file])
      expect(imported.code, imported.stderr).toBe(0)
      expect(lastJson<RunRecord>(imported)).toMatchObject({ name: acgan.name, step: acgan.step })
      // A generator export: a folder in exports/, and a zip of it to download.
      await page.check('[data-testid=export-tfjs]')
      await page.click('[data-testid=start-export]')
      await page.waitForSelector('[data-testid=export-download]:has-text(".zip")', { timeout: 60_000 })
      const [zip] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-download]')])
      const zipFile = path.join(t.dir, 'generator.zip')
      await zip.saveAs(zipFile)
      const { unzipSync } = await import('fflate')
      const names = Object.keys(unzipSync(fs.readFileSync(zipFile)))
        .map((n) => n.split('/').slice(1).join('/'))
        .sort()
      expect(names).toEqual(TFJS_EXPORT_FILES)
      // SavedModel without TensorFlow's converter: not offered, and the dialog says what to install.
      expect(await page.isDisabled('[data-testid=export-savedmodel]')).toBe(true)
      expect(await page.textContent('[data-testid=export-why-savedmodel]')).toMatch(/pip install tensorflowjs/)
      // The download route: only names the dialog makes, only with the token.
      const exported = fs.readdirSync(path.join(home, 'exports')).find((f) => f.endsWith('.gwbundle'))!
      expect((await fetch(`${server.origin}/exports/${exported}`)).status).toBe(401)
      const auth = { headers: { Cookie: `gwb_token=${server.token}` } }
      expect((await fetch(`${server.url.replace('/?', `/exports/${exported}?`)}`)).status).toBe(200)
      for (const bad of ['..%2Fregistry.sqlite', '%2E%2E/registry.sqlite', 'registry.sqlite', `${exported}%00.zip`]) {
        expect((await fetch(`${server.url.replace('/?', `/exports/${bad}?`)}`, auth)).status).toBe(404)
      }
    })
  })
})

/** Debian's python3 (python3-torch); a pyenv python3 first on PATH has no torch. */
const PYTHON = process.env.GWB_PYTHON ?? '/usr/bin/python3'
const torchMissing = !available(
  'torch',
  spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0
    ? undefined
    : `python export test: ${PYTHON} cannot import torch and numpy (apt-get install python3-torch python3-numpy)`,
)

describe.skipIf(torchMissing)('export → Python', () => {
  async function compare(run: RunRecord, name: string, extraInputs: (n: number) => number[][][]) {
    const out = path.join(t.dir, name)
    expect(cli(home, ['export', String(run.id), '--format', 'tfjs', '--out', out]).code).toBe(0)
    const n = 6
    const dim = run.config.latent.dim
    const z = Array.from({ length: n }, (_, i) => Array.from({ length: dim }, (_, j) => Math.sin(i * 7.1 + j * 1.3) * 1.5))
    const inputs = [z, ...extraInputs(n)]
    fs.writeFileSync(path.join(t.dir, `${name}-in.json`), JSON.stringify({ inputs }))
    // Python: the loader shipped in the export folder, run from there (as a user would).
    const py = spawnSync(
      PYTHON,
      ['load_generator.py', '.', '--inputs', path.join(t.dir, `${name}-in.json`), '--out', path.join(t.dir, `${name}-py.json`)],
      { cwd: out, encoding: 'utf8' },
    )
    expect(py.status, py.stderr).toBe(0)
    const fromPython = JSON.parse(fs.readFileSync(path.join(t.dir, `${name}-py.json`), 'utf8')) as { shape: number[]; values: number[] }
    // TensorFlow.js: the exported files loaded afresh in this process.
    const model = await fromTfjsFiles({
      modelJson: fs.readFileSync(path.join(out, 'model.json'), 'utf8'),
      weights: fs.readFileSync(path.join(out, 'weights.bin')),
    })
    const y = model.predict(inputs.map((a) => tf.tensor(a))) as tf.Tensor
    const fromTfjs = Array.from(y.dataSync())
    expect(fromPython.shape).toEqual(y.shape)
    const maxDiff = Math.max(...fromTfjs.map((v, i) => Math.abs(v - fromPython.values[i]!)))
    expect(maxDiff).toBeLessThan(1e-4)
    // Not a constant image: the comparison means something.
    expect(Math.max(...fromTfjs) - Math.min(...fromTfjs)).toBeGreaterThan(0.01)
    model.dispose()
  }

  it('load_generator.py rebuilds a transposed-conv + batch-norm generator in PyTorch: same images for the same z', async () => {
    await compare(dcgan, 'dcgan-py', () => [])
  })

  it('and a graph generator with a label embedding multiplied into z (AC-GAN)', async () => {
    await compare(acgan, 'acgan-py', (n) => [Array.from({ length: n }, (_, i) => [i % 10])])
  })
})

describe('the evaluation classifiers (resources/classifiers)', () => {
  // meta.json's figures are what eval reports and the docs quote: re-measured here, not trusted.
  const measure = async (dataset: ClassifierDataset) => {
    const dir = path.join(ROOT, 'resources', 'classifiers', dataset)
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ClassifierMeta
    expect(Object.keys(meta.files).sort()).toEqual([...CLASSIFIER_FILES].sort())
    for (const file of CLASSIFIER_FILES)
      expect(sha256Hex(fs.readFileSync(path.join(dir, file))), `${dataset}/${file}`).toBe(meta.files[file])
    const { test } = classifierSplits(dataset)
    expect([test.count, datasetHash(test)]).toEqual([meta.testCount, meta.testSha256])
    const before = tf.getBackend()
    await selectBackend('auto', { convolutional: true })
    const classifier = (await loadClassifier(dataset))!
    try {
      const { probs } = await classifier.embed(
        Float32Array.from(test.images, (p) => TO_TANH_RANGE[p]!),
        test.count,
      )
      let correct = 0
      for (let i = 0; i < test.count; i++) {
        const row = probs.subarray(i * 10, i * 10 + 10)
        if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++
      }
      return { meta, accuracy: correct / test.count }
    } finally {
      classifier.dispose()
      if (before) await tf.setBackend(before) // none yet when this is the file's first use of tfjs
    }
  }

  it('MNIST: the files are those meta.json names (SHA-256), and it scores its accuracy again on the 2,000 held-out digits', async () => {
    const { meta, accuracy } = await measure('mnist')
    expect(accuracy).toBeGreaterThan(0.95)
    expect(Math.abs(accuracy - meta.testAccuracy)).toBeLessThan(0.005)
  })

  it('Fashion-MNIST: the same on its 10,000 test images', async (ctx) => {
    skipUnless(
      ctx,
      'fashion-mnist',
      fs.existsSync(FASHION_MNIST_DIR) ? undefined : `${FASHION_MNIST_DIR} is missing (apt-get install dataset-fashion-mnist)`,
    )
    const { meta, accuracy } = await measure('fashion-mnist')
    expect(accuracy).toBeGreaterThan(0.88)
    expect(Math.abs(accuracy - meta.testAccuracy)).toBeLessThan(0.005)
  })
})

describe('eval', () => {
  it('2D: mode coverage and diversity on a fixed sample count and seed, stored with the run', () => {
    const r = cli(home, ['--json', 'eval', String(mlp.id), '--samples', '500'])
    expect(r.code, r.stderr).toBe(0)
    const report = lastJson<{ samples: number; seed: number; metrics: Record<string, number> }>(r)
    expect(report).toMatchObject({ samples: 500, seed: 1234 })
    expect(report.metrics.modes).toBe(8)
    // The coverage is that of the fixed samples: `sample` with the same count and seed draws the same
    // points, and the 1 % rule over them gives the reported figures.
    const drawn = path.join(t.dir, 'eval-points.json')
    expect(cli(home, ['sample', String(mlp.id), '--n', '500', '--seed', '1234', '--out', drawn]).code).toBe(0)
    const points = (JSON.parse(fs.readFileSync(drawn, 'utf8')) as { points: [number, number][] }).points.flat()
    const ring = toy2dMixture('ring8')
    const coverage = modeCoverage(points, ring.centres, ring.std)
    // A short run captures few modes, so the counts per mode are compared, not only their total.
    const app = (report as unknown as { modeProtocols: { id: string; perMode: number[] }[] }).modeProtocols.find((p) => p.id === 'app')!
    expect(app.perMode).toEqual(coverage.perMode)
    expect(report.metrics.modesCaptured).toBe(coverage.modesCaptured)
    expect(report.metrics.highQuality).toBeCloseTo(coverage.highQuality, 10)
    expect(report.metrics.diversity).toBeGreaterThan(0)
    // D's confusion matrix on the same 500 real and 500 generated points.
    const d = (
      report as unknown as {
        discriminator: { truePositives: number; falseNegatives: number; trueNegatives: number; falsePositives: number }
      }
    ).discriminator
    expect(d.truePositives + d.falseNegatives).toBe(500)
    expect(d.trueNegatives + d.falsePositives).toBe(500)
    expect(report.metrics.dAccuracy).toBeCloseTo((d.truePositives + d.trueNegatives) / 1000, 10)
    const again = lastJson<{ metrics: Record<string, number> }>(cli(home, ['--json', 'eval', String(mlp.id), '--samples', '500']))
    expect(again.metrics).toEqual(report.metrics) // same samples, same seed, same numbers
    // --seed reaches runs.eval: another latent seed, reported as such, draws what `sample` draws with it.
    const seeded = lastJson<{ seed: number; modeProtocols: { id: string; perMode: number[] }[] }>(
      cli(home, ['--json', 'eval', String(mlp.id), '--samples', '500', '--seed', '7']),
    )
    expect(seeded.seed).toBe(7)
    const drawn7 = path.join(t.dir, 'eval-points-7.json')
    expect(cli(home, ['sample', String(mlp.id), '--n', '500', '--seed', '7', '--out', drawn7]).code).toBe(0)
    const points7 = (JSON.parse(fs.readFileSync(drawn7, 'utf8')) as { points: [number, number][] }).points.flat()
    expect(seeded.modeProtocols.find((p) => p.id === 'app')!.perMode).toEqual(modeCoverage(points7, ring.centres, ring.std).perMode)
    const shown = JSON.parse(cli(home, ['--json', 'runs', 'show', String(mlp.id)]).stdout)
    expect(shown.lastMetrics['eval.modesCaptured']).toBe(report.metrics.modesCaptured)
    // The papers' protocol beside the workbench's, labelled; per epoch too.
    const labelled = report as unknown as { modeProtocols: { id: string; label: string }[]; modes: { from: string } }
    expect(labelled.modeProtocols.map((p) => p.id)).toEqual(['pacgan', 'box', 'app'])
    expect(labelled.modes.from).toMatch(/ring8 mixture/)
    expect(report.metrics.pacganModes).toBeGreaterThanOrEqual(report.metrics.modesCaptured!)
    expect(shown.lastMetrics.pacganModes).toBeTypeOf('number')
    expect(shown.lastMetrics.pacganHighQuality).toBeTypeOf('number')
    expect(shown.lastMetrics.boxHighQuality).toBeGreaterThanOrEqual(shown.lastMetrics.pacganHighQuality)
    fs.writeFileSync(path.join(t.dir, 'centres.csv'), '0,0\n')
    expect(cli(home, ['eval', String(acgan.id), '--modes', path.join(t.dir, 'centres.csv'), '--std', '1']).stderr).toMatch(
      /mode centres are for point runs/,
    )
  })

  it("images: Fréchet distance, IS-style score, precision/recall, class balance, classes present and label accuracy in the classifier's feature space", () => {
    const r = cli(home, ['--json', 'eval', String(acgan.id), '--samples', '200'])
    expect(r.code, r.stderr).toBe(0)
    const report = lastJson<{
      classifier: { dataset: string; testAccuracy: number }
      metrics: Record<string, number>
      classHistogram: { generated: number[] }
    }>(r)
    expect(report.classifier.dataset).toBe('mnist')
    expect(report.classifier.testAccuracy).toBeGreaterThan(0.95)
    for (const k of [
      'frechetDistance',
      'inceptionScore',
      'inceptionScoreReal',
      'precision',
      'recall',
      'classTV',
      'classesPresent',
      'labelAccuracy',
    ])
      expect(report.metrics[k], k).toBeTypeOf('number')
    expect(
      Number.isInteger(report.metrics.classesPresent) && report.metrics.classesPresent! >= 0 && report.metrics.classesPresent! <= 10,
    ).toBe(true)
    // Two training steps: far from the data (real digits score a high IS; noise does not).
    expect(report.metrics.frechetDistance).toBeGreaterThan(1)
    expect(report.metrics.inceptionScoreReal).toBeGreaterThan(report.metrics.inceptionScore!)
    expect(report.classHistogram.generated).toHaveLength(10)
    expect(report.classHistogram.generated.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6)
    // D as a classifier: its accuracy is that of its confusion matrix over the scored images.
    const d = (
      report as unknown as {
        discriminator: { accuracy: number; truePositives: number; falseNegatives: number; trueNegatives: number; falsePositives: number }
      }
    ).discriminator
    const real = d.truePositives + d.falseNegatives
    expect(real).toBeGreaterThan(0)
    expect(d.trueNegatives + d.falsePositives).toBe(real)
    expect(d.accuracy).toBeCloseTo((d.truePositives + d.trueNegatives) / (2 * real), 10)
    expect(cli(home, ['eval', String(acgan.id), '--samples', '5']).stderr).toMatch(/--samples must be a whole number from 50 to 10000/)
  })
})

describe('generated data', () => {
  it('synth writes a labelled IDX dataset that trains a GAN, and a PNG class-folder dataset', () => {
    const out = path.join(t.dir, 'synth-idx')
    const r = cli(home, ['--json', 'synth', String(acgan.id), '--n', '40', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    expect(lastJson<{ labels: string; perClass: number[] }>(r)).toMatchObject({
      labels: 'requested',
      perClass: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
    })
    const train = cli(home, [
      '--json',
      'train',
      '--preset',
      'dcgan-mnist',
      ...sets(
        `dataset={"kind":"image","name":"mnist-idx","dir":${JSON.stringify(out)}}`,
        'training.epochs=1',
        'training.stepsPerEpoch=1',
        'training.batchSize=8',
      ),
    ])
    expect(train.code, train.stderr).toBe(0)
    const png = path.join(t.dir, 'synth-png')
    expect(cli(home, ['synth', String(acgan.id), '--n', '20', '--format', 'png', '--out', png]).code).toBe(0)
    expect(fs.readdirSync(png).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'labels.csv'])
    expect(fs.readFileSync(path.join(png, 'labels.csv'), 'utf8').split('\n')[1]).toBe('0/000000.png,0')
    // A point run's samples are points: IDX or PNG are refused, naming the format that fits.
    expect(cli(home, ['synth', String(mlp.id), '--n', '5', '--format', 'idx', '--out', path.join(t.dir, 'x')]).stderr).toMatch(
      /makes points: they are written as CSV/,
    )
  })

  it('synth of a translator (edges → digit) labels its digits with the MNIST classifier', () => {
    const trained = cli(home, [
      '--json',
      'train',
      '--preset',
      'pix2pix-mnist-edges',
      ...sets('training.epochs=1', 'training.stepsPerEpoch=1', 'training.batchSize=8', 'training.evalSamples=0'),
    ])
    expect(trained.code, trained.stderr).toBe(0)
    const r = cli(home, ['--json', 'synth', String(lastJson<RunRecord>(trained).id), '--n', '20', '--out', path.join(t.dir, 'synth-p2p')])
    expect(r.code, r.stderr).toBe(0)
    const report = lastJson<{ labels: string; perClass: number[] }>(r)
    expect(report.labels).toBe('classifier')
    expect(report.perClass.reduce((a, b) => a + b, 0)).toBe(20)
  })

  itFull('cas: a classifier trained on generated images only, tested on real ones, beside the real-data baseline', () => {
    const r = cli(home, ['--json', 'cas', String(acgan.id), '--samples', '1000', '--epochs', '2'])
    expect(r.code, r.stderr).toBe(0)
    const report = lastJson<{ cas: number; realBaseline: number; testCount: number }>(r)
    expect(report.testCount).toBe(2000)
    expect(report.cas).toBeGreaterThanOrEqual(0)
    expect(report.cas).toBeLessThanOrEqual(1)
    // 1,000 real digits (32 Adam steps) already teach the small CNN well; a two-step generator's
    // samples teach it next to nothing (seen: 200 real digits, 4 steps, stayed at chance, 10 %).
    expect(report.realBaseline).toBeGreaterThan(0.5)
    expect(report.realBaseline).toBeGreaterThan(report.cas + 0.2)
    expect(cli(home, ['cas', String(mlp.id)]).stderr).toMatch(/not class-conditional/)
  })
})
