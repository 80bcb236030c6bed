/** `serve`: the workbench UI and its services over HTTP + WebSocket for a browser. */
import path from 'node:path'
import type { Command } from 'commander'
import { resolveHome } from '../../app/paths'
import { createAppContext } from '../../app/context'
import { nodeSpawner } from '../../training/spawn-node'
import { startServer } from '../../server/http-server'
import { resolveExportDownload } from '../../export/export-service'
import { CliError, printJson } from '../output'
import { Coordinator } from '../../remote/coordinator'
import { redisConnection } from '../../remote/redis-url'
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
    .option('--queue <redis-url>', 'coordinate a job queue on Redis (redis://HOST:PORT): queue runs and sweeps train on `worker` processes')
    .option('--advertise-url <url>', 'the URL workers reach this server at (default: http://HOST:PORT as bound)')
    .action(async (o: { host: string; port: string; allowRemote?: boolean; queue?: string; advertiseUrl?: string }) => {
      const port = Number(o.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port must be 0–65535', 2)
      if (!LOOPBACK.has(o.host) && !o.allowRemote) {
        throw new CliError(`refusing to bind ${o.host}: it is not loopback. Add --allow-remote if you really mean to expose the workbench on your network.`, 2)
      }
      if (!LOOPBACK.has(o.host)) {
        process.stderr.write(`WARNING: serving on ${o.host}: anyone on this network with the URL's token can train and delete runs. Use it on a trusted network only.\n`)
      }
      if (o.queue) {
        try {
          redisConnection(o.queue) // a malformed URL fails here, before anything starts
        } catch (e) {
          throw new CliError((e as Error).message, 2)
        }
      }
      const home = resolveHome(globals().home)
      const ctx = await createAppContext({ home, mode: 'server', spawn: nodeSpawner() })
      let server: Awaited<ReturnType<typeof startServer>> | undefined
      let coordinator: Coordinator | null = null
      try {
        server = await startServer({
          host: o.host === 'localhost' ? '127.0.0.1' : o.host,
          port,
          staticDir: rendererDir(),
          dispatch: ctx.dispatch,
          subscribe: (l) => ctx.runs.onEvent(l),
          resolveDownload: (name) => resolveExportDownload(home, name),
          remote: (req, res, url) => (coordinator ? coordinator.handle(req, res, url) : Promise.resolve(void res.writeHead(503).end())),
        })
        if (o.queue) {
          const base = new URL(server.url)
          coordinator = await Coordinator.start({
            registry: ctx.registry, runs: ctx.runs, home, queueUrl: o.queue, publicUrl: o.advertiseUrl ?? `${base.protocol}//${base.host}`,
          })
          ctx.attachCoordinator(coordinator)
        }
      } catch (e) {
        await server?.close()
        await ctx.close()
        const code = (e as NodeJS.ErrnoException).code
        if (code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use; pick another with --port (0 picks a free one)`)
        if (o.queue) throw new CliError((e as Error).message)
        throw e
      }
      ctx.lock.update({ url: server.url })
      if (ctx.recovered.length) process.stderr.write(`marked ${ctx.recovered.length} orphaned run(s) as interrupted: ${ctx.recovered.join(', ')}\n`)
      if (globals().json) printJson({ url: server.url, port: server.port, home, queue: coordinator?.queueLabel ?? null })
      else {
        console.log(`GAN Workbench is serving at ${server.url}`)
        if (coordinator) console.log(`coordinating the job queue at ${coordinator.queueLabel}: start workers with \`gan-workbench worker --queue ${coordinator.queueLabel}\``)
        console.log(`data directory: ${home}\nPress Ctrl-C to stop.`)
      }
      let closing = false
      const shutdown = () => {
        if (closing) return
        closing = true
        process.stderr.write('shutting down: stopping runs and saving checkpoints…\n')
        void server!.close().then(() => ctx.close()).then(() => process.exit(0))
      }
      process.on('SIGINT', shutdown)
      process.on('SIGTERM', shutdown)
      process.on('SIGHUP', shutdown) // its terminal closed: stop the runs with checkpoints, as on Ctrl-C
    })
}
