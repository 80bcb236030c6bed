/**
 * The model builder in Debian Chromium against server mode: the Keras-style pair's exact counts,
 * editing a layer with live counts, undo/redo, a palette layer pinned with its error (and the
 * launch refused), connecting by dragging handles, a saved template, a run launched with the
 * edited generator, that run's architecture opened read-only, and a clone of it.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { cli, lastJson, serve } from '../helpers/cli'
import { launchBrowser, screenshotPath, watchConsole } from '../helpers/browser'
import { tmpDir } from '../helpers/tmp'
import { analyzeGraph, editableFromSpec } from '../../src-shared/model/graph-analysis'
import { requirePreset } from '../../src-shared/config/presets'
import type { RunRecord } from '../../src-shared/domain/run'

let t: ReturnType<typeof tmpDir>
let home: string
let context: BrowserContext
let closeBrowser: () => Promise<void>
let page: Page
let consoleErrors: string[]
let server: Awaited<ReturnType<typeof serve>>

/** G's parameter count with its first transposed convolution at `filters` (computed by the shared analysis). */
function generatorParamsWith(filters: number): number {
  const g = editableFromSpec(requirePreset('dcgan-mnist').config.generator, 'latent')
  g.nodes.find((n) => n.name === 'conv2dTranspose')!.layer.filters = filters
  return analyzeGraph(g).summary!.totalParams
}

const fmt = (n: number) => n.toLocaleString('en-US')

beforeAll(async () => {
  t = tmpDir('gwb-builder-')
  home = path.join(t.dir, 'home')
  ;({ context, close: closeBrowser } = await launchBrowser())
  page = await context.newPage()
  consoleErrors = watchConsole(page)
  server = await serve(home)
})
afterAll(async () => {
  await closeBrowser?.()
  await server?.stop()
  t.cleanup()
})

describe('model builder', () => {
  const total = (side: 'generator' | 'discriminator') => page.getByTestId(`total-${side}`).textContent()
  const node = (name: string) => page.getByTestId(`node-${name}`)

  it('shows the Keras-style pair with its exact counts, and edits, undoes and redoes a layer with live counts', async () => {
    await page.goto(`${server.url}#/builder`)
    await expect.poll(() => total('generator')).toBe('1,164,289')
    expect(await total('discriminator')).toBe('40,705')
    expect(await node('conv2dTranspose_2').getByTestId('node-shape').textContent()).toBe('[28, 28, 128]')
    await page.screenshot({ path: screenshotPath('ui-builder-generator.png') })

    await node('conv2dTranspose').click()
    await page.getByTestId('field-filters').fill('64')
    await page.getByTestId('field-filters').press('Enter')
    const edited = generatorParamsWith(64)
    await expect.poll(() => total('generator')).toBe(fmt(edited))
    await page.getByTestId('undo').click()
    await expect.poll(() => total('generator')).toBe('1,164,289')
    await page.getByTestId('redo').click()
    await expect.poll(() => total('generator')).toBe(fmt(edited))
    // The Delete key removes a layer with its edges; one Ctrl+Z brings all of it back.
    await node('activation_2').click()
    await page.keyboard.press('Delete')
    await expect.poll(() => node('activation_2').count()).toBe(0)
    expect(await page.getByTestId('problems-generator').textContent()).toContain('⚠')
    await page.keyboard.press('Control+z')
    await expect.poll(() => node('activation_2').count()).toBe(1)
    expect(await page.getByTestId('problems-generator').count()).toBe(0)
    expect(await total('generator')).toBe(fmt(edited))
  })

  it("pins an unconnected layer's error on it and refuses the launch; connecting by drag moves the error on; Delete removes it", async () => {
    await page.getByTestId('tab-discriminator').click()
    await page
      .getByTestId('builder-canvas')
      .locator('.vue-flow__pane')
      .click({ position: { x: 5, y: 5 } }) // nothing selected
    await page.getByTestId('palette-dense').click()
    await expect.poll(() => node('dense_2').getByTestId('node-error').textContent()).toContain('not connected')
    expect(await page.getByTestId('use-in-run').isDisabled()).toBe(true)
    expect(await page.getByTestId('problems-discriminator').textContent()).toContain('1')
    await page.screenshot({ path: screenshotPath('ui-builder-error.png') })

    // Drag from flatten's output handle to the new layer's input handle.
    await node('flatten').locator('.vue-flow__handle-bottom').dragTo(node('dense_2').locator('.vue-flow__handle-top'))
    await expect.poll(() => node('dense_2').getByTestId('node-error').textContent()).toContain('feeds no output')
    expect(await node('dense_2').getByTestId('node-shape').textContent()).toBe('[128]')

    await node('dense_2').click()
    await page.getByTestId('delete-node').click()
    await expect.poll(() => node('dense_2').count()).toBe(0)

    // A palette layer dragged onto the canvas lands there, unconnected.
    await page.getByTestId('palette-dropout').dragTo(page.getByTestId('builder-canvas'), { targetPosition: { x: 80, y: 80 } })
    await expect.poll(() => node('dropout_3').getByTestId('node-error').textContent()).toContain('not connected')
    await node('dropout_3').click()
    await page.getByTestId('delete-node').click()
    await expect.poll(() => node('dropout_3').count()).toBe(0)
    expect(await page.getByTestId('use-in-run').isDisabled()).toBe(false)
    expect(await total('discriminator')).toBe('40,705')
  })

  it('saves the edited pair as a template that loads again after a reload', async () => {
    await page.getByTestId('template-name').fill('narrow-g')
    await page.getByTestId('save-template').click()
    await expect.poll(() => page.getByTestId('builder-message').textContent()).toBe('saved as template "narrow-g"')
    await page.reload()
    await page.getByTestId('start-from').selectOption('preset:dcgan-mnist')
    await expect.poll(() => total('generator')).toBe('1,164,289')
    await page.getByTestId('start-from').selectOption('template:narrow-g')
    await expect.poll(() => total('generator')).toBe(fmt(generatorParamsWith(64)))
    expect(await page.getByTestId('builder-source').textContent()).toBe('from template narrow-g')
  })

  it('launches a run with the edited generator, whose architecture then opens read-only', async () => {
    await page.getByTestId('use-in-run').click()
    await page.getByTestId('builder-models').waitFor()
    await expect.poll(() => page.getByTestId('model-summary').textContent()).toContain(fmt(generatorParamsWith(64)))
    await page.getByTestId('run-name').fill('from-builder')
    await page.getByTestId('epochs').fill('1')
    await page.getByTestId('steps-per-epoch').fill('1')
    await page.getByTestId('start-run').click()
    await page.waitForURL(/#\/runs\/\d+$/)
    const id = Number(page.url().split('/').pop())
    const shown = lastJson<RunRecord>(cli(home, ['--json', 'runs', 'show', String(id)]))
    const g = shown.config.generator as { nodes: { name: string; layer: { filters?: number } }[] }
    expect(g.nodes.find((n) => n.name === 'conv2dTranspose')!.layer.filters).toBe(64)
    await page.getByTestId('architecture').click()
    await page.getByTestId('read-only').waitFor()
    await expect.poll(() => total('generator')).toBe(fmt(generatorParamsWith(64)))
    expect(await page.getByTestId('palette-dense').isDisabled()).toBe(true)
    expect(await page.getByTestId('use-in-run').count()).toBe(0)
    await page.screenshot({ path: screenshotPath('ui-builder-read-only.png') })
    cli(home, ['stop', String(id)])
    // Clone: the launcher starts from the run's whole config, its edited generator included.
    await page.goto(`${server.url}#/runs/${id}`)
    await page.getByTestId('clone-run').click()
    await expect.poll(() => page.locator('.preset.active').textContent()).toContain(`Clone of run ${id}`)
    await expect.poll(() => page.getByTestId('model-summary').textContent()).toContain(fmt(generatorParamsWith(64)))
    expect(await page.getByTestId('run-name').inputValue()).toBe('from-builder-clone')
  })

  it('logged no console errors', () => {
    expect(consoleErrors).toEqual([])
  })
})
