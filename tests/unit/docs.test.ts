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

/** One entry's section of docs/reproductions.md, and the cells of its table row that starts with `label`. */
function reproductionSection(name: string) {
  const doc = fs.readFileSync('docs/reproductions.md', 'utf8')
  const start = doc.indexOf(`<a id="${name}"></a>`)
  const text = doc.slice(start, doc.indexOf('<a id="', start + 1))
  const cellsOf = (label: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`| ${label} |`))
    expect(line, `${name}: row "${label}"`).toBeDefined()
    return line!.split(' | ')
  }
  return { text, cellsOf }
}

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
    // The comparisons with the plain GAN, as the README words them.
    const rowsOf = (name: string) => {
      const { cellsOf } = reproductionSection(name)
      return {
        // "7.2 ± 0.4 (7–8)", "14.3 % ± 8.4 (…)": the mean, in the table's unit.
        mean: (label: string) => parseFloat(cellsOf(label).at(-3)!),
        seeds: (label: string) =>
          cellsOf(label)
            .slice(2, -3)
            .map((c) => parseFloat(c)),
      }
    }
    const comparisons = REPRODUCTIONS.filter((e) => e.baseline)
    expect(comparisons.map((e) => e.name).sort()).toEqual(['feature-matching-ring8', 'lsgan-ring8', 'unrolled-ring8', 'wgan-gp-ring8'])
    // "the WGAN-GP and feature-matching comparisons, neither of which beats the plain GAN's mode
    // coverage here": neither passes, and neither has more modes than the plain GAN on average.
    expect(readme).toMatch(/the WGAN-GP and feature-matching comparisons, neither of which beats the plain GAN's mode coverage here/)
    for (const name of ['wgan-gp-ring8', 'feature-matching-ring8']) {
      expect(passed, name).not.toContain(name)
      expect(rowsOf(name).mean('modes captured (of 8)'), name).toBeLessThanOrEqual(rowsOf(name).mean('plain GAN, modes captured'))
    }
    // "LSGAN and the unrolled GAN (…) pass as their papers compare, against the plain GAN at the same
    // settings, which misses half the ring's modes or more on N seeds of five there; the plain GAN at
    // its preset's settings, trained beside them and shown, captures A modes on average against
    // LSGAN's B and the unrolled GAN's C, so judged against it the unrolled GAN would fail as WGAN-GP
    // and feature matching do, and both draw fewer high-quality samples than it".
    const claim =
      /LSGAN and the unrolled GAN \([^)]*\) pass as their papers compare, against the plain GAN at the same settings, which misses half the ring's modes or more on (\w+) seeds of five there; the plain GAN at its preset's settings, trained beside them and shown, captures ([\d.]+) modes on average against LSGAN's ([\d.]+) and the unrolled GAN's ([\d.]+), so judged against it the unrolled GAN would fail as WGAN-GP and feature matching do, and both draw fewer high-quality samples than it/.exec(
        readme,
      )
    expect(claim, 'the README states both comparisons').not.toBeNull()
    const words = ['none', 'one', 'two', 'three', 'four', 'five']
    const [lsgan, unrolled] = [rowsOf('lsgan-ring8'), rowsOf('unrolled-ring8')]
    const reference = "plain GAN at its preset's settings"
    for (const [name, rows] of [
      ['lsgan-ring8', lsgan],
      ['unrolled-ring8', unrolled],
    ] as const) {
      expect(passed, name).toContain(name)
      const entry = REPRODUCTIONS.find((e) => e.name === name)!
      expect(entry.baseline!.label, name).toMatch(/at the same settings/)
      expect(entry.reference?.preset, name).toBe('mlp-2d-ring8')
      expect(entry.reference?.overrides, name).toEqual([])
      // "misses half the ring's modes or more on N seeds of five".
      const collapsed = rows.seeds('plain GAN, same settings, modes captured').filter((m) => m <= 4).length
      expect(words[collapsed], name).toBe(claim![1])
      expect(rows.mean(`${reference}, modes captured`), name).toBe(Number(claim![2]))
      // "both draw fewer high-quality samples than it": on average.
      expect(rows.mean('high-quality samples'), name).toBeLessThan(rows.mean(`${reference}, high-quality samples`))
    }
    expect(lsgan.mean('modes captured (of 8)')).toBe(Number(claim![3]))
    expect(unrolled.mean('modes captured (of 8)')).toBe(Number(claim![4]))
    // "judged against it the unrolled GAN would fail": fewer modes than that plain GAN on some seed.
    const against = unrolled.seeds(`${reference}, modes captured`)
    expect(unrolled.seeds('modes captured (of 8)').some((m, i) => m < against[i]!)).toBe(true)
  })

  it("give the spiral's range of modes as its table in docs/reproductions.md does (README's 'the project's spiral (A–B of 50 modes)')", () => {
    const readme = fs.readFileSync('README.md', 'utf8')
    const claimed = /the project's spiral \((\d+)–(\d+) of (\d+) modes\)/.exec(readme)
    expect(claimed, "the README gives the spiral's modes").not.toBeNull()
    const spiral = reproductionSection('toy-spiral')
    expect(spiral.text).toMatch(/NOT REACHED/)
    // "49.0 ± 1.7 (46–50)": the spread cell's min–max.
    const spread = /\((\d+)–(\d+)\)/.exec(spiral.cellsOf(`modes captured (of ${claimed![3]})`).at(-3)!)
    expect([spread![1], spread![2]]).toEqual([claimed![1], claimed![2]])
  })

  it('date every measured number and name its commit', () => {
    expect(files.flatMap(undatedMeasurements)).toEqual([])
  })
})
