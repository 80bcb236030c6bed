/** The one connection to the services, shared by every store. */
import { connect, type Connection } from '../api'

let connection: Connection | undefined

export function useConnection(): Connection {
  connection ??= connect()
  return connection
}

export function api() {
  return useConnection().client
}
