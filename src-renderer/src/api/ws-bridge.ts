/**
 * A Bridge over the server mode's WebSocket, so the same client works in a browser. Requests made
 * while (re)connecting wait for the socket; the connection state is observable for the UI.
 */
import type { Bridge, ClientFrame, EventName, RpcResult, ServerFrame } from '../../../src-shared/contract'

export type ConnectionState = 'connecting' | 'open' | 'closed'

export interface WsBridge extends Bridge {
  onState(listener: (state: ConnectionState) => void): void
}

export function createWsBridge(url: string): WsBridge {
  let socket: WebSocket | undefined
  let nextId = 1
  let retry = 0
  const pending = new Map<number, (r: RpcResult<unknown>) => void>()
  const queue: ClientFrame[] = []
  const eventListeners = new Set<(name: EventName, data: unknown) => void>()
  const stateListeners = new Set<(s: ConnectionState) => void>()
  const setState = (s: ConnectionState) => stateListeners.forEach((l) => l(s))

  const connect = () => {
    setState('connecting')
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      retry = 0
      setState('open')
      for (const frame of queue.splice(0)) ws.send(JSON.stringify(frame))
    }
    ws.onmessage = (msg) => {
      const frame = JSON.parse(String(msg.data)) as ServerFrame
      if (frame.type === 'response') {
        pending.get(frame.id)?.(frame.result)
        pending.delete(frame.id)
      } else if (frame.type === 'event') {
        eventListeners.forEach((l) => l(frame.name, frame.data))
      }
    }
    ws.onclose = () => {
      setState('closed')
      // Requests in flight are lost with the socket: fail them rather than hang.
      for (const [id, resolve] of pending) {
        resolve({ ok: false, error: { code: 'internal', message: 'connection to the workbench server lost' } })
        pending.delete(id)
      }
      setTimeout(connect, Math.min(10_000, 500 * 2 ** retry++))
    }
  }
  connect()

  return {
    invoke(name, payload) {
      const id = nextId++
      const frame: ClientFrame = { type: 'request', id, name, payload }
      return new Promise((resolve) => {
        pending.set(id, resolve)
        if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame))
        else queue.push(frame)
      })
    },
    onEvent(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    onState(listener) {
      stateListeners.add(listener)
    },
  }
}
