/**
 * Layers that only the workbench can rebuild: their tfjs class is registered in the workbench's
 * own process (src-main/training/blur-pooling.ts), so exported model files that contain one do not
 * load in plain TensorFlow.js, the offline sampler page, the Python loader or the SavedModel
 * converter. Exports refuse them by name; a bundle (which another workbench imports) carries them.
 */
import type { LayerSpec, ModelSpec } from './spec'
import { toGraph } from './shape-inference'

const WORKBENCH_ONLY: ReadonlySet<LayerSpec['type']> = new Set(['blurPooling2d'])

/** The names of a spec's nodes whose layer only the workbench can rebuild. */
export function workbenchOnlyNodes(spec: ModelSpec): string[] {
  return toGraph(spec)
    .nodes.filter((n) => WORKBENCH_ONLY.has(n.layer.type))
    .map((n) => `${n.name} (${n.layer.type})`)
}
