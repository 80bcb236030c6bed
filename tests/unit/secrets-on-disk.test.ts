/**
 * Secrets on disk (issue 22): the data dir is its owner's alone (0700) and every file in it that
 * holds a secret is 0600 — the instance lock (the server's URL with its token: it was 0644 in a
 * 0755 folder) and coordinator.secret — whatever the umask, whoever opens the data dir first (the
 * server or desktop, a CLI command, a trainer or worker opening the registry), and for data dirs
 * and files an older version left too open, which are tightened at start-up.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { createAppContext } from '../../src-main/app/context'
import { withRegistry } from '../../src-main/cli/context'
import { Registry } from '../../src-main/registry/registry'
import type { TrainerChild } from '../../src-main/training/trainer-protocol'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'
import { thisProcess } from '../../src-main/util/process-identity'

const SEED = Number(process.env.FUZZ_SEED ?? 20261124)
const t = tmpDir('gwb-secrets-')
const tried = triedCounter('secrets on disk')
afterAll(() => t.cleanup())

const mode = (p: string) => fs.statSync(p).mode & 0o777
const noTrainer = (): TrainerChild => {
  throw new Error('no trainer in this test')
}

describe.skipIf(process.platform === 'win32')('secrets on disk', () => {
  it('generated umasks, older modes and entry points: the data dir ends 0700, the lock and coordinator.secret 0600', async () => {
    let n = 0
    const mark = tried.total
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0o000, 0o002, 0o022, 0o027, 0o077),
        fc.constantFrom(null, 0o755, 0o775, 0o777, 0o711, 0o700),
        fc.constantFrom(null, 0o644, 0o666, 0o640, 0o600),
        fc.constantFrom('server', 'cli', 'registry'),
        async (umask, homeMode, secretMode, entry) => {
          tried.add()
          const home = path.join(t.dir, `home-${n++}`, 'gan-workbench')
          if (homeMode !== null) {
            fs.mkdirSync(home, { recursive: true })
            fs.chmodSync(home, homeMode)
            if (secretMode !== null) {
              fs.writeFileSync(path.join(home, 'coordinator.secret'), 'k'.repeat(32))
              fs.chmodSync(path.join(home, 'coordinator.secret'), secretMode)
            }
          }
          const old = process.umask(umask)
          try {
            if (entry === 'server') {
              const ctx = await createAppContext({ home, mode: 'server', spawn: noTrainer })
              ctx.lock.update({ url: 'http://127.0.0.1:1/?token=SECRET' })
              expect(mode(path.join(home, 'instance.lock'))).toBe(0o600)
              if (homeMode !== null && homeMode !== 0o700) expect(ctx.tightened.some((c) => c.startsWith(`${home}: was`))).toBe(true)
              await ctx.close()
            } else if (entry === 'cli') {
              await withRegistry({ home }, () => {})
            } else {
              ;(await Registry.open(path.join(home, 'registry.sqlite'), { owner: thisProcess() })).close()
            }
          } finally {
            process.umask(old)
          }
          expect(mode(home)).toBe(0o700)
          const secret = path.join(home, 'coordinator.secret')
          if (fs.existsSync(secret) && entry !== 'registry') expect(mode(secret)).toBe(0o600)
        },
      ),
      { numRuns: 40, seed: SEED },
    )
    tried.expectSince(mark, 40)
  })

  it('the examples: a fresh data dir, and the lock while a server holds it', async () => {
    const home = path.join(t.dir, 'fresh')
    const ctx = await createAppContext({ home, mode: 'server', spawn: noTrainer })
    try {
      ctx.lock.update({ url: 'http://127.0.0.1:7860/?token=SECRET' })
      expect(mode(home).toString(8)).toBe('700')
      expect(mode(path.join(home, 'instance.lock')).toString(8)).toBe('600')
      expect(fs.readFileSync(path.join(home, 'instance.lock'), 'utf8')).toContain('token=SECRET')
    } finally {
      await ctx.close()
    }
  })
})
