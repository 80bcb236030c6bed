/**
 * The services behind the contract: one handler per request, shared by Electron IPC, the
 * WebSocket server and (for most commands) the CLI.
 */
import type { ParsedInput, RequestName, RequestOutput, AppInfo } from '../../src-shared/contract'
import { PRESETS } from '../../src-shared/config/presets'
import { isPointData, validateExperiment } from '../../src-shared/config/validate'
import { ConfigError } from '../../src-shared/config/errors'
import { toPairs } from '../../src-shared/util/points'
import { createDataSource } from '../datasets/create-data-source'
import { compareRuns } from '../registry/compare'
import type { Registry } from '../registry/registry'
import { ConflictError, type RunManager } from '../training/run-manager'
import { probeBackendsOnce } from '../training/backend'
import { sampleRun } from '../model-io/sample'
import { parseSavedPoints } from '../training/saved-points'
import { explore } from '../export/explore'
import { evaluateRun } from '../metrics/evaluate-run'
import { exportForUi } from '../export/export-service'
import { assertExportable, exportOptions } from '../export/export-options'
import { startTransfer, synthForUi } from '../transfer/transfer-service'
import { APP_VERSION } from '../platform/version'
import { ACTIVE_STATUSES, type Placement } from '../../src-shared/domain/run'
import { readArtifactFile } from '../registry/artifact-files'
import { deleteRunWithFiles } from './delete-run'
import { startSweep } from '../sweeps/sweep-service'
import type { Coordinator } from '../remote/coordinator'
import { ReproductionManager } from '../reproductions/reproduction-manager'
import { DEFAULT_SEEDS } from '../reproductions/reproduction-service'
import { recipeSteps, REPRODUCTIONS } from '../../src-shared/reproductions/catalog'

export type Handlers = { [K in RequestName]: (input: ParsedInput<K>) => Promise<RequestOutput<K>> | RequestOutput<K> }

export interface ServiceContext {
  registry: Registry
  runs: RunManager
  home: string
  mode: AppInfo['mode']
  /**
   * Who hands queue runs to workers. A host (the desktop, `serve`) holds its data directory alone:
   * only its own coordinator (server mode with --queue) would, so without one a queue request is
   * refused. The CLI is no host: a queue run it records waits in the registry, where any
   * `serve --queue` on the data directory finds it, one running now or one started later
   * (`leftForServe`).
   */
  remote: { coordinator: Coordinator | null; leftForServe?: boolean }
  /** The desktop's window on a remote workbench; absent in a browser, which just opens the URL. */
  openRemote?: (url: string) => { origin: string }
  /** The host's reproductions (made here when absent). */
  reproductions?: ReproductionManager
}

const NO_QUEUE = 'this workbench has no job queue: start it with `gan-workbench serve --queue redis://HOST:PORT` to train on queue workers'

export function createHandlers(ctx: ServiceContext): Handlers {
  const { registry, runs } = ctx
  const reproductions = ctx.reproductions ?? new ReproductionManager(registry, runs)
  const refuseQueueWithNoOneToDispatch = (target: Placement | undefined) => {
    if (target === 'queue' && !ctx.remote.coordinator && !ctx.remote.leftForServe) throw new ConflictError(NO_QUEUE)
  }
  return {
    'app.info': async () => {
      const b = await probeBackendsOnce()
      return {
        version: APP_VERSION,
        mode: ctx.mode,
        home: ctx.home,
        backends: b.probes,
        defaultBackend: b.name,
        defaultBackendReason: b.reason,
      }
    },
    'app.attach': ({ url }) => {
      if (!ctx.openRemote)
        throw new ConflictError("in a browser, open the remote workbench's URL directly (attaching is for the desktop app)")
      return ctx.openRemote(url)
    },
    'presets.list': () => PRESETS.map((p) => ({ ...p })),
    'config.validate': ({ config }) => {
      try {
        const v = validateExperiment(config)
        return { ok: true, errors: [], generator: v.generator, discriminator: v.discriminator }
      } catch (e) {
        if (e instanceof ConfigError) return { ok: false, errors: e.errors }
        throw e
      }
    },
    'runs.list': (filter) => registry.listRuns(filter),
    'runs.get': ({ id }) => registry.getRun(id),
    'runs.diagnoses': ({ id }) => {
      registry.getRun(id) // not_found for an unknown run
      return registry.diagnoses(id)
    },
    'runs.metrics': ({ id, keys, maxPoints }) => {
      registry.getRun(id)
      return registry.metrics(id, keys, maxPoints)
    },
    'runs.artifacts': ({ id }) => {
      registry.getRun(id)
      return registry.artifacts(id)
    },
    'runs.compare': ({ ids, curves }) => compareRuns(registry, ids, { curves }),
    'runs.start': (req) => {
      refuseQueueWithNoOneToDispatch(req.target)
      return runs.start(req)
    },
    'sweeps.start': (req) => {
      refuseQueueWithNoOneToDispatch(req.target)
      return startSweep(registry, runs, req)
    },
    'sweeps.list': () => registry.repos.sweeps.list(),
    'templates.list': () => registry.repos.templates.list(),
    'templates.save': (t) => registry.repos.templates.save(t),
    'templates.delete': ({ name }) => {
      registry.repos.templates.delete(name)
      return { deleted: name }
    },
    'workers.list': async () => (ctx.remote.coordinator ? ctx.remote.coordinator.workers() : { queue: null, workers: [] }),
    'runs.stop': ({ id }) => runs.stop(id),
    'runs.resume': ({ id, pauseAtStep }) => runs.resume(id, { pauseAtStep }),
    'runs.pause': ({ id }) => runs.pause(id),
    'runs.fork': ({ id, ...options }) => runs.fork(id, options),
    'runs.tag': ({ id, add, remove }) => registry.tag(id, add, remove),
    'runs.note': ({ id, notes }) => registry.setNotes(id, notes),
    'runs.delete': ({ id, force }) => {
      if (runs.isActive(id) && registry.getRun(id).status !== 'paused') throw new ConflictError(`run ${id} is training; stop it first`)
      deleteRunWithFiles(registry, ctx.home, id, { force })
      return { deleted: id }
    },
    'runs.exportOptions': ({ id }) => exportOptions(registry, id),
    'runs.export': (request) => {
      assertExportable(registry, request.id, request.format)
      return exportForUi(registry, ctx.home, request, (e) => runs.emit('export.progress', e))
    },
    'runs.transfer': (request) => startTransfer(registry, request, (e) => runs.emit('transfer.progress', e)),
    'runs.transfers': ({ id }) => {
      registry.getRun(id)
      return registry.listTransfers(id)
    },
    'runs.synth': (request) => synthForUi(registry, ctx.home, request),
    'runs.sample': async ({ id, n, seed }) => {
      if (!isPointData(registry.getRun(id).config)) throw new ConflictError(`run ${id} makes images: see its sample grids`)
      return { points: toPairs(await sampleRun(registry, id, n, seed ?? 0)) }
    },
    'runs.grid': ({ id, epoch }) => {
      registry.getRun(id)
      const grids = registry.artifacts(id, 'samples-grid')
      const chosen = epoch === undefined ? grids.at(-1) : grids.findLast((a) => a.epoch === epoch)
      return {
        epochs: [...new Set(grids.map((a) => a.epoch))],
        epoch: chosen?.epoch ?? null,
        dataUrl: chosen ? `data:image/png;base64,${readArtifactFile(ctx.home, chosen).toString('base64')}` : null,
      }
    },
    'runs.explore': (request) => explore(registry, request),
    'runs.points': ({ id, epoch }) => {
      registry.getRun(id)
      const saved = registry.artifacts(id, 'samples-2d')
      const chosen = epoch === undefined ? saved.at(-1) : saved.findLast((a) => a.epoch === epoch)
      const read = chosen
        ? parseSavedPoints(readArtifactFile(ctx.home, chosen).toString('utf8'), `run ${id}'s points of epoch ${chosen.epoch}`)
        : null
      return {
        epochs: [...new Set(saved.map((a) => a.epoch))],
        epoch: chosen?.epoch ?? null,
        points: read?.points ?? null,
        zSeed: read?.zSeed ?? null,
        surface: read?.surface ?? null,
      }
    },
    'runs.eval': ({ id, samples, seed, modes, whileTraining }) => {
      // The Run page evaluates a stopped run (its panel is hidden while training); the CLI may score
      // the latest checkpoint of a run another process trains.
      if (!whileTraining && ACTIVE_STATUSES.includes(registry.getRun(id).status))
        throw new ConflictError(`run ${id} is training; evaluate it when it has stopped`)
      return evaluateRun(registry, id, {
        samples,
        seed,
        modes: modes && {
          centres: modes.centres,
          std: modes.std,
          from: `${modes.source ?? `the ${modes.centres.length} centres given`} (σ ${modes.std})`,
        },
      })
    },
    'reproductions.catalog': () => ({
      entries: REPRODUCTIONS.map((e) => ({ ...e, steps: recipeSteps(e), quickSteps: recipeSteps(e, true) })),
      latest: [...registry.repos.reproductions.latest(false).values()],
      latestQuick: [...registry.repos.reproductions.latest(true).values()],
    }),
    'reproductions.get': ({ id }) => registry.repos.reproductions.get(id),
    'reproductions.start': ({ name, seeds, quick, target }) => {
      refuseQueueWithNoOneToDispatch(target)
      return reproductions.start({
        name,
        seeds,
        quick,
        target,
        command: `Reproductions page: ${name}, ${seeds ?? DEFAULT_SEEDS} seeds${quick ? ', quick' : ''}${target === 'queue' ? ', on the queue' : ''}`,
      })
    },
    'reproductions.stop': ({ id }) => reproductions.stop(id),
    'datasets.sample': ({ runId, n }) => {
      const run = registry.getRun(runId)
      if (!isPointData(run.config)) throw new ConflictError(`run ${runId} does not train on 2D points`)
      return { points: toPairs(createDataSource(run.config.dataset, run.seed).sample(n, run.seed)) }
    },
  }
}
