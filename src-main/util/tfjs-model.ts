/**
 * A tfjs LayersModel as the standard TensorFlow.js files (model.json + one weights file), written
 * with tf.io.withSaveHandler so no tfjs-node is needed; and read back the same way.
 */
import * as tf from '@tensorflow/tfjs'

export interface TfjsFiles {
  /** model.json, pointing at `weightsFile`. */
  modelJson: string
  weights: Buffer
}

export const WEIGHTS_FILE = 'weights.bin'

export async function toTfjsFiles(model: tf.LayersModel): Promise<TfjsFiles> {
  let files: TfjsFiles | undefined
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data]
      files = {
        modelJson: JSON.stringify({
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
        }),
        weights: Buffer.concat(buffers.map((b) => Buffer.from(b))),
      }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  return files!
}

/** Loads the files `toTfjsFiles` wrote (from memory: works in Node without tfjs-node). */
export async function fromTfjsFiles(files: TfjsFiles): Promise<tf.LayersModel> {
  const json = JSON.parse(files.modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] }
  const weightData = files.weights.buffer.slice(
    files.weights.byteOffset,
    files.weights.byteOffset + files.weights.byteLength,
  ) as ArrayBuffer
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }),
  )
}
