import { describe, expect, it } from 'vitest'
import {
  CSP,
  isAppUrl,
  isExternalLink,
  isSameOrigin,
  parseRemoteWorkbenchUrl,
  secureWebPreferences,
} from '../../src-main/electron/security'

describe('desktop window security settings', () => {
  it('isolates and sandboxes the renderer, with no Node in the page', () => {
    expect(secureWebPreferences('/p.js')).toMatchObject({
      preload: '/p.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
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
    for (const url of [
      'app://evil/index.html',
      'file:///etc/passwd',
      'https://workbench/',
      'http://127.0.0.1:7860/',
      'app:workbench',
      '',
      undefined,
      null,
    ]) {
      expect(isAppUrl(url), String(url)).toBe(false)
    }
  })

  it('lets only http(s) links without credentials leave the app', () => {
    expect(isExternalLink('https://example.org/paper.pdf')).toBe(true)
    expect(isExternalLink('http://example.org')).toBe(true)
    for (const url of [
      'file:///bin/sh',
      'javascript:alert(1)',
      'smb://host/share',
      'not a url',
      'https://u:p@example.org/',
      `https://example.org/${'a'.repeat(2050)}`,
    ])
      expect(isExternalLink(url)).toBe(false)
  })

  it('attaches only to a served workbench URL with its token, and keeps that window on its origin', () => {
    expect(parseRemoteWorkbenchUrl(' http://gpu-box:7860/?token=abc ')).toEqual({
      url: 'http://gpu-box:7860/?token=abc',
      origin: 'http://gpu-box:7860',
    })
    expect(parseRemoteWorkbenchUrl('https://10.0.0.5/?token=x')).toMatchObject({ origin: 'https://10.0.0.5' })
    for (const [url, why] of [
      ['gpu-box:7860', /http or https|not a URL/],
      ['file:///etc/passwd?token=a', /http or https/],
      ['http://gpu-box:7860/', /no token/],
      ['http://u:p@gpu-box/?token=a', /user name/],
      ['javascript:alert(1)', /http or https/],
    ] as const) {
      const r = parseRemoteWorkbenchUrl(url)
      expect('error' in r && r.error, url).toMatch(why)
    }
    expect(isSameOrigin('http://gpu-box:7860/#/runs', 'http://gpu-box:7860')).toBe(true)
    for (const url of ['http://gpu-box:7861/', 'https://gpu-box:7860/', 'http://evil/', 'app://workbench/index.html', 'nope'])
      expect(isSameOrigin(url, 'http://gpu-box:7860')).toBe(false)
  })
})
