/**
 * The desktop window's security settings, kept free of Electron imports so tests can assert them
 * (Electron's security checklist: isolation, sandbox, no Node in the page, own origin, CSP).
 */
import { contentSecurityPolicy } from '../app/csp'

export const APP_SCHEME = 'app'
export const APP_ORIGIN = 'app://workbench'

export const CSP = contentSecurityPolicy()

export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  } as const
}

/** Only our own UI may call the services or be navigated to. */
export function isAppUrl(url: string | undefined | null): boolean {
  if (typeof url !== 'string') return false
  try {
    const u = new URL(url)
    return u.protocol === `${APP_SCHEME}:` && u.host === 'workbench'
  } catch {
    return false
  }
}

/** Links that may leave the app for the system browser: http(s), no credentials in them, of a sane length. */
export function isExternalLink(url: string): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false
  try {
    const u = new URL(url)
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && u.hostname !== ''
  } catch {
    return false
  }
}

/** Who asks to open a link: the page's webContents and what it shows. */
export interface LinkOpener {
  /** It is the desktop's own window (app://workbench), not an attached remote workbench or anything else. */
  isMainWindow: boolean
  /** What that webContents shows now. */
  pageUrl: string
}

export type ExternalLinkDecision = { action: 'deny'; reason: string } | { action: 'confirm'; url: string }

/**
 * A request to open `url` outside the app (window.open, a target=_blank link). Only the main
 * window, showing our own UI, may ask — an attached remote workbench is another machine's page —
 * only for an http(s) link, and the user confirms it first (see `externalLinkDialog`).
 */
export function externalLinkDecision(opener: LinkOpener, url: string): ExternalLinkDecision {
  if (!opener.isMainWindow || !isAppUrl(opener.pageUrl))
    return { action: 'deny', reason: 'only the main window may open links outside the app' }
  if (!isExternalLink(url)) return { action: 'deny', reason: 'only http and https links open outside the app' }
  return { action: 'confirm', url: new URL(url).toString() }
}

/** The confirmation shown before a link leaves the app (Electron's MessageBoxOptions); Cancel is the default. */
export function externalLinkDialog(url: string) {
  const plain = new URL(url).protocol === 'http:'
  return {
    type: 'question' as const,
    buttons: ['Open in browser', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    title: 'Open link',
    message: 'Open this link in your web browser?',
    detail: `${url}${plain ? '\n\nThis link is not encrypted (http).' : ''}`,
    noLink: true,
  }
}

/** The dialog's answer: only the explicit "Open in browser" button opens it. */
export const confirmedExternalLink = (response: number): boolean => response === 0

/** Permissions any page of ours may use or ask for: none (camera, geolocation, notifications, clipboard, …). */
export const GRANTED_PERMISSIONS: readonly string[] = []

/** For setPermissionRequestHandler and setPermissionCheckHandler alike: denied unless granted above. */
export function permissionAllowed(permission: string): boolean {
  return GRANTED_PERMISSIONS.includes(permission)
}

/**
 * A remote workbench to attach to: the URL `gan-workbench serve` prints (http or https, with its
 * `token`). Returns its origin, or a message saying what is wrong with it.
 */
export function parseRemoteWorkbenchUrl(text: string): { url: string; origin: string } | { error: string } {
  let u: URL
  try {
    u = new URL(text.trim())
  } catch {
    return { error: 'not a URL: paste the address `gan-workbench serve` printed, e.g. http://gpu-box:7860/?token=…' }
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { error: `a remote workbench is served over http or https, not ${u.protocol}` }
  if (u.username || u.password) return { error: 'the URL must not carry a user name or password' }
  if (!u.searchParams.get('token'))
    return { error: 'the URL has no token: use the full address `gan-workbench serve` printed (…/?token=…)' }
  return { url: u.toString(), origin: u.origin }
}

/** A remote workbench window may move within its own origin only. */
export function isSameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin
  } catch {
    return false
  }
}
