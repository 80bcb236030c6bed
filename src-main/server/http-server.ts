/**
 * Server mode: the built UI over HTTP and the contract over a WebSocket, for a browser on this
 * machine (or, with an explicit --host, on a trusted network). Every request needs the token.
 */
import http from 'node:http'
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventName, ServerFrame } from '../../src-shared/contract'
import type { Dispatch } from '../ipc/dispatch'
import { allowedOrigins, COOKIE, hostAllowed, newToken, originAllowed, presentedToken, tokenMatches } from './auth'
import { contentType, resolveStatic } from './static-files'
import { contentSecurityPolicy } from '../app/csp'
import { sendFrame, serveChannel } from './ws-channel'

export interface ServerOptions {
  host: string
  port: number
  staticDir: string
  dispatch: Dispatch
  subscribe: (listener: (name: EventName, data: unknown) => void) => () => void
  /** Files under `/exports/<name>` (made by the UI's Export dialog): the path, or null when not one. */
  resolveDownload?: (name: string) => string | null
  /** Queue workers' routes under /remote/ (a coordinator's), which check their own job tokens. */
  remote?: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void>
  token?: string
}

export interface RunningServer {
  url: string
  token: string
  port: number
  close(): Promise<void>
}

const MAX_FRAME_BYTES = 4 * 1024 * 1024

function send(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return void res.destroy()
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  res.end(body)
}

/** The request's URL, or null when it cannot be parsed (`GET //` is valid HTTP and an invalid URL). */
function requestUrl(req: http.IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost')
  } catch {
    return null
  }
}

/** Streams a file; a read error (the file vanished, is unreadable) ends that response, not the server. */
function pipeFile(file: string, res: http.ServerResponse): void {
  const stream = fs.createReadStream(file)
  stream.on('error', () => (res.headersSent ? res.destroy() : send(res, 404, 'Not found.')))
  stream.pipe(res)
}

/** A request that cannot be served is answered (400/500) and logged, never thrown at the server. */
function guard(res: http.ServerResponse, handle: () => unknown): void {
  const fail = (e: unknown) => {
    process.stderr.write(`server: a request failed: ${e instanceof Error ? e.message : String(e)}\n`)
    send(res, 500, 'Internal error.')
  }
  try {
    const pending = handle()
    if (pending instanceof Promise) pending.catch(fail)
  } catch (e) {
    fail(e)
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken()
  let origins = allowedOrigins(options.host, options.port)

  const server = http.createServer((req, res) =>
    guard(res, () => {
      const url = requestUrl(req)
      if (!url) return send(res, 400, 'Bad request: the URL cannot be parsed.')
      if (!hostAllowed(origins, req, options.host)) return send(res, 421, 'Misdirected request: unexpected Host header.')
      if (!originAllowed(origins, req, options.host)) return send(res, 403, 'Forbidden: cross-origin request.')
      if (url.pathname.startsWith('/remote/')) {
        if (!options.remote) return send(res, 404, 'Not found: this server coordinates no job queue.')
        return options.remote(req, res, url)
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.')
      const presented = presentedToken(req, url)
      if (!tokenMatches(token, presented)) {
        return send(res, 401, 'GAN Workbench: open the URL printed by `gan-workbench serve` (it carries the access token).')
      }
      if (url.pathname.startsWith('/exports/')) {
        const download = options.resolveDownload?.(url.pathname.slice('/exports/'.length)) ?? null
        if (!download) return send(res, 404, 'Not found.')
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': `attachment; filename="${encodeURIComponent(download.split(/[\\/]/).pop()!)}"`,
          'Content-Length': fs.statSync(download).size,
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-store',
        })
        if (req.method === 'HEAD') return res.end()
        return pipeFile(download, res)
      }
      const file = resolveStatic(options.staticDir, url.pathname)
      if (!file) return send(res, 404, 'Not found.')
      const headers: http.OutgoingHttpHeaders = {
        'Content-Type': contentType(file),
        'Content-Security-Policy': contentSecurityPolicy([`ws://${req.headers.host ?? `${options.host}:${options.port}`}`]),
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': file.endsWith('.html') ? 'no-store' : 'max-age=3600',
      }
      if (url.searchParams.has('token')) {
        headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
      }
      res.writeHead(200, headers)
      if (req.method === 'HEAD') return res.end()
      pipeFile(file, res)
    }),
  )

  // No compression: a small compressed frame must not inflate into a large one.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false })
  const clients = new Set<WebSocket>()
  const broadcast = (frame: ServerFrame) => {
    const text = JSON.stringify(frame)
    for (const ws of clients) sendFrame(ws, text)
  }
  const unsubscribe = options.subscribe((name, data) => broadcast({ type: 'event', name, data }))

  const refuse = (socket: Duplex, status: string) => {
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
    socket.destroy()
  }
  server.on('upgrade', (req, socket, head) => {
    // A client that resets the connection mid-handshake must not be an unhandled 'error'.
    socket.on('error', () => socket.destroy())
    try {
      const url = requestUrl(req)
      if (!url) return refuse(socket, '400 Bad Request')
      const ok =
        url.pathname === '/ws' &&
        hostAllowed(origins, req, options.host) &&
        originAllowed(origins, req, options.host) &&
        tokenMatches(token, presentedToken(req, url))
      if (!ok) return refuse(socket, '401 Unauthorized')
      wss.handleUpgrade(req, socket, head, (ws) => {
        clients.add(ws)
        ws.on('close', () => clients.delete(ws))
        serveChannel(ws, options.dispatch)
      })
    } catch (e) {
      process.stderr.write(`server: a WebSocket upgrade failed: ${e instanceof Error ? e.message : String(e)}\n`)
      refuse(socket, '500 Internal Server Error')
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  origins = allowedOrigins(options.host, port)
  const displayHost =
    options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${displayHost}:${port}/?token=${token}`,
    token,
    port,
    close: async () => {
      unsubscribe()
      for (const ws of clients) ws.terminate()
      wss.close()
      const closed = new Promise<void>((r) => server.close(() => r()))
      // Browsers hold idle and speculative keep-alive sockets open; shutting down must not wait on them.
      server.closeAllConnections()
      await closed
    },
  }
}
