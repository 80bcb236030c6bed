/**
 * The commit a measurement records is the running code's: a build's own commit when running a
 * build, even after the checkout moved on (reproductions run for half an hour while work goes on),
 * else the checkout's.
 */
import { describe, expect, it } from 'vitest'
import { runningCommit, sourceCommit } from '../../src-main/util/build-info'

describe('runningCommit', () => {
  it("gives the build's commit over the checkout's", () => {
    expect(sourceCommit()).not.toBe('0123456789ab')
    expect(runningCommit('0123456789ab')).toBe('0123456789ab')
    expect(runningCommit('0123456789ab+dirty')).toBe('0123456789ab+dirty')
  })

  it('gives null for a build made outside a git checkout, and the checkout’s commit when running from source', () => {
    expect(runningCommit(null)).toBeNull()
    expect(runningCommit(undefined)).toBe(sourceCommit())
    expect(runningCommit()).toBe(sourceCommit())
  })
})
