/**
 * The desktop's links out and permissions (issue 22): `shell.openExternal` was reachable from any
 * window, attached remote workbenches included, with no confirmation, and only permission
 * requests (not checks) were denied. The Electron binary is not on this machine, so the decision
 * functions main.ts calls are tested here (generated openers and URLs), and main.ts is checked to
 * route every link and every session through them.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  confirmedExternalLink,
  externalLinkDecision,
  externalLinkDialog,
  GRANTED_PERMISSIONS,
  permissionAllowed,
} from '../../src-main/electron/security'
import { triedCounter } from '../helpers/tried'

const SEED = Number(process.env.FUZZ_SEED ?? 20261124)
const tried = triedCounter('Electron links and permissions')

/** The rule, written independently: main window on our UI, http(s), no user or password, at most 2,048 characters. */
function shouldConfirm(isMainWindow: boolean, pageUrl: string, url: string): boolean {
  if (!isMainWindow || !pageUrl.startsWith('app://workbench/')) return false
  if (url.length > 2048) return false
  let href: string
  try {
    href = new URL(url).href // what the browser itself would open ('https:example.org' is https://example.org/)
  } catch {
    return false
  }
  const m = /^(https?):\/\/([^/?#]*)/i.exec(href)
  if (!m) return false
  return m[2] !== '' && !m[2]!.includes('@')
}

describe('links out of the desktop app', () => {
  const pages = fc.constantFrom(
    'app://workbench/index.html#/runs',
    'http://gpu-box:7860/?token=abc',
    'https://evil.example/',
    'app://evil/index.html',
    'about:blank',
    'devtools://devtools/',
  )
  const urls = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('http', 'https', 'HTTPS', 'file', 'javascript', 'smb', 'data', 'app', 'ms-settings', 'vscode', 'ftp'),
        fc.constantFrom('', 'user:pw@', 'user@'),
        fc.constantFrom('example.org', 'gpu-box:7860', '127.0.0.1', ''),
        fc.constantFrom('/', '/paper.pdf', '/?q=1#x', `/${'a'.repeat(2100)}`),
      )
      .map(([scheme, creds, host, rest]) => `${scheme}://${creds}${host}${rest}`),
    fc.constantFrom('javascript:alert(1)', 'file:///etc/passwd', 'not a url', '', 'https:example.org'),
    fc.webUrl(),
  )

  it('generated openers and URLs: only the main window on our UI, only http(s), always after a confirmation', () => {
    let confirmed = 0
    const mark = tried.total
    fc.assert(
      fc.property(fc.boolean(), pages, urls, (isMainWindow, pageUrl, url) => {
        tried.add()
        const d = externalLinkDecision({ isMainWindow, pageUrl }, url)
        expect(d.action, `${isMainWindow} ${pageUrl} ${url.slice(0, 80)}`).toBe(
          shouldConfirm(isMainWindow, pageUrl, url) ? 'confirm' : 'deny',
        )
        if (d.action === 'confirm') {
          confirmed++
          expect(/^https?:\/\//.test(d.url)).toBe(true)
          const dialog = externalLinkDialog(d.url)
          expect(dialog.detail.startsWith(d.url)).toBe(true)
          expect(dialog.buttons[dialog.defaultId]).toBe('Cancel')
          expect(dialog.buttons[dialog.cancelId]).toBe('Cancel')
        }
      }),
      { numRuns: 300, seed: SEED },
    )
    tried.expectSince(mark, 300)
    expect(confirmed).toBeGreaterThan(10)
  })

  it('an attached remote workbench never opens links, even https ones; plain http says it is unencrypted', () => {
    expect(externalLinkDecision({ isMainWindow: false, pageUrl: 'http://gpu-box:7860/?token=abc' }, 'https://example.org/')).toMatchObject({
      action: 'deny',
    })
    tried.add()
    expect(externalLinkDecision({ isMainWindow: true, pageUrl: 'app://workbench/index.html' }, 'https://arxiv.org/abs/1406.2661')).toEqual({
      action: 'confirm',
      url: 'https://arxiv.org/abs/1406.2661',
    })
    expect(externalLinkDialog('http://example.org/').detail).toMatch(/not encrypted/)
    expect(externalLinkDialog('https://example.org/').detail).not.toMatch(/not encrypted/)
    expect([0, 1, -1, 2].map(confirmedExternalLink)).toEqual([true, false, false, false])
  })

  it('permissions: every one denied, whether requested or checked', () => {
    const known = [
      'clipboard-read',
      'clipboard-sanitized-write',
      'display-capture',
      'fullscreen',
      'geolocation',
      'idle-detection',
      'media',
      'mediaKeySystem',
      'midi',
      'midiSysex',
      'notifications',
      'pointerLock',
      'keyboardLock',
      'openExternal',
      'speaker-selection',
      'storage-access',
      'top-level-storage-access',
      'window-management',
      'fileSystem',
      'hid',
      'serial',
      'usb',
      'bluetooth',
      'unknown',
    ]
    expect(GRANTED_PERMISSIONS).toEqual([])
    const mark = tried.total
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...known), fc.string()), (p) => {
        tried.add()
        expect(permissionAllowed(p)).toBe(false)
      }),
      { numRuns: 100, seed: SEED + 1 },
    )
    tried.expectSince(mark, 100)
  })

  it('main.ts routes every window-open through the decision and the dialog, and denies permissions on every session it makes', () => {
    const main = fs.readFileSync(path.join(__dirname, '..', '..', 'src-main', 'electron', 'main.ts'), 'utf8')
    // One call to shell.openExternal, after the user confirmed a link the decision accepted.
    expect(main.match(/shell\.openExternal\(/g)).toHaveLength(1)
    expect(main).toMatch(
      /const decision = externalLinkDecision\(\{ isMainWindow: mainWindows\.has\(contents\.id\), pageUrl: contents\.getURL\(\) \}, url\)\n\s+if \(decision\.action === 'deny'\) return[\s\S]+?if \(confirmedExternalLink\(response\)\) await shell\.openExternal\(decision\.url\)/,
    )
    expect(main).toMatch(/setWindowOpenHandler\(\(\{ url \}\) => \{\n\s+void openExternalLink\(contents, url\)/)
    // Both handlers, on the default session and on each remote window's own session.
    expect(main).toMatch(
      /function denyPermissions\(s: Session\): void \{\n\s+s\.setPermissionRequestHandler\(\(_wc, permission, callback\) => callback\(permissionAllowed\(permission\)\)\)\n\s+s\.setPermissionCheckHandler\(\(_wc, permission\) => permissionAllowed\(permission\)\)/,
    )
    expect(main).toMatch(/denyPermissions\(session\.defaultSession\)/)
    expect(main).toMatch(/const remoteSession = session\.fromPartition\([^)]*\)\n\s+denyPermissions\(remoteSession\)/)
    // Only windows made by createWindow (our UI) count as main windows.
    expect(main.match(/mainWindows\.add\(/g)).toHaveLength(1)
    expect(main).toMatch(/function createWindow\(\): BrowserWindow \{[\s\S]+?mainWindows\.add\(id\)/)
  })
})
