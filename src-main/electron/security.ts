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
