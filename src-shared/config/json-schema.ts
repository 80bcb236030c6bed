/** The experiment config as JSON Schema (for editors and other tools); committed in resources/. */
import { z } from 'zod'
import { experimentConfigSchema } from './experiment'

export function experimentJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(experimentConfigSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://gan-workbench.local/schemas/experiment-config.schema.json',
    title: 'GAN Workbench experiment config',
  }
}
