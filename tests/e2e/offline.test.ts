/**
 * The suite runs with outbound connections blocked: `.ci/run` starts `npm test` in a network
 * namespace with only loopback (unshare -n, where it may) and sets GWB_EXPECT_OFFLINE=1. This
 * proves the block was in place, so every other test passed without the network.
 */
import net from 'node:net'
import { describe, expect, it } from 'vitest'

const expectOffline = process.env.GWB_EXPECT_OFFLINE === '1'
if (!expectOffline)
  console.warn(
    'offline check skipped: this run was not started with outbound connections blocked (.ci/run does that where unshare -n is allowed)',
  )

function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve('timeout')
    })
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
  })
}

describe.skipIf(!expectOffline)('network', () => {
  it('is blocked for this test run: outbound connections fail, loopback works', async () => {
    // The npm registry's address family and a public resolver: neither is reachable.
    expect(await tryConnect('104.16.0.35', 443)).not.toBe('connected')
    expect(await tryConnect('1.1.1.1', 53)).not.toBe('connected')
    const server = net.createServer((s) => s.end()).listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    expect(await tryConnect('127.0.0.1', (server.address() as net.AddressInfo).port)).toBe('connected')
    server.close()
  })
})
