/** A model builder template: a named generator and discriminator pair. */
import type { ModelSpecInput } from '../model/spec'

export interface ModelTemplate {
  name: string
  generator: ModelSpecInput
  discriminator: ModelSpecInput
  /** The catalog preset it was built from (its data, objective and optimizers), if any. */
  basePreset: string | null
  createdAt: string
  updatedAt: string
}
