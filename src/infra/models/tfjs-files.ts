// The tfjs layers format on disk (model.json + weights.bin) through a custom tf.io handler, so saving
// and loading need only @tensorflow/tfjs, not tfjs-node's file:// handler.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

function toBuffer(data: tf.io.WeightData | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  const joined = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return Buffer.from(joined);
}

/** Writes the model into `dir` (which must exist): model.json (topology + weights manifest) and weights.bin. */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save({
    save: async (artifacts: tf.io.ModelArtifacts) => {
      const weights = toBuffer(artifacts.weightData);
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(join(dir, WEIGHTS_BIN), weights);
      writeFileSync(join(dir, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  });
}

/** Reads a model saved by saveLayersModel (or by tfjs's own file handler with a single weights file). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const groups = json.weightsManifest ?? [];
  const buffers: Buffer[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const g of groups) {
    for (const p of g.paths) {
      if (p.includes('/') || p.includes('\\') || p.startsWith('.')) throw new Error(`Weights path '${p}' in ${MODEL_JSON} leaves the model folder`);
      buffers.push(readFileSync(join(dir, p)));
    }
    specs.push(...g.weights);
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return tf.loadLayersModel({
    load: async () => ({ modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy, weightSpecs: specs, weightData }),
  });
}
