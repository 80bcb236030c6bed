/** Loopback ports for servers a test or benchmark starts (Redis, a coordinator on a fixed port). */
import net from 'node:net'

export async function freePort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
  const port = (srv.address() as net.AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

/** Resolves once something accepts connections on the port (up to ~10 s). */
export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((r) =>
      net
        .connect(port, '127.0.0.1')
        .once('connect', function (this: net.Socket) {
          this.destroy()
          r(true)
        })
        .once('error', () => r(false)),
    )
    if (up) return
    if (i > 100) throw new Error(`nothing listens on port ${port}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
