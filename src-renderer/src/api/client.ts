/**
 * The renderer's one client for the contract. Typed by src-shared; works over any Bridge: the
 * Electron preload's `window.ganWorkbench` or the WebSocket bridge in a browser.
 */
import type { Bridge, EventName, Events, RequestInput, RequestName, RequestOutput, RpcError } from '../../../src-shared/contract'

export class ApiError extends Error {
  readonly code: RpcError['code']
  readonly fields: RpcError['fields']
  constructor(error: RpcError) {
    super(error.message)
    this.name = 'ApiError'
    this.code = error.code
    this.fields = error.fields
  }
}

export interface Client {
  call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>>
  on<K extends EventName>(name: K, listener: (data: Events[K]) => void): () => void
}

export function createClient(bridge: Bridge): Client {
  const listeners = new Map<EventName, Set<(data: unknown) => void>>()
  bridge.onEvent((name, data) => listeners.get(name)?.forEach((l) => l(data)))
  return {
    async call(name, input) {
      const result = await bridge.invoke(name, input)
      if (!result.ok) throw new ApiError(result.error)
      return result.value as RequestOutput<typeof name>
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set()
      listeners.set(name, set)
      const l = listener as (data: unknown) => void
      set.add(l)
      return () => set.delete(l)
    },
  }
}
