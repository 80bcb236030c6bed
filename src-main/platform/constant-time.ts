/**
 * Comparing a presented secret (a server token, a job token, a job's signature) with the expected
 * one in time that does not depend on where they first differ, so a caller cannot learn it byte by
 * byte. Different lengths return false at once: the length is not the secret.
 */
import crypto from 'node:crypto'

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}
