import fs from 'node:fs'
import path from 'node:path'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startServer, type RunningServer } from '../../src-main/server/http-server'
import { resolveStatic } from '../../src-main/server/static-files'
import { tmpDir } from '../helpers/tmp'

let t: ReturnType<typeof tmpDir>
let server: RunningServer
let base: string

function get(
  pathname: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, { headers }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

function wsOpen(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

beforeAll(async () => {
  t = tmpDir()
  fs.mkdirSync(path.join(t.dir, 'ui'))
  fs.writeFileSync(path.join(t.dir, 'ui', 'index.html'), '<p>ui</p>')
  fs.writeFileSync(path.join(t.dir, 'secret.txt'), 'outside the UI directory')
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    staticDir: path.join(t.dir, 'ui'),
    dispatch: async (name, payload) => ({ ok: true, value: { name, payload } }),
    subscribe: () => () => {},
  })
  base = `http://127.0.0.1:${server.port}`
})
afterAll(async () => {
  await server.close()
  t.cleanup()
})

describe('server mode security', () => {
  it('binds loopback and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token.length).toBeGreaterThanOrEqual(32)
  })

  it('refuses requests without the token, and with a wrong one', async () => {
    expect((await get('/')).status).toBe(401)
    expect((await get('/?token=nope')).status).toBe(401)
    expect((await get('/', { Cookie: 'gwb_token=nope' })).status).toBe(401)
  })

  it('serves the UI with the token, sets an HttpOnly cookie and a strict CSP', async () => {
    const r = await get(`/?token=${server.token}`)
    expect(r.status).toBe(200)
    expect(r.body).toBe('<p>ui</p>')
    expect(r.headers['set-cookie']![0]).toMatch(/^gwb_token=.+; HttpOnly; SameSite=Strict/)
    expect(r.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'/)
    expect(r.headers['x-frame-options']).toBe('DENY')
    expect((await get('/index.html', { Cookie: `gwb_token=${server.token}` })).status).toBe(200)
  })

  it('refuses other origins and unexpected Host headers (DNS rebinding)', async () => {
    const auth = { Authorization: `Bearer ${server.token}` }
    expect((await get('/', { ...auth, Origin: 'http://evil.example' })).status).toBe(403)
    expect((await get('/', { ...auth, Host: 'evil.example' })).status).toBe(421)
    expect((await get('/', { ...auth, Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200)
  })

  it('cannot be walked out of the UI directory', async () => {
    const auth = { Authorization: `Bearer ${server.token}` }
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/a/../../secret.txt']) {
      const r = await get(p, auth)
      expect(r.body, p).not.toContain('outside the UI directory')
    }
    expect(resolveStatic(path.join(t.dir, 'ui'), '/../secret.txt')).not.toBe(path.join(t.dir, 'secret.txt'))
    expect(resolveStatic(path.join(t.dir, 'ui'), '/%00')).toBeNull()
  })

  it('only accepts WebSockets with the token and our origin', async () => {
    const url = `ws://127.0.0.1:${server.port}/ws`
    await expect(wsOpen(url)).rejects.toThrow(/401/)
    await expect(wsOpen(`${url}?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/401/)
    const ws = await wsOpen(url, { Cookie: `gwb_token=${server.token}`, Origin: `http://127.0.0.1:${server.port}` })
    const reply = new Promise<unknown>((resolve) => ws.once('message', (m) => resolve(JSON.parse(m.toString()))))
    ws.send(JSON.stringify({ type: 'request', id: 7, name: 'runs.list', payload: {} }))
    expect(await reply).toEqual({ type: 'response', id: 7, result: { ok: true, value: { name: 'runs.list', payload: {} } } })
    ws.close()
  })

  it('refuses methods other than GET and HEAD', async () => {
    const status = await new Promise<number>((resolve) => {
      const req = http.request(`${base}/`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}` } }, (res) =>
        resolve(res.statusCode!),
      )
      req.end()
    })
    expect(status).toBe(405)
  })
})
