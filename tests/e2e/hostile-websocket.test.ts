/**
 * No single request takes the server down. A real `serve` process gets hostile WebSocket frames
 * (over 4 MiB, invalid UTF-8, binary, malformed JSON, protocol errors, random bytes) and HTTP
 * requests (unparsable URLs, huge headers, oversize bodies): each bad socket is closed with the
 * code that names its fault, and afterwards the server still answers a good request.
 */
import net from 'node:net'
import path from 'node:path'
import fc from 'fast-check'
import WebSocket from 'ws'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { serve } from '../helpers/cli'
import { tmpDir } from '../helpers/tmp'
import { closeCodeFor, frame, OP, rawWebSocket } from '../helpers/raw-ws'

let t: ReturnType<typeof tmpDir>
let server: Awaited<ReturnType<typeof serve>>
let port: number
/** Hostile inputs tried in this file (the docs' table counts them). */
let probes = 0

async function start() {
  server = await serve(path.join(t.dir, 'home'))
  port = Number(new URL(server.url).port)
}
beforeAll(async () => {
  t = tmpDir('gwb-hostile-ws-')
  await start()
})
// A probe that kills the server fails its own test; the next one gets a fresh server, so each
// probe is judged on its own.
beforeEach(async () => {
  if (!serverAlive()) await start()
})
afterAll(async () => {
  await server?.stop()
  t.cleanup()
  console.log(`hostile WebSocket/HTTP probes tried: ${probes}, the server stayed up after each`)
})

function serverAlive(): boolean {
  try {
    process.kill(server.pid, 0)
    return true
  } catch {
    return false
  }
}

/** A well-formed request on a fresh socket gets its answer: the server is up and serving. */
async function answersRequest(): Promise<void> {
  expect(serverAlive(), 'the server process is gone').toBe(true)
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${server.token}` } })
  const reply = await new Promise<{ id: number; result: { ok: boolean } }>((resolve, reject) => {
    ws.once('error', reject)
    ws.once('open', () => ws.send(JSON.stringify({ type: 'request', id: 41, name: 'runs.list', payload: {} })))
    ws.once('message', (m) => resolve(JSON.parse(m.toString()) as { id: number; result: { ok: boolean } }))
  })
  ws.close()
  expect(reply).toMatchObject({ id: 41, result: { ok: true } })
}

const request = (body: string) => frame(OP.text, body)
const MiB = 1024 * 1024

describe('hostile WebSocket frames', () => {
  it.each([
    ['a text frame over 4 MiB', 1009, () => frame(OP.text, Buffer.alloc(4 * MiB + 1, 0x20))],
    ['a header declaring 2^63 bytes', 1009, () => frame(OP.text, Buffer.alloc(8), { declaredLength: 2n ** 63n - 1n })],
    [
      'fragments adding up to over 4 MiB',
      1009,
      () => [
        frame(OP.text, Buffer.alloc(2 * MiB, 0x20), { fin: false }),
        frame(OP.continuation, Buffer.alloc(2 * MiB, 0x20), { fin: false }),
        frame(OP.continuation, Buffer.alloc(16, 0x20)),
      ],
    ],
    ['invalid UTF-8 in a text frame (lone continuation byte)', 1007, () => frame(OP.text, Buffer.from([0x7b, 0x80, 0x7d]))],
    ['invalid UTF-8 (overlong encoding of "/")', 1007, () => frame(OP.text, Buffer.from([0xc0, 0xaf]))],
    ['invalid UTF-8 (a UTF-16 surrogate)', 1007, () => frame(OP.text, Buffer.from([0xed, 0xa0, 0x80]))],
    [
      'invalid UTF-8 split across fragments',
      1007,
      () => [frame(OP.text, Buffer.from([0xe2, 0x82]), { fin: false }), frame(OP.continuation, Buffer.from([0x28]))],
    ],
    ['a binary frame', 1003, () => frame(OP.binary, Buffer.from('{"type":"request","id":1,"name":"runs.list","payload":{}}'))],
    ['binary garbage', 1003, () => frame(OP.binary, Buffer.from([0x00, 0xff, 0x13, 0x37, 0xde, 0xad]))],
    ['text that is not JSON', 1007, () => request('{"type":"request",')],
    ['JSON nested a million deep (valid, not a request)', 1003, () => request(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`)],
    ['JSON that is not a request (null)', 1003, () => request('null')],
    ['JSON that is not a request (an array)', 1003, () => request('[1,2,3]')],
    ['a request whose id is a string', 1003, () => request('{"type":"request","id":"1","name":"runs.list","payload":{}}')],
    ['a request whose id is not a safe integer', 1003, () => request('{"type":"request","id":1e300,"name":"runs.list","payload":{}}')],
    ['reserved bit RSV1 without an extension', 1002, () => frame(OP.text, '{}', { rsv: 4 })],
    ['an unknown opcode', 1002, () => frame(3, 'x')],
    ['an unmasked client frame', 1002, () => frame(OP.text, '{}', { masked: false })],
    ['a ping over 125 bytes', 1002, () => frame(OP.ping, Buffer.alloc(126))],
    ['a fragmented ping', 1002, () => frame(OP.ping, 'x', { fin: false })],
    ['a continuation with nothing to continue', 1002, () => frame(OP.continuation, 'x')],
    ['a close frame with an invalid code', 1002, () => frame(OP.close, Buffer.from([0x03, 0xe7]))],
    ['a close frame with a 1-byte body', 1002, () => frame(OP.close, Buffer.from([0x03]))],
  ] as const)('%s: the socket closes with %i and the server keeps answering', async (_what, code, bytes) => {
    probes++
    expect(await closeCodeFor(port, server.token, bytes())).toBe(code)
    await answersRequest()
  })

  it('requests naming no request, or object internals, are answered as unknown and the socket stays open', async () => {
    const ws = await rawWebSocket(port, server.token)
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'toString', '', 'runs.list\u0000', 42, null, { toString: 1 }]) {
      probes++
      ws.write(request(JSON.stringify({ type: 'request', id: 1, name, payload: { id: { __proto__: { polluted: true } } } })))
    }
    // Payloads the contract refuses: wrong types, negative and huge ids, a prototype key.
    for (const payload of [{ id: -1 }, { id: '1' }, { id: 2 ** 53 }, { id: 1.5 }, JSON.parse('{"__proto__":{"id":1}}'), 'x', [1]]) {
      probes++
      ws.write(request(JSON.stringify({ type: 'request', id: 2, name: 'runs.get', payload })))
    }
    await new Promise((r) => setTimeout(r, 500))
    expect(ws.socket.destroyed, 'the server closed a socket that only sent refusable requests').toBe(false)
    ws.socket.end()
    await ws.closed
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await answersRequest()
  })

  it('a client that vanishes mid-frame or mid-handshake leaves the server up', async () => {
    probes += 2
    const ws = await rawWebSocket(port, server.token)
    ws.write(frame(OP.text, Buffer.alloc(1000, 0x20)).subarray(0, 300))
    ws.socket.destroy()
    const half = net.connect(port, '127.0.0.1', () => half.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`))
    half.on('error', () => {})
    await new Promise((r) => setTimeout(r, 200))
    half.resetAndDestroy()
    await new Promise((r) => setTimeout(r, 200))
    await answersRequest()
  })

  it('random bytes after the handshake never take the server down (fast-check, fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (bytes) => {
        probes++
        const ws = await rawWebSocket(port, server.token)
        ws.write(Buffer.from(bytes))
        ws.socket.end()
        const code = await ws.closed
        // Closed by the server's verdict, or by our end when the bytes form an unfinished frame.
        expect(code === null || [1000, 1002, 1003, 1005, 1006, 1007, 1009].includes(code), `close code ${code}`).toBe(true)
        expect(serverAlive()).toBe(true)
      }),
      { seed: 20_261_205, numRuns: 150 },
    )
    await answersRequest()
  })

  it('random well-formed frames with random opcodes, flags and payloads never take the server down (fast-check, fixed seed)', async () => {
    const arbFrame = fc.record({
      opcode: fc.integer({ min: 0, max: 15 }),
      rsv: fc.integer({ min: 0, max: 7 }),
      fin: fc.boolean(),
      masked: fc.boolean(),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
      ),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(arbFrame, { minLength: 1, maxLength: 4 }), async (frames) => {
        probes++
        const ws = await rawWebSocket(port, server.token)
        for (const f of frames) ws.write(frame(f.opcode, Buffer.from(f.payload), f))
        ws.socket.end()
        await ws.closed
        expect(serverAlive()).toBe(true)
      }),
      { seed: 20_261_206, numRuns: 150 },
    )
    await answersRequest()
  })
})

describe('hostile HTTP requests', () => {
  function raw(text: string): Promise<string> {
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(text))
      let out = ''
      s.on('data', (c) => (out += c))
      s.on('error', () => {})
      s.on('close', () => resolve(out.split('\r\n')[0]!))
      setTimeout(() => s.destroy(), 3000)
    })
  }
  const host = (): string => `Host: 127.0.0.1:${port}`

  it.each([
    ['GET // (valid HTTP, an unparsable URL)', () => `GET // HTTP/1.1\r\n${host()}\r\nConnection: close\r\n\r\n`, /^HTTP\/1\.1 400/],
    ['GET //[ with the token', () => `GET //[?token=${server.token} HTTP/1.1\r\n${host()}\r\nConnection: close\r\n\r\n`, /^HTTP\/1\.1 400/],
    [
      'a WebSocket upgrade to an unparsable URL',
      () =>
        `GET //[ HTTP/1.1\r\n${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
    [
      'a WebSocket upgrade with a bad key',
      () =>
        `GET /ws?token=${server.token} HTTP/1.1\r\n${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
    [
      'a 100 MB body announced to a GET-only server',
      () => `POST / HTTP/1.1\r\n${host()}\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\nxxxx`,
      /^HTTP\/1\.1 405/,
    ],
    [
      'a body to /remote/ on a server with no queue',
      () => `POST /remote/runs/1/sync HTTP/1.1\r\n${host()}\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n${'x'.repeat(100_000)}`,
      /^HTTP\/1\.1 (404|503)/,
    ],
    ['a 100 kB header', () => `GET / HTTP/1.1\r\n${host()}\r\nX-Junk: ${'a'.repeat(100_000)}\r\n\r\n`, /^HTTP\/1\.1 431/],
    ['a malformed request line', () => 'GARBAGE\r\n\r\n', /^HTTP\/1\.1 400/],
    [
      'an export name with a path in it',
      () => `GET /exports/..%2fregistry.sqlite?token=${server.token} HTTP/1.1\r\n${host()}\r\nConnection: close\r\n\r\n`,
      /^HTTP\/1\.1 404/,
    ],
  ] as ReadonlyArray<readonly [string, () => string, RegExp]>)(
    '%s: answered, and the server keeps serving',
    async (_what, text, status) => {
      probes++
      expect(await raw(text())).toMatch(status)
      await answersRequest()
    },
  )

  it('a body that trickles in and never finishes does not hold the server up', async () => {
    probes++
    const s = net.connect(port, '127.0.0.1', () =>
      s.write(`POST /remote/runs/1/sync HTTP/1.1\r\n${host()}\r\nContent-Length: 1000000\r\n\r\nabc`),
    )
    s.on('error', () => {})
    await new Promise((r) => setTimeout(r, 300))
    await answersRequest() // served while the slow body is still open
    s.destroy()
  })
})
