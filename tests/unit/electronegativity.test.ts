/**
 * Doyensec's Electronegativity over the Electron main-process code. Every finding must be on the
 * allow-list below with the reason it does not apply; anything new fails the suite. (Its CLI
 * clashes with our commander 14, so its runner is called directly. It tries to fetch Electron's
 * release list and carries on without it when offline.)
 */
import path from 'node:path'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

interface Issue {
  id: string
  file: string
  location?: { line: number }
  description: string
}
type Run = (options: Record<string, unknown>) => Promise<{ issues: Issue[] }>
const run = createRequire(__filename)('@doyensec/electronegativity') as Run

/** Findings that are static-analysis false positives here, each with the reason and where it is checked. */
const ALLOWED: Record<string, string> = {
  CSP_GLOBAL_CHECK:
    'the CSP is sent as a header by the app:// protocol handler (src-main/app/csp.ts), asserted in electron-security.test.ts',
  CONTEXT_ISOLATION_JS_CHECK:
    'webPreferences come from secureWebPreferences() (contextIsolation: true), asserted in electron-security.test.ts',
  SANDBOX_JS_CHECK: 'sandbox: true in secureWebPreferences() and app.enableSandbox(), asserted in electron-security.test.ts',
  AUXCLICK_JS_CHECK: 'every navigation (will-navigate) and window.open (setWindowOpenHandler → deny) is refused in main.ts',
  OPEN_EXTERNAL_JS_CHECK:
    'openExternal only receives links externalLinkDecision() accepts (the main window, http or https) after the user confirms them; tested in electron-links.test.ts',
}

describe('Electronegativity', () => {
  it('finds nothing in the Electron main process beyond the justified allow-list', async () => {
    const input = path.join(__dirname, '..', '..', 'src-main', 'electron')
    const { issues } = await run({ input, isRelative: true, electronVersionOverride: '40.9.3' })
    const unexpected = issues
      .filter((i) => !(i.id in ALLOWED))
      .map((i) => `${i.id} at ${i.file}:${i.location?.line ?? 0}: ${i.description}`)
    expect(unexpected).toEqual([])
  }, 120_000)
})
