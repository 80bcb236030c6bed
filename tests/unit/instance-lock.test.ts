import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { acquireInstanceLock, InstanceLockedError } from '../../src-main/platform/instance-lock'
import { resolveHome, defaultHome } from '../../src-main/platform/paths'
import { tmpDir } from '../helpers/tmp'

describe('instance lock', () => {
  let t: ReturnType<typeof tmpDir>
  let file: string
  beforeEach(() => {
    t = tmpDir()
    file = path.join(t.dir, 'instance.lock')
  })
  afterEach(() => t.cleanup())

  it('refuses a second instance while the first lives, with a clear message', () => {
    // A live process other than us holds it (our parent process).
    fs.writeFileSync(
      file,
      JSON.stringify({
        pid: process.ppid,
        host: os.hostname(),
        mode: 'server',
        startedAt: 'earlier',
        url: 'http://127.0.0.1:7860/?token=secret',
      }),
    )
    expect(() => acquireInstanceLock(file, 'electron')).toThrowError(InstanceLockedError)
    expect(() => acquireInstanceLock(file, 'electron')).toThrowError(
      /another GAN Workbench \(server at http:\/\/127\.0\.0\.1:7860\/\?token=…, pid \d+/,
    )
  })

  it('takes over a stale lock left by a dead process', () => {
    fs.writeFileSync(file, JSON.stringify({ pid: 999_999, host: os.hostname(), mode: 'server', startedAt: 'long ago' }))
    const lock = acquireInstanceLock(file, 'server')
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid)
    lock.release()
    expect(fs.existsSync(file)).toBe(false)
  })

  it('respects a lock held from another host', () => {
    fs.writeFileSync(file, JSON.stringify({ pid: 1, host: 'another-machine', mode: 'server', startedAt: 'now' }))
    expect(() => acquireInstanceLock(file, 'server')).toThrowError(InstanceLockedError)
  })
})

describe('data directory', () => {
  it('honours --home, then GAN_WORKBENCH_HOME, then the per-user default', () => {
    expect(resolveHome('/x/y', { GAN_WORKBENCH_HOME: '/env' })).toBe('/x/y')
    expect(resolveHome(undefined, { GAN_WORKBENCH_HOME: '/env' })).toBe('/env')
    expect(defaultHome('linux', { XDG_DATA_HOME: '/xdg' })).toBe('/xdg/gan-workbench')
    expect(defaultHome('darwin', {})).toMatch(/Library\/Application Support\/GAN Workbench$/)
  })
})
