/** Picks the transport: the Electron preload bridge when present, else the server's WebSocket. */
import type { Bridge } from '../../../src-shared/contract'
import { createClient, type Client } from './client'
import { createWsBridge, type ConnectionState } from './ws-bridge'

declare global {
  interface Window {
    ganWorkbench?: Bridge
  }
}

export interface Connection {
  client: Client
  transport: 'electron' | 'websocket'
  onState(listener: (state: ConnectionState) => void): void
}

export function connect(): Connection {
  if (window.ganWorkbench) {
    return { client: createClient(window.ganWorkbench), transport: 'electron', onState: (l) => l('open') }
  }
  // The token rode in on the URL and now lives in an HttpOnly cookie: keep it out of history.
  const url = new URL(window.location.href)
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token')
    window.history.replaceState(window.history.state, '', url.toString())
  }
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  const bridge = createWsBridge(`${scheme}://${window.location.host}/ws`)
  return { client: createClient(bridge), transport: 'websocket', onState: (l) => bridge.onState(l) }
}
