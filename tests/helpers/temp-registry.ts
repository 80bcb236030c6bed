/** A fresh registry in a temporary data directory for each test of the calling `describe`. */
import path from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { Registry } from '../../src-main/registry/registry'
import { tmpDir } from './tmp'
import { thisProcess } from '../../src-main/util/process-identity'

export interface TempRegistry {
  /** The data directory (the registry file is in it). */
  dir: string
  registry: Registry
}

export function useTempRegistry(): TempRegistry {
  const ctx = {} as TempRegistry
  let t: ReturnType<typeof tmpDir>
  beforeEach(async () => {
    t = tmpDir()
    ctx.dir = t.dir
    ctx.registry = await Registry.open(path.join(t.dir, 'registry.sqlite'), { owner: thisProcess() })
  })
  afterEach(() => {
    ctx.registry.close()
    t.cleanup()
  })
  return ctx
}
