/**
 * The peer figure of the DCGAN reproductions: a PyTorch rebuild of a workbench image recipe
 * (bench/torch_gan_rebuild.py: the same networks, initialisers, losses and Adam settings), trained
 * for the same steps on the same images, its samples scored by the workbench's own
 * `eval --samples-file` code (1,000 samples, the evaluation classifier's feature space).
 *
 *   npx tsx bench/peer-fd.ts PRESET STEPS SEED [key=value …] [--threads N] [--every K]
 *   e.g. npx tsx bench/peer-fd.ts dcgan-radford-mnist 1884 1
 * --every K also scores the samples after every K steps (one JSON line each, the last one the
 * final), to follow the peer's trajectory; the training is the same with or without it.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { requirePreset } from '../src-shared/config/presets'
import { applyOverrides } from '../src-shared/config/overrides'
import type { ExperimentConfig } from '../src-shared/config/experiment'
import { loadImageDataset } from '../src-main/datasets/image-catalog'
import { TO_TANH_RANGE } from '../src-main/datasets/image-datasets'
import { evaluateSamplesFile } from '../src-main/metrics/external-samples'
import { peerEnv } from './peer-env'

const PYTHON = '/usr/bin/python3'

async function main(argv: string[]): Promise<number> {
  const threadsAt = argv.indexOf('--threads')
  const threads = threadsAt >= 0 ? Number(argv.splice(threadsAt, 2)[1]) : 2
  const everyAt = argv.indexOf('--every')
  const every = everyAt >= 0 ? Number(argv.splice(everyAt, 2)[1]) : 0
  const [preset, stepsText, seedText, ...overrides] = argv
  const steps = Number(stepsText)
  const seed = Number(seedText)
  if (!preset || !Number.isInteger(steps) || steps < 1 || !Number.isInteger(seed) || !Number.isInteger(every) || every < 0) {
    process.stderr.write('usage: npx tsx bench/peer-fd.ts PRESET STEPS SEED [key=value …] [--threads N] [--every K]\n')
    return 2
  }
  if (!fs.existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import torch']).status !== 0) {
    process.stderr.write(`needs Debian's PyTorch (${PYTHON} with python3-torch)\n`)
    return 2
  }
  const config = applyOverrides(requirePreset(preset).config, overrides) as ExperimentConfig
  if (config.dataset.kind !== 'image') throw new Error(`${preset} does not train on images`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gwb-peer-fd-'))
  try {
    const data = loadImageDataset(config.dataset)
    const images = Float32Array.from(data.images.subarray(0, data.count * 784), (p) => TO_TANH_RANGE[p]!)
    fs.writeFileSync(path.join(dir, 'images.f32'), Buffer.from(images.buffer))
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config))
    const samples = path.join(dir, 'samples.npy')
    const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'torch_gan_rebuild.py')
    const args = [
      script,
      path.join(dir, 'config.json'),
      '--data',
      path.join(dir, 'images.f32'),
      '--steps',
      String(steps),
      '--seed',
      String(seed),
    ]
    const env = peerEnv(threads)
    const run = spawnSync(PYTHON, [...args, '--out', samples, '--n', '1000', '--threads', String(threads), '--every', String(every)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
      encoding: 'utf8',
    })
    if (run.status !== 0) throw new Error(`the PyTorch rebuild failed (exit ${run.status})`)
    const timing = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>
    const scored = every > 0 ? Array.from({ length: Math.ceil(steps / every) - 1 }, (_, i) => (i + 1) * every) : []
    for (const at of [...scored, steps]) {
      const report = await evaluateSamplesFile(at === steps ? samples : samples.replace(/\.npy$/, `.${at}.npy`), config.dataset.name)
      const line = {
        preset,
        overrides,
        steps: at,
        seed,
        peer: 'PyTorch rebuild (bench/torch_gan_rebuild.py)',
        ...(at === steps ? timing : {}),
      }
      process.stdout.write(`${JSON.stringify({ ...line, metrics: report.metrics, classesPresent: report.classesPresent })}\n`)
    }
    return 0
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`peer-fd: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  },
)
