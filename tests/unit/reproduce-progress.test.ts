import { describe, expect, it } from 'vitest'
import { progressPrinter } from '../../src-main/cli/commands/reproduce'
import type { ReproductionProgressEvent } from '../../src-shared/domain/reproduction'

const event = (
  stage: ReproductionProgressEvent['stage'],
  seedIndex: number,
  message: string,
  step?: number,
): ReproductionProgressEvent => ({
  reproductionId: 1,
  name: 'infogan-mnist',
  seedIndex,
  seeds: 2,
  stage,
  message,
  ...(step === undefined ? {} : { step, totalSteps: 100, runId: 7 }),
})

describe('reproduce progress on stderr', () => {
  it('a log gets the stage changes and the first step at once, then a line every 15 s, not one per event', () => {
    const lines: string[] = []
    let now = 0
    const print = progressPrinter(
      false,
      (text) => lines.push(text),
      () => now,
    )
    print(event('training', 1, 'seed 1: training run 7', 0))
    for (let step = 10; step <= 50; step += 10) {
      now += 1000
      print(event('training', 1, `seed 1: run 7 step ${step}/100`, step))
    }
    now += 15_000
    print(event('training', 1, 'seed 1: run 7 step 60/100', 60))
    now += 1000
    print(event('evaluating', 1, 'seed 1: scoring run 7'))
    print(event('training', 2, 'seed 2: training run 8'))
    print(event('done', 2, 'reproduction 1 completed'))
    expect(lines).toEqual([
      '[infogan-mnist 1/2] seed 1: training run 7 (0 %)\n',
      '[infogan-mnist 1/2] seed 1: run 7 step 10/100 (10 %)\n',
      '[infogan-mnist 1/2] seed 1: run 7 step 60/100 (60 %)\n',
      '[infogan-mnist 1/2] seed 1: scoring run 7\n',
      '[infogan-mnist 2/2] seed 2: training run 8\n',
      '[infogan-mnist 2/2] reproduction 1 completed\n',
    ])
  })

  it('a terminal gets every event, redrawn on one line', () => {
    const lines: string[] = []
    const print = progressPrinter(
      true,
      (text) => lines.push(text),
      () => 0,
    )
    print(event('training', 1, 'seed 1: run 7 step 10/100', 10))
    print(event('training', 1, 'seed 1: run 7 step 20/100', 20))
    print(event('done', 2, 'reproduction 1 completed'))
    expect(lines).toEqual([
      '\r\x1b[2K[infogan-mnist 1/2] seed 1: run 7 step 10/100 (10 %)',
      '\r\x1b[2K[infogan-mnist 1/2] seed 1: run 7 step 20/100 (20 %)',
      '\r\x1b[2K[infogan-mnist 2/2] reproduction 1 completed\n',
    ])
  })
})
