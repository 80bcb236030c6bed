import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** Debian's Chromium (never a downloaded browser build): CHROMIUM_PATH, else `which chromium`. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim()
    } catch {
      // try the next name
    }
  }
  throw new Error('Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH')
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** A headless Chromium with a fresh profile; close() also removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gwb-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  })
  return {
    context,
    close: async () => {
      await context.close()
      fs.rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}

/** Collects console errors and page errors, so a suite can assert there were none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  return errors
}

export const SCREENSHOTS = path.resolve(__dirname, '..', 'output')
export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOTS, { recursive: true })
  return path.join(SCREENSHOTS, name)
}
