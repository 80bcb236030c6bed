/**
 * The `app://workbench/` protocol serving the built renderer: a real origin for the UI (not
 * `file://`), with a strict CSP on every response and no way out of the renderer directory.
 */
import fs from 'node:fs'
import { protocol } from 'electron'
import { contentType, resolveStatic } from '../server/static-files'
import { APP_SCHEME, CSP, isAppUrl } from './security'

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
}

export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (!isAppUrl(request.url)) return new Response('Not found', { status: 404 })
    const file = resolveStatic(rendererDir, url.pathname)
    if (!file) return new Response('Not found', { status: 404 })
    return new Response(await fs.promises.readFile(file), {
      headers: { 'Content-Type': contentType(file), 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' },
    })
  })
}
