/** The WebSocket channel's own limits, on a stand-in socket (the e2e hostile-websocket test drives a real server). */
import { describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { MAX_BUFFERED_BYTES, sendFrame } from '../../src-main/server/ws-channel'

function fakeSocket(bufferedAmount: number) {
  const calls: string[] = []
  const ws = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount,
    send: (text: string) => calls.push(`send ${text.length}`),
    terminate: () => calls.push('terminate'),
  }
  return { ws: ws as unknown as WebSocket, calls }
}

describe('sendFrame', () => {
  it('sends to a client that keeps up', () => {
    const { ws, calls } = fakeSocket(1024)
    sendFrame(ws, 'hello')
    expect(calls).toEqual(['send 5'])
  })

  it('cuts off a client whose unread backlog passed the limit instead of buffering without bound', () => {
    const { ws, calls } = fakeSocket(MAX_BUFFERED_BYTES + 1)
    sendFrame(ws, 'hello')
    expect(calls).toEqual(['terminate'])
  })
})
