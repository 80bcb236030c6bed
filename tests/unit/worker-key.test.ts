/**
 * Enrolling a worker with a coordinator's queue: the worker key (derived from the coordinator's
 * secret, kept 0600) and the job signatures it checks. A signed job opens; any change to it, a
 * signature for another job or under another key, or anything that is not a job payload at all
 * (fast-check, fixed seed) is a ForgedJobError that never echoes what it was given.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { spawn } from 'node:child_process'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ForgedJobError, openJob, signJob } from '../../src-main/remote/job-signature'
import {
  WorkerKeyError,
  formatWorkerKey,
  loadWorkerKey,
  parseWorkerKey,
  workerKeyFromSecret,
  writeWorkerKeyFile,
} from '../../src-main/remote/worker-key'
import { loadCoordinatorSecret } from '../../src-main/remote/coordinator-secret'
import { tmpDir } from '../helpers/tmp'
import { triedCounter } from '../helpers/tried'

const tried = triedCounter('forged job payloads')

let t: ReturnType<typeof tmpDir>
beforeEach(() => (t = tmpDir('gwb-key-')))
afterEach(() => t.cleanup())

const fields = { runId: 7, coordinator: 'http://10.0.0.5:7860', token: crypto.randomBytes(32).toString('base64url') }

describe('the worker key', () => {
  it('derives from the coordinator secret, round-trips as text, and is refused when malformed, naming where it came from', () => {
    const secret = loadCoordinatorSecret(t.dir)
    expect(fs.statSync(path.join(t.dir, 'coordinator.secret')).mode & 0o777).toBe(0o600)
    const key = workerKeyFromSecret(secret)
    expect(key.equals(secret)).toBe(false) // a worker never holds the secret itself
    expect(parseWorkerKey(`${formatWorkerKey(key)}\n`, 'x')).toEqual(key)
    expect(() => parseWorkerKey('gwk1.short', 'worker.key')).toThrow(/worker.key does not hold a worker key/)
    expect(() => parseWorkerKey(secret.toString('base64url'), 'env')).toThrow(WorkerKeyError)
  })

  it('is found in --key-file, else the environment, else worker.key in the data dir; none is a clear error', () => {
    const key = crypto.randomBytes(32)
    const other = crypto.randomBytes(32)
    const file = path.join(t.dir, 'given.key')
    writeWorkerKeyFile(file, key)
    writeWorkerKeyFile(path.join(t.dir, 'worker.key'), other)
    const env = { GAN_WORKBENCH_WORKER_KEY: formatWorkerKey(crypto.randomBytes(32)) }
    expect(loadWorkerKey({ keyFile: file, home: t.dir, env })).toEqual(key)
    expect(loadWorkerKey({ home: t.dir, env })).toEqual(parseWorkerKey(env.GAN_WORKBENCH_WORKER_KEY, 'env'))
    expect(loadWorkerKey({ home: t.dir, env: {} })).toEqual(other)
    expect(() => loadWorkerKey({ home: path.join(t.dir, 'empty'), env: {} })).toThrow(/worker-key --out worker.key/)
    expect(() => loadWorkerKey({ keyFile: path.join(t.dir, 'missing'), home: t.dir, env: {} })).toThrow(/no worker key at/)
  })

  it.runIf(process.platform !== 'win32')('is written 0600 (an existing file too) and refused when others can read it', () => {
    const file = path.join(t.dir, 'worker.key')
    fs.writeFileSync(file, 'old', { mode: 0o644 })
    writeWorkerKeyFile(file, crypto.randomBytes(32))
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    fs.chmodSync(file, 0o640)
    expect(() => loadWorkerKey({ keyFile: file, home: t.dir, env: {} })).toThrow(/can be read by other users \(mode 640\): `chmod 600/)
  })
})

describe('signed jobs', () => {
  const key = crypto.randomBytes(32)

  it('opens a job signed for its id; refuses it changed, moved to another job, or signed with another key', () => {
    const signed = signJob(key, 'job-1', fields)
    expect(openJob(key, 'job-1', signed)).toEqual(signed)
    expect(() => openJob(key, 'job-2', signed)).toThrow(ForgedJobError)
    expect(() => openJob(crypto.randomBytes(32), 'job-1', signed)).toThrow(/does not match this queue's worker key/)
    for (const change of [
      { runId: 8 },
      { coordinator: 'http://evil:1' },
      { token: fields.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
    ]) {
      expect(() => openJob(key, 'job-1', { ...signed, ...change })).toThrow(ForgedJobError)
    }
    const { sig: _sig, ...unsigned } = signed
    expect(() => openJob(key, 'job-1', unsigned)).toThrow(/not a signed queue job/)
    expect(() => openJob(key, undefined, signed)).toThrow(/no valid id/)
    tried.add(7) // another job id, another key, three changed fields, unsigned, no id
  })

  it('refuses a signed payload whose coordinator is not an http(s) URL', () => {
    for (const coordinator of ['file:///etc/passwd', 'http://user:pw@host:1', 'javascript:alert(1)', 'not a url']) {
      expect(() => openJob(key, 'j', signJob(key, 'j', { ...fields, coordinator }))).toThrow(/coordinator: must be an http\(s\) URL/)
      tried.add()
    }
  })

  it('generated payloads and job ids: a ForgedJobError every time, never echoing the input', () => {
    const marker = 'ECHO-MARKER'
    const payload = fc.oneof(
      fc.anything(),
      fc.record(
        { runId: fc.anything(), coordinator: fc.constant(`http://h/${marker}`), token: fc.string(), sig: fc.string() },
        { requiredKeys: [] },
      ),
      fc.record({
        runId: fc.integer({ min: 1 }),
        coordinator: fc.constant(`http://h/${marker}`),
        token: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        sig: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      }),
    )
    const mark = tried.total
    fc.assert(
      fc.property(payload, fc.option(fc.string(), { nil: undefined }), (data, jobId) => {
        tried.add()
        try {
          openJob(key, jobId, data)
        } catch (e) {
          expect(e).toBeInstanceOf(ForgedJobError)
          expect((e as Error).message).not.toContain(marker)
          return
        }
        throw new Error('a payload nobody signed was opened')
      }),
      { seed: 22, numRuns: 1000 },
    )
    tried.expectSince(mark, 1000)
  })
})

describe('the worker key file', () => {
  it('is written whole: a worker reading the file while it is written again never sees a partial key', async () => {
    // The reader is another process, as a starting worker is: it reads the file in a loop until told
    // to stop and counts what it read that was not a whole key.
    const file = path.join(t.dir, 'coordinator.worker.key')
    const stop = path.join(t.dir, 'stop')
    writeWorkerKeyFile(file, crypto.randomBytes(32))
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); let reads = 0, partial = 0; process.stdout.write('ready\\n');
         while (!fs.existsSync(${JSON.stringify(stop)})) { reads++; if (!/^gwk1\\.[A-Za-z0-9_-]{43}\\n$/.test(fs.readFileSync(${JSON.stringify(file)}, 'utf8'))) partial++ }
         process.stdout.write(JSON.stringify({ reads, partial }))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    reader.stdout!.on('data', (c) => (out += c))
    await new Promise<void>((resolve) => reader.stdout!.once('data', () => resolve()))
    let writes = 0
    for (const end = Date.now() + 1500; Date.now() < end; writes++) writeWorkerKeyFile(file, crypto.randomBytes(32))
    fs.writeFileSync(stop, '')
    await new Promise((resolve) => reader.once('exit', resolve))
    const { reads, partial } = JSON.parse(out.slice(out.indexOf('{'))) as { reads: number; partial: number }
    expect(writes).toBeGreaterThan(100)
    expect(reads).toBeGreaterThan(100)
    expect(partial).toBe(0)
    expect(fs.readdirSync(t.dir).sort()).toEqual(['coordinator.worker.key', 'stop']) // no temporary files left
  })
})
