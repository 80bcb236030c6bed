/**
 * The reproductions a long-lived host (server mode, the desktop app) runs for its UIs: started
 * through the contract, their progress published as `reproduction.progress` events, stoppable by
 * id. One local reproduction at a time per host: its runs train one after another anyway.
 */
import type { ReproductionRecord } from '../../src-shared/domain/reproduction'
import type { Registry } from '../registry/registry'
import { ConflictError, type RunManager } from '../training/run-manager'
import { startReproduction, type ReproduceRequest, type ReproductionHandle } from './reproduction-service'

export class ReproductionManager {
  private readonly active = new Map<number, ReproductionHandle>()

  constructor(
    private readonly registry: Registry,
    private readonly runs: RunManager,
  ) {}

  start(req: ReproduceRequest): ReproductionRecord {
    const local = [...this.active.values()].find((h) => h.record.target === 'local')
    if (local && (req.target ?? 'local') === 'local')
      throw new ConflictError(`reproduction ${local.record.id} (${local.record.name}) is running here; wait for it or stop it first`)
    const handle = startReproduction(this.registry, this.runs, req, (e) => this.runs.emit('reproduction.progress', e))
    this.active.set(handle.record.id, handle)
    void handle.done.then(() => this.active.delete(handle.record.id))
    return handle.record
  }

  stop(id: number): ReproductionRecord {
    const handle = this.active.get(id)
    if (!handle) {
      const record = this.registry.repos.reproductions.get(id)
      if (record.status === 'running') throw new ConflictError(`reproduction ${id} runs in another process; stop it there (Ctrl-C)`)
      return record
    }
    handle.stop()
    return this.registry.repos.reproductions.get(id)
  }

  /** Stops every reproduction this host runs and waits for them to record their state (host shutdown). */
  async shutdown(): Promise<void> {
    for (const h of this.active.values()) h.stop()
    await Promise.all([...this.active.values()].map((h) => h.done))
  }
}
