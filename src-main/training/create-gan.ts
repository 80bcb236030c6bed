/** The GAN family a config names, behind the one GanModel interface. */
import type { ExperimentConfig } from '../../src-shared/config/experiment'
import type { DataSource } from '../datasets/data-source'
import type { GanModel } from './gan-model'
import { VanillaGan } from './vanilla-gan'
import { CycleGan } from './cycle-gan'

export function createGan(config: ExperimentConfig, data: DataSource): GanModel {
  return config.conditioning === 'cyclegan' ? new CycleGan(config, data) : new VanillaGan(config, data)
}
