import type { NewReproduction } from '../../src-main/registry/reproductions'
import { REPRODUCTIONS } from '../../src-shared/reproductions/catalog'

/** A reproduction record's fields for registry tests: a quick local one of the catalog's first entry, with no results. */
export function newReproduction(fields: Partial<NewReproduction> = {}): NewReproduction {
  return {
    entry: REPRODUCTIONS[0]!,
    quick: true,
    seeds: 1,
    target: 'local',
    command: 'test',
    commit: null,
    machine: 'm',
    steps: 1,
    samples: 1,
    results: [],
    ...fields,
  }
}
