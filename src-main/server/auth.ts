/**
 * Server-mode access control: a random per-start token (in the printed URL, then an HttpOnly
 * cookie), a Host check against DNS rebinding, and an Origin check against other sites.
 */
import crypto from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { constantTimeEqual } from '../platform/constant-time'

export const COOKIE = 'gwb_token'

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url')
}

export function cookieToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === COOKIE) return v.join('=')
  }
  return undefined
}

/** The token a request presents: `?token=`, `Authorization: Bearer`, or the cookie. */
export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice(7)
  return url.searchParams.get('token') ?? cookieToken(req)
}

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  return presented !== undefined && constantTimeEqual(expected, presented)
}

export interface Origins {
  /** host:port values this server answers to. */
  hosts: Set<string>
  /** Origins allowed to call it. */
  origins: Set<string>
}

export function allowedOrigins(boundHost: string, port: number): Origins {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]'])
  if (boundHost !== '0.0.0.0' && boundHost !== '::') names.add(boundHost.includes(':') ? `[${boundHost}]` : boundHost)
  const hosts = new Set([...names].map((n) => `${n}:${port}`))
  return { hosts, origins: new Set([...hosts].map((h) => `http://${h}`)) }
}

export function hostAllowed(o: Origins, req: IncomingMessage, boundHost: string): boolean {
  // Bound to every interface, any Host the machine answers to is legitimate: the token still guards it.
  if (boundHost === '0.0.0.0' || boundHost === '::') return true
  return req.headers.host !== undefined && o.hosts.has(req.headers.host)
}

export function originAllowed(o: Origins, req: IncomingMessage, boundHost: string): boolean {
  const origin = req.headers.origin
  if (origin === undefined) return true // not a browser cross-origin request
  if (boundHost === '0.0.0.0' || boundHost === '::') return origin === `http://${req.headers.host}`
  return o.origins.has(origin)
}
