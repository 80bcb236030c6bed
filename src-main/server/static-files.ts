/** Serves the built renderer from one directory, refusing any path that would leave it. */
import fs from 'node:fs'
import path from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
}

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps a URL path to a file under `root`, or null when it would escape it (`..`, encoded
 * separators, NUL) or does not exist. Unknown paths without an extension map to index.html so
 * client-side routes survive a reload.
 */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const rootResolved = path.resolve(root)
  const candidate = path.resolve(rootResolved, `.${path.posix.normalize(`/${decoded}`)}`)
  if (candidate !== rootResolved && !candidate.startsWith(rootResolved + path.sep)) return null
  try {
    const real = fs.realpathSync(candidate)
    if (real !== rootResolved && !real.startsWith(fs.realpathSync(rootResolved) + path.sep)) return null
    if (fs.statSync(real).isFile()) return real
  } catch {
    // fall through to the SPA fallback
  }
  if (path.extname(decoded) === '') {
    const index = path.join(rootResolved, 'index.html')
    return fs.existsSync(index) ? index : null
  }
  return null
}
