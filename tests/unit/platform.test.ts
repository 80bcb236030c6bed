/**
 * The platform layer's small helpers that the doors and the services share: the constant-time
 * comparison behind the server token, job tokens and job signatures, and process liveness behind
 * the instance lock and orphan recovery. (Paths and the instance lock: instance-lock.test.ts.)
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { constantTimeEqual } from '../../src-main/platform/constant-time'
import { isProcessAlive } from '../../src-main/util/process-identity'

describe('constantTimeEqual', () => {
  it('is true only for the same string', () => {
    const token = 'gQ3n8yX_c1-ZP0rT5vK2mW9aLdE4hJ7s'
    expect(constantTimeEqual(token, token)).toBe(true)
    expect(constantTimeEqual('', '')).toBe(true)
    expect(constantTimeEqual(token, token.slice(0, -1) + 't')).toBe(false) // differs in the last byte
    expect(constantTimeEqual(token, 'X' + token.slice(1))).toBe(false) // differs in the first byte
  })

  it('is false for a prefix, an extension or the empty string, without throwing on the length', () => {
    const token = 'abcdef'
    expect(constantTimeEqual(token, 'abc')).toBe(false)
    expect(constantTimeEqual(token, token + 'g')).toBe(false)
    expect(constantTimeEqual(token, '')).toBe(false)
    expect(constantTimeEqual('', token)).toBe(false)
  })

  it('compares bytes, not characters: same length in characters, different in UTF-8', () => {
    expect(constantTimeEqual('é', 'e')).toBe(false)
    expect(constantTimeEqual('ée', 'éé')).toBe(false)
    expect(constantTimeEqual('é', 'é')).toBe(true)
  })
})

describe('isProcessAlive', () => {
  it('is true for this process and false for one that has exited', () => {
    expect(isProcessAlive(process.pid)).toBe(true)
    const child = spawnSync(process.execPath, ['-e', ''])
    expect(child.pid).toBeGreaterThan(0)
    expect(isProcessAlive(child.pid!)).toBe(false) // reaped by spawnSync; pid reuse within the test is not expected
  })
})
