import { describe, expect, it } from 'vitest'
import { createDispatch } from '../../src-main/ipc/dispatch'
import type { Handlers } from '../../src-main/app/services'
import { NotFoundError } from '../../src-main/registry/registry'
import { ConflictError } from '../../src-main/training/run-manager'
import { requests } from '../../src-shared/contract'

const calls: unknown[] = []
const handlers = new Proxy({} as Handlers, {
  get: (_t, name: string) => (input: Record<string, unknown>) => {
    calls.push([name, input])
    if (name === 'runs.get' && input.id === 404) throw new NotFoundError('no run with id 404')
    if (name === 'runs.stop') throw new ConflictError('run 3 is trained by another process')
    if (name === 'runs.delete') throw new Error('disk on fire')
    return { echoed: input }
  },
})
const dispatch = createDispatch(handlers, () => {})

describe('contract dispatch', () => {
  it('passes a valid, parsed payload to the handler', async () => {
    expect(await dispatch('runs.get', { id: 3 })).toEqual({ ok: true, value: { echoed: { id: 3 } } })
  })

  it('refuses unknown requests, including prototype names', async () => {
    const hostile = {
      toString: () => {
        throw new Error('no')
      },
    }
    for (const name of ['runs.nuke', '__proto__', 'constructor', 42, null, { toString: 1 }, hostile, Symbol('x')]) {
      const r = await dispatch(name, {})
      expect(r).toMatchObject({ ok: false, error: { code: 'unknown_request' } })
    }
  })

  it('names the invalid field and never calls the handler', async () => {
    calls.length = 0
    const r = await dispatch('runs.get', { id: 'three' })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', fields: [{ path: 'id' }] } })
    const extra = await dispatch('runs.note', { id: 1, notes: 'x', admin: true })
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_input', fields: [{ path: 'admin', message: 'unknown field' }] } })
    const big = await dispatch('runs.note', { id: 1, notes: 'x'.repeat(20_001) })
    expect(big).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(calls).toEqual([])
  })

  it("runs.start and runs.resume take a pause step (the CLI's --pause-at) only as a whole step number", async () => {
    calls.length = 0
    expect(await dispatch('runs.resume', { id: 3, pauseAtStep: 30 })).toEqual({ ok: true, value: { echoed: { id: 3, pauseAtStep: 30 } } })
    expect(await dispatch('runs.start', { preset: 'p', pauseAtStep: 0 })).toEqual({
      ok: true,
      value: { echoed: { preset: 'p', pauseAtStep: 0 } },
    })
    for (const pauseAtStep of [-1, 1.5, '30', null]) {
      const r = await dispatch('runs.resume', { id: 3, pauseAtStep })
      expect(r, String(pauseAtStep)).toMatchObject({ ok: false, error: { code: 'invalid_input', fields: [{ path: 'pauseAtStep' }] } })
      const s = await dispatch('runs.start', { preset: 'p', pauseAtStep })
      expect(s, String(pauseAtStep)).toMatchObject({ ok: false, error: { code: 'invalid_input', fields: [{ path: 'pauseAtStep' }] } })
    }
    expect(calls).toEqual([
      ['runs.resume', { id: 3, pauseAtStep: 30 }],
      ['runs.start', { preset: 'p', pauseAtStep: 0 }],
    ])
  })

  it("runs.eval takes the CLI's eval options: 50 to 10,000 samples, a latent seed, where the mode centres came from, whileTraining", async () => {
    calls.length = 0
    const full = { id: 3, samples: 50, seed: 7, modes: { centres: [[0, 0]], std: 1, source: 'centres.csv' }, whileTraining: true }
    expect(await dispatch('runs.eval', full)).toEqual({ ok: true, value: { echoed: full } })
    const bad: [string, Record<string, unknown>][] = [
      ['samples', { samples: 49 }],
      ['seed', { seed: -1 }],
      ['seed', { seed: 0.5 }],
      ['modes.source', { modes: { centres: [[0, 0]], std: 1, source: ' ' } }],
      ['whileTraining', { whileTraining: 'yes' }],
    ]
    for (const [field, extra] of bad) {
      const r = await dispatch('runs.eval', { id: 3, ...extra })
      expect(r, field).toMatchObject({ ok: false, error: { code: 'invalid_input', fields: [{ path: field }] } })
    }
    expect(calls).toEqual([['runs.eval', full]])
  })

  it('maps errors to codes and messages, without stacks', async () => {
    expect(await dispatch('runs.get', { id: 404 })).toEqual({ ok: false, error: { code: 'not_found', message: 'no run with id 404' } })
    expect(await dispatch('runs.stop', { id: 3 })).toMatchObject({ ok: false, error: { code: 'conflict' } })
    const internal = await dispatch('runs.delete', { id: 3 })
    expect(internal).toEqual({ ok: false, error: { code: 'internal', message: 'disk on fire' } })
  })

  it('has a schema for every request: a payload of the wrong type or with an unknown field is refused before any handler runs', async () => {
    calls.length = 0
    const names = Object.keys(requests)
    expect(names.length).toBeGreaterThan(20)
    for (const name of names) {
      expect(await dispatch(name, 42), name).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
      expect(await dispatch(name, { unexpectedField: true }), name).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    }
    expect(calls).toEqual([])
  })
})
