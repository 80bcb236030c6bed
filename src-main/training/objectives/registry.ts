/** The objective of a config's conditioning (one family per file); CycleGAN is a model of its own (cycle-gan.ts). */
import type { ExperimentConfig } from '../../../src-shared/config/experiment'
import { infoganCodes } from '../../../src-shared/config/validate'
import type { DataSource } from '../../datasets/data-source'
import { conditionerFor } from '../conditions'
import { acganObjective } from './acgan'
import { cganObjective } from './cgan'
import { infoganObjective } from './infogan'
import type { GanObjective } from './objective'
import { pix2pixObjective } from './pix2pix'
import { unconditionalObjective } from './unconditional'

type Family = Exclude<ExperimentConfig['conditioning'], 'cyclegan'>

const FAMILIES: Record<Family, (config: ExperimentConfig, data: DataSource) => GanObjective> = {
  none: () => unconditionalObjective(),
  cgan: (config, data) => cganObjective(conditionerFor(config)!, data),
  acgan: (config, data) => acganObjective(conditionerFor(config)!, data, config.acgan?.fakeClassWeight ?? 1),
  infogan: (config) => infoganObjective(conditionerFor(config)!, infoganCodes(config).warmup),
  pix2pix: (config, data) => pix2pixObjective(data, config.pix2pix?.l1Weight ?? 100),
}

export function objectiveFor(config: ExperimentConfig, data: DataSource): GanObjective {
  if (config.conditioning === 'cyclegan')
    throw new Error('CycleGAN has two generators and two critics: it trains as a CycleGan, not with one objective')
  return FAMILIES[config.conditioning](config, data)
}
