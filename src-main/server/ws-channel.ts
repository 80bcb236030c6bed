/**
 * One browser's WebSocket: request frames in, responses and events out. Whatever a client sends
 * (a frame over the size limit, invalid UTF-8, binary data, malformed JSON, a protocol error)
 * closes that socket with the code that names the fault and never reaches the rest of the server.
 */
import type { RawData, WebSocket } from 'ws'
import type { ClientFrame, ServerFrame } from '../../src-shared/contract'
import type { Dispatch } from '../ipc/dispatch'

/** RFC 6455 close codes used here. */
export const CLOSE = {
  /** A protocol error: reserved bits, unknown opcode, unmasked frame (ws picks it). */
  protocol: 1002,
  /** Data we do not accept: binary frames, JSON that is not a request. */
  unsupported: 1003,
  /** The payload does not fit its type: invalid UTF-8, text that is not JSON. */
  invalidPayload: 1007,
  /** A frame or message over the size limit. */
  tooBig: 1009,
} as const

/**
 * Responses and events queued for a client that does not read them: past this it is cut off
 * rather than growing the server's memory without bound.
 */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

function isRequestFrame(frame: unknown): frame is ClientFrame {
  if (typeof frame !== 'object' || frame === null) return false
  const f = frame as Record<string, unknown>
  return f.type === 'request' && typeof f.id === 'number' && Number.isSafeInteger(f.id)
}

/** Sends a frame unless the socket is gone, or cuts off a client whose unread backlog is too large. */
export function sendFrame(ws: WebSocket, frame: ServerFrame | string): void {
  if (ws.readyState !== ws.OPEN) return
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    ws.terminate()
    return
  }
  ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame), (e) => {
    if (e) ws.terminate() // the connection broke while sending: nothing to tell it
  })
}

export function serveChannel(ws: WebSocket, dispatch: Dispatch, onFault: (message: string) => void = () => {}): void {
  // Without this listener a frame the receiver rejects (too big, bad UTF-8, protocol error) is an
  // unhandled 'error' event, which ends the whole server. ws has already closed the socket with
  // the right code (1009, 1007, 1002) when it emits this.
  ws.on('error', (e: Error & { code?: string }) => onFault(`WebSocket client dropped: ${e.code ?? e.message}`))
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    if (isBinary) return ws.close(CLOSE.unsupported, 'binary frames are not accepted')
    let frame: unknown
    try {
      frame = JSON.parse(raw.toString())
    } catch {
      return ws.close(CLOSE.invalidPayload, 'frames must be JSON')
    }
    if (!isRequestFrame(frame)) return ws.close(CLOSE.unsupported, 'unexpected frame')
    const { id } = frame
    dispatch(frame.name, frame.payload)
      .then((result) => sendFrame(ws, { type: 'response', id, result }))
      .catch((e: unknown) => {
        // Dispatch turns handler errors into results; this is a failure to serialise the result.
        onFault(`request ${id} could not be answered: ${e instanceof Error ? e.message : 'unknown error'}`)
        sendFrame(ws, { type: 'response', id, result: { ok: false, error: { code: 'internal', message: 'the result could not be sent' } } })
      })
  })
}
