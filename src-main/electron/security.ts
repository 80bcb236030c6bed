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

/** Links the user clicks may open in the system browser; nothing else leaves the app. */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:'
  } catch {
    return false
  }
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
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `a remote workbench is served over http or https, not ${u.protocol}` }
  if (u.username || u.password) return { error: 'the URL must not carry a user name or password' }
  if (!u.searchParams.get('token')) return { error: 'the URL has no token: use the full address `gan-workbench serve` printed (…/?token=…)' }
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
