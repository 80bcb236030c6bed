/** `serve`: the workbench UI and its services over HTTP + WebSocket for a browser. */
import path from 'node:path'
import type { Command } from 'commander'
import { resolveHome } from '../../platform/paths'
import { createAppContext } from '../../app/context'
import { nodeSpawner } from '../../training/spawn-node'
import { startServer } from '../../server/http-server'
import { resolveExportDownload } from '../../export/export-service'
import { CliError, dropFailedOutputWrites, printJson } from '../output'
import { Coordinator } from '../../remote/coordinator'
import { redisConnection } from '../../remote/redis-url'
import type { GlobalOptions } from '../context'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

/** The built renderer, beside this bundle (out/main → out/renderer). */
export function rendererDir(): string {
  return path.join(__dirname, '..', 'renderer')
}

const ALL_INTERFACES = new Set(['0.0.0.0', '::'])

/** What serving on `host` exposes, said at start-up (nothing for loopback). */
export function exposureWarnings(host: string, home: string): string[] {
  if (LOOPBACK.has(host)) return []
  const lines = [
    `WARNING: serving on ${host}: anyone on this network with the URL's token can train and delete runs. Use it on a trusted network only.`,
  ]
  if (ALL_INTERFACES.has(host)) {
    lines.push(
      `WARNING: bound to every interface (${host}), the Host and Origin checks (against DNS rebinding and other web sites) are off: any name this machine answers to is accepted, and only the token guards the server. Bind one address (e.g. --host 192.168.1.5) to keep those checks.`,
    )
  }
  lines.push(
    `Remote browsers may train only on built-in datasets, data under ${path.join(home, 'datasets')}, or datasets a run here has already trained on.`,
  )
  return lines
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
      dropFailedOutputWrites()
      const port = Number(o.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port must be 0–65535', 2)
      if (!LOOPBACK.has(o.host) && !o.allowRemote) {
        throw new CliError(
          `refusing to bind ${o.host}: it is not loopback. Add --allow-remote if you really mean to expose the workbench on your network.`,
          2,
        )
      }
      if (o.queue) {
        try {
          redisConnection(o.queue) // a malformed URL fails here, before anything starts
        } catch (e) {
          throw new CliError((e as Error).message, 2)
        }
      }
      const home = resolveHome(globals().home)
      for (const line of exposureWarnings(o.host, home)) process.stderr.write(`${line}\n`)
      const ctx = await createAppContext({ home, mode: 'server', spawn: nodeSpawner(), remoteClients: Boolean(o.allowRemote) })
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
            registry: ctx.registry,
            runs: ctx.runs,
            home,
            queueUrl: o.queue,
            publicUrl: o.advertiseUrl ?? `${base.protocol}//${base.host}`,
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
      for (const t of ctx.tightened) process.stderr.write(`tightened permissions (the data dir holds the access token): ${t}\n`)
      if (ctx.recovered.length)
        process.stderr.write(`marked ${ctx.recovered.length} orphaned run(s) as interrupted: ${ctx.recovered.join(', ')}\n`)
      if (globals().json) printJson({ url: server.url, port: server.port, home, queue: coordinator?.queueLabel ?? null })
      else {
        console.log(`GAN Workbench is serving at ${server.url}`)
        if (coordinator) {
          console.log(
            `coordinating the job queue at ${coordinator.queueLabel}: enrol workers with \`gan-workbench --home ${home} worker-key --out worker.key\`, copy that file to each (chmod 600), then \`gan-workbench worker --queue ${coordinator.queueLabel} --key-file worker.key\``,
          )
        }
        console.log(`data directory: ${home}\nPress Ctrl-C to stop.`)
      }
      let closing = false
      const shutdown = () => {
        if (closing) return
        closing = true
        process.stderr.write('shutting down: stopping runs and saving checkpoints…\n')
        void server!
          .close()
          .then(() => ctx.close())
          .then(() => process.exit(0))
      }
      process.on('SIGINT', shutdown)
      process.on('SIGTERM', shutdown)
      process.on('SIGHUP', shutdown) // its terminal closed: stop the runs with checkpoints, as on Ctrl-C
    })
}
