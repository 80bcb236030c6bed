/**
 * Resize-convolution (Odena, Dumoulin & Olah 2016, "Deconvolution and Checkerboard Artifacts"): a
 * transposed convolution of stride s whose kernel size is not a multiple of s paints some output
 * pixels with more kernel taps than others, a checkerboard. Up-sampling by s (nearest neighbour)
 * and then a stride-1 convolution with the same filters, kernel, activation and bias spreads every
 * pixel evenly, with the same parameter count and output shape.
 *
 * Only 'same'-padded transposed convolutions with a stride above 1 are replaced: those are the
 * up-sampling ones, and only for them does up-sample-then-convolve give the same output shape.
 * Applying it twice changes nothing.
 */
import { isGraphSpec, IDENTIFIER_PATTERN, type LayerSpec, type ModelSpec } from './spec'

/** A transposed convolution that up-samples, the kind this rewrite replaces. */
export function isUpsamplingTransposedConv(layer: LayerSpec): boolean {
  return layer.type === 'conv2dTranspose' && layer.strides > 1 && layer.padding === 'same'
}

function split(layer: LayerSpec): [LayerSpec, LayerSpec] | undefined {
  if (layer.type !== 'conv2dTranspose' || !isUpsamplingTransposedConv(layer)) return undefined
  return [
    { type: 'upSampling2d', size: layer.strides },
    { ...layer, type: 'conv2d', strides: 1 },
  ]
}

/** A name for the up-sampling node in front of `name` that no node has yet. */
function freshName(name: string, taken: Set<string>): string {
  const base = `${name.slice(0, 30)}_resize`
  let candidate = base
  for (let i = 2; taken.has(candidate) || !IDENTIFIER_PATTERN.test(candidate); i++) candidate = `${base}${i}`
  taken.add(candidate)
  return candidate
}

export function withResizeConvolutions(spec: ModelSpec): ModelSpec {
  if (!isGraphSpec(spec)) return { ...spec, layers: spec.layers.flatMap((l) => split(l) ?? [l]) }
  const taken = new Set([...spec.inputs.map((i) => i.name), ...spec.nodes.map((n) => n.name)])
  return {
    ...spec,
    nodes: spec.nodes.flatMap((node) => {
      const parts = split(node.layer)
      if (!parts) return [node]
      // The convolution keeps the node's name, so everything that reads it still does.
      const resize = freshName(node.name, taken)
      return [
        { name: resize, layer: parts[0], inputs: node.inputs },
        { ...node, layer: parts[1], inputs: [resize] },
      ]
    }),
  }
}
