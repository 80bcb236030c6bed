/** What each row of a run's saved sample grid shows, for the gallery's legend and zoom. */
import type { ExperimentConfig } from './experiment'
import { infoganCodes } from './validate'

/** Undefined for plain 8×8 grids (every cell is just a sample from the fixed z). */
export function previewRowLabels(config: Pick<ExperimentConfig, 'conditioning' | 'infogan'>, classNames?: string[]): string[] | undefined {
  switch (config.conditioning) {
    case 'none':
      return undefined
    case 'pix2pix':
      return ['condition x', 'translation G(x)', 'target y', 'L1 error |G(x) − y|']
    case 'cyclegan':
      return ['A', 'G(A): A → B', 'F(G(A)): back to A', 'B', 'F(B): B → A', 'G(F(B)): back to B']
    case 'infogan':
      return Array.from({ length: infoganCodes(config).categorical }, (_, i) => `code ${i}`)
    case 'cgan':
    case 'acgan':
      return Array.from({ length: 10 }, (_, i) => classNames?.[i] ?? `class ${i}`)
  }
}
