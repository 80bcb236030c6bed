/**
 * The single entry for every request from a UI, whatever the transport: checks the name, validates
 * the payload against the contract's schema, runs the handler, and turns errors into RpcErrors
 * (a message for people, never a stack trace).
 */
import { BundleError } from '../export/run-bundle'
import { DatasetError } from '../datasets/idx'
import { isRequestName, requests, type RpcError, type RpcResult } from '../../src-shared/contract'
import { ConfigError, fieldErrors } from '../../src-shared/config/errors'
import { OverrideError } from '../../src-shared/config/overrides'
import { UnknownPresetError } from '../../src-shared/config/presets'
import { NotFoundError } from '../registry/registry'
import { ConflictError } from '../training/run-manager'
import type { Handlers } from '../app/services'
import { isDiskFull } from '../util/disk-space'

export function toRpcError(e: unknown): RpcError {
  if (e instanceof ConfigError) return { code: 'invalid_input', message: e.message, fields: e.errors }
  if (e instanceof OverrideError || e instanceof UnknownPresetError) return { code: 'invalid_input', message: e.message }
  if (e instanceof BundleError || e instanceof DatasetError) return { code: 'invalid_input', message: e.message }
  if (e instanceof NotFoundError) return { code: 'not_found', message: e.message }
  if (e instanceof ConflictError) return { code: 'conflict', message: e.message }
  // A state the user fixes (free some space), not a bug: said plainly, never as an internal error.
  if (isDiskFull(e))
    return {
      code: 'conflict',
      message: `the disk is full (${e instanceof Error ? e.message : String(e)}): free some space, then try again`,
    }
  const message = e instanceof Error ? e.message : String(e)
  return { code: 'internal', message }
}

/** A request name as sent, for an error message: whatever a client put there (an object whose toString throws, say). */
function describeName(name: unknown): string {
  return typeof name === 'string' ? JSON.stringify(name.slice(0, 100)) : `of type ${name === null ? 'null' : typeof name}`
}

export type Dispatch = (name: unknown, payload: unknown) => Promise<RpcResult<unknown>>

export function createDispatch(handlers: Handlers, onInternalError: (e: unknown) => void = (e) => console.error(e)): Dispatch {
  return async (name, payload) => {
    try {
      if (!isRequestName(name)) return { ok: false, error: { code: 'unknown_request', message: `unknown request ${describeName(name)}` } }
      const parsed = requests[name].input.safeParse(payload ?? {})
      if (!parsed.success) {
        const fields = fieldErrors(parsed.error)
        return {
          ok: false,
          error: { code: 'invalid_input', message: fields.map((f) => `${f.path || 'payload'}: ${f.message}`).join('; '), fields },
        }
      }
      const handler = handlers[name] as (input: unknown) => unknown
      return { ok: true, value: await handler(parsed.data) }
    } catch (e) {
      // Handler errors, and a payload that breaks validation itself (nested past the stack, say).
      const error = toRpcError(e)
      if (error.code === 'internal') onInternalError(e)
      return { ok: false, error }
    }
  }
}
