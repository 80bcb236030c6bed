/**
 * The desktop window, driven by Playwright's Electron support. Needs the Electron binary, which
 * is downloaded from the internet (never here): without it these specs skip and say why.
 */
import path from 'node:path'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core'
import { electronStatus } from '../../src-main/app/electron-status'
import { ROOT, serve } from '../helpers/cli'
import { screenshotPath } from '../helpers/browser'
import { tmpDir } from '../helpers/tmp'

const status = electronStatus()
const nativeBinding = status.version
  ? path.join(ROOT, '.cache', 'electron-native', `electron-${status.version}`, 'better_sqlite3.node')
  : ''
const ready = status.available && fs.existsSync(nativeBinding)
const why = !status.available
  ? `no Electron binary: ${status.reason}`
  : `better-sqlite3 is not built for Electron yet (run \`npm start\` once online to build ${nativeBinding})`

if (!ready) console.warn(`[electron e2e] SKIPPED: ${why}. The same UI is covered in Chromium by tests/e2e/ui.test.ts.`)

describe.skipIf(!ready)('desktop window (Electron)', () => {
  let app: ElectronApplication
  let page: Page
  let t: ReturnType<typeof tmpDir>

  beforeAll(async () => {
    t = tmpDir('gwb-electron-')
    app = await electron.launch({ executablePath: status.binary, args: [ROOT, '--home', t.dir], cwd: ROOT })
    page = await app.firstWindow()
  })
  afterAll(async () => {
    await app?.close()
    t?.cleanup()
  })

  it('loads the UI from app:// with the security settings on', async () => {
    await page.getByTestId('connection').filter({ hasText: 'connected' }).waitFor()
    expect(page.url()).toMatch(/^app:\/\/workbench\//)
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents
      // getLastWebPreferences is how Electron exposes the effective settings.
      const p = (wc as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences()
      return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration }
    })
    expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false })
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined')
    expect(await page.evaluate(() => Object.keys((window as unknown as { ganWorkbench: object }).ganWorkbench).sort())).toEqual([
      'invoke',
      'onEvent',
    ])
  })

  it('denies navigation away from the app and new windows', async () => {
    await page.evaluate(() => window.open('https://example.com'))
    expect(app.windows()).toHaveLength(1)
    await page.evaluate(() => (window.location.href = 'https://example.com')).catch(() => {})
    await page.waitForTimeout(300)
    expect(page.url()).toMatch(/^app:\/\/workbench\//)
  })

  it('starts a 2D run and shows it live', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'New run' }).click()
    await page.getByTestId('epochs').fill('2')
    await page.getByTestId('start-run').click()
    await page
      .getByTestId('status')
      .filter({ hasText: /running|completed/ })
      .waitFor()
    await page.getByTestId('status').filter({ hasText: 'completed' }).waitFor({ timeout: 120_000 })
    await page.screenshot({ path: screenshotPath('electron-run.png') })
  })

  it('attaches to a remote workbench in a window of its own, without the bridge to this machine', async () => {
    const remote = await serve(path.join(t.dir, 'remote-home'))
    try {
      await page.getByRole('navigation').getByRole('link', { name: 'System' }).click()
      await page.getByLabel('Remote workbench URL').fill(remote.url)
      const opened = app.waitForEvent('window')
      await page.getByRole('button', { name: 'Attach' }).click()
      const win = await opened
      await win.getByTestId('connection').filter({ hasText: 'connected' }).waitFor()
      expect(new URL(win.url()).origin).toBe(remote.origin)
      expect(await win.evaluate(() => typeof (window as unknown as { ganWorkbench?: object }).ganWorkbench)).toBe('undefined')
      await win.evaluate(() => (window.location.href = 'https://example.com')).catch(() => {})
      await win.waitForTimeout(300)
      expect(new URL(win.url()).origin).toBe(remote.origin)
      await win.close()
    } finally {
      await remote.stop()
    }
  })
})
