import { describe, expect, it } from 'vitest'
import { CSP, isAppUrl, isExternalLink, secureWebPreferences } from '../../src-main/electron/security'

describe('desktop window security settings', () => {
  it('isolates and sandboxes the renderer, with no Node in the page', () => {
    expect(secureWebPreferences('/p.js')).toMatchObject({
      preload: '/p.js', contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
    })
  })

  it('has a strict CSP: no inline or remote script, no eval, no framing', () => {
    expect(CSP).toContain("script-src 'self'")
    expect(CSP).toContain("default-src 'self'")
    expect(CSP).toContain("frame-ancestors 'none'")
    expect(CSP).not.toMatch(/unsafe-(inline|eval)|\*|https?:/)
  })

  it('trusts only app://workbench as a sender or navigation target', () => {
    expect(isAppUrl('app://workbench/index.html#/runs')).toBe(true)
    for (const url of ['app://evil/index.html', 'file:///etc/passwd', 'https://workbench/', 'http://127.0.0.1:7860/', 'app:workbench', '', undefined, null]) {
      expect(isAppUrl(url), String(url)).toBe(false)
    }
  })

  it('opens only https links externally', () => {
    expect(isExternalLink('https://example.org/paper.pdf')).toBe(true)
    for (const url of ['http://example.org', 'file:///bin/sh', 'javascript:alert(1)', 'smb://host/share', 'not a url']) expect(isExternalLink(url)).toBe(false)
  })
})
