/** `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) → connection options. */

/** The options both ioredis and BullMQ take. */
export interface RedisConnection {
  host: string
  port: number
  db: number
  username?: string
  password?: string
  tls?: Record<string, never>
  maxRetriesPerRequest: null
}

export class QueueUrlError extends Error {
  override name = 'QueueUrlError'
}

export function redisConnection(text: string): RedisConnection {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new QueueUrlError(`"${text}" is not a URL: give redis://HOST:PORT`)
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new QueueUrlError(`the queue must be a redis:// or rediss:// URL, not ${url.protocol}`)
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0
  if (!Number.isInteger(db) || db < 0) throw new QueueUrlError(`"${url.pathname.slice(1)}" is not a Redis database number`)
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's workers block on Redis; they must wait for it to come back, not give up on a command.
    maxRetriesPerRequest: null,
  }
}

/** The URL without its password, for messages and the UI. */
export function redactRedisUrl(text: string): string {
  try {
    const url = new URL(text)
    if (url.password) url.password = '…'
    return url.toString()
  } catch {
    return text
  }
}
