/**
 * Runs against the catalog: each preset's family (the launcher groups them), and the preset a
 * run's config is closest to with what differs from it (the run page's "differs from preset"
 * note: overrides, and models brought from the builder).
 */
import { experimentConfigSchema, isTranslation, type ExperimentConfig } from './experiment'
import { PRESETS, type Preset } from './presets'
import { configLeaves, type ConfigLeaf } from './config-paths'

export const PRESET_FAMILIES = [
  { id: 'points', label: '2D toys (MLP GANs)', detail: 'mixtures of Gaussians, where mode collapse is seen' },
  { id: 'images', label: 'Image GANs', detail: 'DCGAN and the lecture GAN on MNIST and Fashion-MNIST' },
  { id: 'conditional', label: 'Conditional GANs', detail: 'cGAN, AC-GAN and InfoGAN: labels and codes' },
  { id: 'translation', label: 'Image translation', detail: 'pix2pix (paired) and CycleGAN (unpaired)' },
] as const
export type PresetFamily = (typeof PRESET_FAMILIES)[number]['id']

type Configish = Pick<ExperimentConfig, 'dataset'> & { conditioning?: ExperimentConfig['conditioning'] }

export function familyOf(config: Configish): PresetFamily {
  const conditioning = config.conditioning ?? 'none'
  if (config.dataset.kind === 'toy2d' || config.dataset.kind === 'csv') return 'points'
  if (isTranslation(conditioning)) return 'translation'
  if (conditioning !== 'none') return 'conditional'
  return 'images'
}

/** Presets by family, in the families' order, filtered by words found in a preset's name, title or description. */
export function groupPresets(presets: readonly Preset[], search = ''): { family: (typeof PRESET_FAMILIES)[number]; presets: Preset[] }[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean)
  const matches = (p: Preset) => words.every((w) => `${p.name} ${p.title} ${p.description}`.toLowerCase().includes(w))
  return PRESET_FAMILIES.map((family) => ({
    family,
    presets: presets.filter((p) => familyOf(p.config as Configish) === family.id && matches(p)),
  })).filter((g) => g.presets.length > 0)
}

const MODEL_PARTS = ['generator', 'discriminator'] as const

export interface PresetDifference {
  path: string
  run: ConfigLeaf | undefined
  preset: ConfigLeaf | undefined
}

export interface PresetMatch {
  preset: string
  title: string
  /** Settings outside the models that differ (the run's value and the preset's). */
  differences: PresetDifference[]
  /** Models whose architecture differs from the preset's (built or edited in the builder, or given in a config). */
  modelsDiffer: ('generator' | 'discriminator')[]
}

type Parsed = { preset: Preset; leaves: Map<string, ConfigLeaf>; config: ExperimentConfig }
/** The catalog parsed so far (in PRESETS order). */
const parsed: Parsed[] = []

function parseNext(): void {
  const preset = PRESETS[parsed.length]!
  const config = experimentConfigSchema.parse(preset.config)
  parsed.push({ preset, config, leaves: new Map(configLeaves(config).map((l) => [l.path, l.value])) })
}

function catalog(): Parsed[] {
  while (parsed.length < PRESETS.length) parseNext()
  return parsed
}

/**
 * Parses the catalog a preset at a time, awaiting `pause` between them: parsed at once it was a
 * 70 ms task on a run page under load (npm run bench:ui). closestPreset is then quick.
 */
export async function warmPresetCatalog(pause: () => Promise<void>): Promise<void> {
  while (parsed.length < PRESETS.length) {
    parseNext()
    await pause()
  }
}

/** The same data: kind and which set (a limit, σ or split is a setting that differs, not other data). */
const dataIdentity = (d: ExperimentConfig['dataset']) => {
  const x = d as Record<string, unknown>
  return JSON.stringify([d.kind, x.name ?? x.distribution ?? x.task ?? x.file ?? x.dir ?? null])
}
const sameData = (a: ExperimentConfig['dataset'], b: ExperimentConfig['dataset']) => dataIdentity(a) === dataIdentity(b)

/**
 * The preset of the same data, objective and conditioning with the fewest differing settings, and
 * those differences; null when no preset trains on the same data in the same way.
 */
export function closestPreset(config: ExperimentConfig): PresetMatch | null {
  const leaves = new Map(configLeaves(config).map((l) => [l.path, l.value]))
  const inModel = (path: string) => MODEL_PARTS.some((m) => path === m || path.startsWith(`${m}.`) || path.startsWith(`${m}[`))
  let best: PresetMatch | null = null
  let bestScore = Infinity
  for (const c of catalog()) {
    if (!sameData(c.config.dataset, config.dataset) || c.config.gan !== config.gan || c.config.conditioning !== config.conditioning)
      continue
    const paths = new Set([...leaves.keys(), ...c.leaves.keys()])
    const differences: PresetDifference[] = []
    let modelFields = 0
    for (const path of paths) {
      const a = leaves.get(path)
      const b = c.leaves.get(path)
      if (a === b) continue
      if (inModel(path)) modelFields++
      else differences.push({ path, run: a, preset: b })
    }
    const modelsDiffer = MODEL_PARTS.filter((m) => JSON.stringify(config[m]) !== JSON.stringify(c.config[m]))
    const score = differences.length + modelFields
    if (score < bestScore) {
      bestScore = score
      best = { preset: c.preset.name, title: c.preset.title, differences, modelsDiffer }
    }
  }
  return best
}
