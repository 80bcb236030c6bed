/**
 * The runs table's search over config values and `path=value` settings, and the export options
 * the dialog offers (with the reason for those it does not), against a real registry.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateExperiment } from '../../src-shared/config/validate'
import { requirePreset } from '../../src-shared/config/presets'
import { applyOverrides } from '../../src-shared/config/overrides'
import { exportOptions, assertExportable } from '../../src-main/export/export-options'
import { useTempRegistry } from '../helpers/temp-registry'
import { acganDiscriminatorBlurPool } from '../../src-shared/config/conditional-models'
import { createHandlers } from '../../src-main/app/services'
import type { RunManager } from '../../src-main/training/run-manager'

const config = (preset: string, overrides: string[] = []) =>
  validateExperiment(applyOverrides(requirePreset(preset).config, overrides)).config

describe('runs search', () => {
  const t = useTempRegistry()
  const ids = (search: string) =>
    t.registry
      .listRuns({ search })
      .map((r) => r.id)
      .sort((a, b) => a - b)

  it('finds runs by a config value, not by a config key', () => {
    const r = t.registry
    const ns = r.createRun({ config: config('mlp-2d-ring8'), name: 'ns', totalSteps: 1 })
    const mm = r.createRun({ config: config('mlp-2d-ring8', ['loss.generator=minimax']), name: 'mm', totalSteps: 1 })
    const lr = r.createRun({
      config: config('mlp-2d-ring8', ['optimizers.discriminator.learningRate=0.0002', 'tricks.softLabels=true']),
      name: 'lr',
      totalSteps: 1,
    })
    expect(ids('minimax')).toEqual([mm.id])
    expect(ids('0.0002')).toEqual([lr.id])
    // Every run has a generator and a training section: keys are not searched.
    expect(ids('generator')).toEqual([])
    expect(ids('batchSize')).toEqual([])
    // Booleans as true/false, not 1/0.
    expect(ids('softLabels=true')).toEqual([lr.id])
    expect(ids('softLabels=1')).toEqual([])
    expect(ids('softLabels=false')).toEqual([ns.id, mm.id])
    expect(ids('ns')).toContain(ns.id) // names still match ("ns" is also in "non-saturating")
  })

  it('matches path=value exactly, by a whole or trailing path, numbers by value', () => {
    const r = t.registry
    const ns = r.createRun({ config: config('mlp-2d-ring8'), totalSteps: 1 })
    const mm = r.createRun({ config: config('mlp-2d-ring8', ['loss.generator=minimax', 'training.batchSize=64']), totalSteps: 1 })
    expect(ids('loss.generator=minimax')).toEqual([mm.id])
    expect(ids('generator=non-saturating')).toEqual([ns.id])
    expect(ids('LOSS.GENERATOR=MINIMAX')).toEqual([mm.id]) // as people type: no case
    expect(ids('loss.generator=MINIMAX')).toEqual([mm.id]) // values are not
    expect(ids('batchSize=64')).toEqual([mm.id])
    expect(ids('batchSize=6.4e1')).toEqual([mm.id])
    expect(ids('batchSize=6')).toEqual([])
    expect(ids('nosuch.path=1')).toEqual([])
  })

  it('needs every word to match, each anywhere', () => {
    const r = t.registry
    const a = r.createRun({ config: config('mlp-2d-ring8', ['loss.generator=minimax']), name: 'baseline', totalSteps: 1 })
    r.createRun({ config: config('mlp-2d-ring8'), name: 'baseline-2', totalSteps: 1 })
    r.tag(a.id, ['keep'])
    expect(ids('baseline minimax')).toEqual([a.id])
    expect(ids('keep loss.generator=minimax')).toEqual([a.id])
    expect(ids('baseline   ')).toHaveLength(2)
    // LIKE wildcards stay literal in config values too.
    expect(ids('%')).toEqual([])
  })
})

describe('export options', () => {
  const t = useTempRegistry()
  /** A run with one checkpoint on record, from a preset (and overrides) or a config already built. */
  const checkpointed = (preset: string | ReturnType<typeof config>, overrides: string[] = []) => {
    const run = t.registry.createRun({ config: typeof preset === 'string' ? config(preset, overrides) : preset, totalSteps: 1 })
    const dir = path.join(t.dir, `ckpt-${run.id}`)
    fs.mkdirSync(dir)
    t.registry.addArtifact({ runId: run.id, kind: 'checkpoint', epoch: 1, step: 1, path: dir, sha256: 'x', bytes: 1 })
    return run
  }
  const byFormat = (id: number) => Object.fromEntries(exportOptions(t.registry, id).map((o) => [o.format, o]))

  it("offers D's features only for an image-only discriminator, and says why not otherwise", () => {
    const points = byFormat(checkpointed('mlp-2d-ring8').id)
    expect(points.tfjs).toMatchObject({ available: true, reason: null })
    expect(points.discriminator!.available).toBe(false)
    expect(points.discriminator!.reason).toMatch(/reads 2D points, not images/)
    expect(byFormat(checkpointed('dcgan-mnist').id).discriminator).toMatchObject({ available: true })
    const cgan = byFormat(checkpointed('cgan-mnist').id).discriminator!
    expect(cgan.available).toBe(false)
    expect(cgan.reason).toMatch(/also reads a label/)
  })

  it("offers a SavedModel only with TensorFlow's converter, and names no CLI flag in any reason", () => {
    const run = checkpointed('dcgan-mnist')
    const saved = process.env.GAN_WORKBENCH_TFJS_CONVERTER
    try {
      process.env.GAN_WORKBENCH_TFJS_CONVERTER = path.join(t.dir, 'no-such-converter')
      const off = byFormat(run.id).savedmodel!
      expect(off.available).toBe(false)
      expect(off.reason).toMatch(/pip install tensorflowjs/)
      expect(() => assertExportable(t.registry, run.id, 'savedmodel')).toThrow(/pip install tensorflowjs/)
      const fake = path.join(t.dir, 'tensorflowjs_converter')
      fs.writeFileSync(fake, '#!/bin/sh\n')
      process.env.GAN_WORKBENCH_TFJS_CONVERTER = fake
      expect(byFormat(run.id).savedmodel).toMatchObject({ available: true, reason: null })
    } finally {
      if (saved === undefined) delete process.env.GAN_WORKBENCH_TFJS_CONVERTER
      else process.env.GAN_WORKBENCH_TFJS_CONVERTER = saved
    }
    for (const id of [run.id, checkpointed('mlp-2d-ring8').id]) {
      for (const o of exportOptions(t.registry, id)) expect(o.reason ?? '', o.format).not.toMatch(/--\w/)
    }
  })

  it('refuses model files with a layer only the workbench can rebuild (blurPooling2d), naming it, and still offers the bundle', () => {
    const blurred = validateExperiment({ ...requirePreset('acgan-fashion-mnist').config, discriminator: acganDiscriminatorBlurPool }).config
    const run = checkpointed(blurred)
    const options = byFormat(run.id)
    // The generator has no such layer: its files export; D's features do not.
    expect(options.tfjs).toMatchObject({ available: true })
    expect(options.discriminator!.available).toBe(false)
    expect(options.discriminator!.reason).toMatch(
      /discriminator has layers only the workbench can rebuild \(conv_16_blur \(blurPooling2d\), .*export a bundle/,
    )
    expect(() => assertExportable(t.registry, run.id, 'discriminator')).toThrow(/conv_16_blur/)
    expect(options.bundle).toMatchObject({ available: true })
  })

  it('offers only the bundle before the first checkpoint', () => {
    const run = t.registry.createRun({ config: config('dcgan-mnist'), totalSteps: 1 })
    const opts = exportOptions(t.registry, run.id)
    expect(opts.filter((o) => o.available).map((o) => o.format)).toEqual(['bundle'])
    expect(opts.find((o) => o.format === 'tfjs')!.reason).toMatch(/no checkpoint yet/)
  })
})

describe('runs.eval', () => {
  const t = useTempRegistry()

  it('refuses a run still training (the Run page), and scores it when asked whileTraining (the CLI)', async () => {
    const h = createHandlers({ registry: t.registry, runs: {} as RunManager, home: t.dir, mode: 'server', remote: { coordinator: null } })
    const run = t.registry.createRun({ config: config('mlp-2d-ring8'), totalSteps: 1 })
    t.registry.setStatus(run.id, 'running')
    await expect(async () => h['runs.eval']({ id: run.id })).rejects.toThrow(`run ${run.id} is training; evaluate it when it has stopped`)
    // Past that gate, evaluateRun itself answers: this run has no checkpoint yet.
    await expect(async () => h['runs.eval']({ id: run.id, whileTraining: true })).rejects.toThrow(
      `run ${run.id} has no checkpoint to evaluate yet`,
    )
  })
})
