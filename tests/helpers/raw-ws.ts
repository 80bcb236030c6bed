/**
 * A WebSocket client that can send what no well-behaved client would: frames built byte by byte
 * (reserved bits, unknown opcodes, unmasked, oversized, invalid UTF-8) or plain garbage after the
 * handshake. Reads the server's close code.
 */
import crypto from 'node:crypto'
import net from 'node:net'

export interface FrameOptions {
  fin?: boolean
  /** The three reserved bits, as a number 0-7. */
  rsv?: number
  masked?: boolean
  /** Declared payload length, when it should lie about the real one. */
  declaredLength?: bigint
}

export function frame(opcode: number, payload: Buffer | string, o: FrameOptions = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
  const masked = o.masked ?? true
  const length = o.declaredLength ?? BigInt(data.length)
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | (((o.rsv ?? 0) & 7) << 4) | (opcode & 0x0f)]
  const maskBit = masked ? 0x80 : 0
  let ext = Buffer.alloc(0)
  if (length < 126n) head.push(maskBit | Number(length))
  else if (length < 65536n) {
    head.push(maskBit | 126)
    ext = Buffer.alloc(2)
    ext.writeUInt16BE(Number(length))
  } else {
    head.push(maskBit | 127)
    ext = Buffer.alloc(8)
    ext.writeBigUInt64BE(length)
  }
  if (!masked) return Buffer.concat([Buffer.from(head), ext, data])
  const key = crypto.randomBytes(4)
  const body = Buffer.from(data)
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i & 3]!
  return Buffer.concat([Buffer.from(head), ext, key, body])
}

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const

export interface RawSocket {
  socket: net.Socket
  /** Resolves with the close code the server sent (null: it closed without a close frame). */
  closed: Promise<number | null>
  write(bytes: Buffer): void
}

/** Opens a WebSocket by hand (the upgrade request with the token), ready for raw frames. */
export function rawWebSocket(port: number, token: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => {}) // the server may cut us off mid-write: that is the point
    let buffer = Buffer.alloc(0)
    let upgraded = false
    let closeCode: number | null = null
    const closed = new Promise<number | null>((r) => socket.once('close', () => r(closeCode)))
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buffer.subarray(0, end).toString('latin1')
        buffer = buffer.subarray(end + 4)
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`))
        upgraded = true
        resolve({ socket, closed, write: (bytes) => void (socket.writable && socket.write(bytes)) })
      }
      // Server frames are unmasked; read just enough to find a close frame's code.
      while (buffer.length >= 2) {
        const opcode = buffer[0]! & 0x0f
        let len = buffer[1]! & 0x7f
        let offset = 2
        if (len === 126) {
          if (buffer.length < 4) return
          len = buffer.readUInt16BE(2)
          offset = 4
        } else if (len === 127) {
          if (buffer.length < 10) return
          len = Number(buffer.readBigUInt64BE(2))
          offset = 10
        }
        if (buffer.length < offset + len) return
        if (opcode === OP.close) {
          if (len >= 2) closeCode = buffer.readUInt16BE(offset)
          socket.end() // our half of the closing handshake
        }
        buffer = buffer.subarray(offset + len)
      }
    })
    socket.once('connect', () => {
      socket.write(
        'GET /ws HTTP/1.1\r\n' +
          `Host: 127.0.0.1:${port}\r\n` +
          `Authorization: Bearer ${token}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      )
    })
    socket.once('close', () => {
      if (!upgraded) reject(new Error('the server closed the connection during the handshake'))
    })
  })
}

/** Sends `bytes` on a fresh raw WebSocket and resolves with the server's close code (ending our side after `settleMs`). */
export async function closeCodeFor(port: number, token: string, bytes: Buffer | Buffer[], settleMs = 2000): Promise<number | null> {
  const ws = await rawWebSocket(port, token)
  for (const b of Array.isArray(bytes) ? bytes : [bytes]) ws.write(b)
  const timer = setTimeout(() => ws.socket.end(), settleMs)
  const code = await ws.closed
  clearTimeout(timer)
  return code
}
