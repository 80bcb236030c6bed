/**
 * The docs against the code: links and images point at files that exist, every command line shown
 * names a command and flags the CLI has, and every measured number carries its date and commit
 * (the rules: docs/testing.md, "Claims in the docs").
 */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { buildProgram } from '../../src-main/cli/program'
import { PRESETS } from '../../src-shared/config/presets'
import { REPRODUCTIONS } from '../../src-shared/reproductions/catalog'
import { brokenLinks, checkCommand, commandMentions, docFiles, undatedMeasurements } from '../helpers/doc-claims'

const files = docFiles()

describe('the docs', () => {
  it('cover README, CHANGELOG and the manual', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/cli.md', 'docs/testing.md']))
  })

  it('link only to files, images and headings that exist', () => {
    expect(files.flatMap(brokenLinks)).toEqual([])
  })

  it('name only commands and flags the CLI has', () => {
    const program = buildProgram()
    const mentions = files.flatMap(commandMentions)
    expect(mentions.length).toBeGreaterThan(50)
    const wrong = mentions
      .map((m) => ({ at: `${m.file}:${m.line}`, words: m.words.join(' '), problem: checkCommand(program, m.words) }))
      .filter((m) => m.problem)
    expect(wrong).toEqual([])
  })

  it("give the preset count the catalog has (README's 'ships N presets' and 'lists N presets')", () => {
    const readme = fs.readFileSync('README.md', 'utf8')
    const counts = [...readme.matchAll(/(?:ships|lists) (\d+) presets/g)].map((m) => Number(m[1]))
    expect(counts.length).toBeGreaterThanOrEqual(2)
    for (const n of counts) expect(n).toBe(PRESETS.length)
  })

  it("give the number of hostile-input classes security.md's table lists (README's 'N classes of hostile input')", () => {
    const readme = fs.readFileSync('README.md', 'utf8')
    const claimed = /(\d+) classes of hostile input/.exec(readme)
    expect(claimed, 'the README names how many classes of hostile input are tried').not.toBeNull()
    const security = fs.readFileSync('docs/security.md', 'utf8')
    const table = security.slice(security.indexOf('| class | what is tried |'))
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2)
    expect(rows.length).toBeGreaterThan(0)
    expect(Number(claimed![1])).toBe(rows.length)
  })

  it("give the reproductions that pass as docs/reproductions.md's overview does (README's 'N of M pass on five seeds (…)')", () => {
    const readme = fs.readFileSync('README.md', 'utf8')
    const claimed = /(\d+) of (\d+) pass on five seeds \(([^)]*)\)/.exec(readme)
    expect(claimed, 'the README says how many reproductions pass').not.toBeNull()
    const overview = fs
      .readFileSync('docs/reproductions.md', 'utf8')
      .split('\n')
      .filter((l) => /^\| \[[a-z0-9-]+\]\(#/.test(l))
      .map((l) => l.split(' | '))
    expect(overview).toHaveLength(REPRODUCTIONS.length)
    const passed = overview.filter((cells) => cells[3] === 'PASSED' && cells[2] === '5').map((cells) => /\[([^\]]+)\]/.exec(cells[0]!)![1])
    expect(Number(claimed![2])).toBe(REPRODUCTIONS.length)
    expect(claimed![3]!.split(', ')).toEqual(passed)
    expect(Number(claimed![1])).toBe(passed.length)
    // "none of which beat the plain GAN's mode coverage": no comparison passes, and none has more
    // modes than the plain GAN on average over its seeds.
    const doc = fs.readFileSync('docs/reproductions.md', 'utf8')
    const comparisons = REPRODUCTIONS.filter((e) => e.baseline).map((e) => e.name)
    expect(comparisons).toHaveLength(4)
    expect(passed.filter((name) => comparisons.includes(name!))).toEqual([])
    for (const name of comparisons) {
      const start = doc.indexOf(`<a id="${name}"></a>`)
      const section = doc.slice(start, doc.indexOf('<a id="', start + 1))
      const meanOf = (label: string) => {
        const cells = section
          .split('\n')
          .find((l) => l.startsWith(`| ${label} |`))!
          .split(' | ')
        return Number(/^([\d.]+) ±/.exec(cells.at(-3)!)![1])
      }
      expect(meanOf('modes captured (of 8)'), name).toBeLessThanOrEqual(meanOf('plain GAN, modes captured'))
    }
  })

  it('date every measured number and name its commit', () => {
    expect(files.flatMap(undatedMeasurements)).toEqual([])
  })
})
