/** `serve`: the workbench UI and its services over HTTP + WebSocket for a browser. */
import path from 'node:path'
import type { Command } from 'commander'
import { resolveHome } from '../../app/paths'
import { createAppContext } from '../../app/context'
import { nodeSpawner } from '../../training/spawn-node'
import { startServer } from '../../server/http-server'
import { resolveExportDownload } from '../../export/export-service'
import { CliError, printJson } from '../output'
import type { GlobalOptions } from '../context'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

/** The built renderer, beside this bundle (out/main → out/renderer). */
export function rendererDir(): string {
  return path.join(__dirname, '..', 'renderer')
}

export function registerServe(program: Command, globals: () => GlobalOptions): void {
  program
    .command('serve')
    .description('serve the workbench to a browser (loopback only unless --host and --allow-remote)')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '7860')
    .option('--allow-remote', 'allow binding a non-loopback address (anyone who can reach it and has the token gets full access)')
    .action(async (o: { host: string; port: string; allowRemote?: boolean }) => {
      const port = Number(o.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port must be 0–65535', 2)
      if (!LOOPBACK.has(o.host) && !o.allowRemote) {
        throw new CliError(`refusing to bind ${o.host}: it is not loopback. Add --allow-remote if you really mean to expose the workbench on your network.`, 2)
      }
      if (!LOOPBACK.has(o.host)) {
        process.stderr.write(`WARNING: serving on ${o.host}: anyone on this network with the URL's token can train and delete runs. Use it on a trusted network only.\n`)
      }
      const home = resolveHome(globals().home)
      const ctx = await createAppContext({ home, mode: 'server', spawn: nodeSpawner() })
      let server
      try {
        server = await startServer({
          host: o.host === 'localhost' ? '127.0.0.1' : o.host,
          port,
          staticDir: rendererDir(),
          dispatch: ctx.dispatch,
          subscribe: (l) => ctx.runs.onEvent(l),
          resolveDownload: (name) => resolveExportDownload(home, name),
        })
      } catch (e) {
        await ctx.close()
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use; pick another with --port (0 picks a free one)`)
        throw e
      }
      ctx.lock.update({ url: server.url })
      if (ctx.recovered.length) process.stderr.write(`marked ${ctx.recovered.length} orphaned run(s) as interrupted: ${ctx.recovered.join(', ')}\n`)
      if (globals().json) printJson({ url: server.url, port: server.port, home })
      else {
        console.log(`GAN Workbench is serving at ${server.url}`)
        console.log(`data directory: ${home}\nPress Ctrl-C to stop.`)
      }
      let closing = false
      const shutdown = () => {
        if (closing) return
        closing = true
        process.stderr.write('shutting down: stopping runs and saving checkpoints…\n')
        void server.close().then(() => ctx.close()).then(() => process.exit(0))
      }
      process.on('SIGINT', shutdown)
      process.on('SIGTERM', shutdown)
    })
}
