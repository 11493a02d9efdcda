import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel, predictProbabilities } from '../../../src/infra/models/inference';
import type { NewModelManifest } from '../../../src/infra/models/manifest';
import { ModelNotFoundError, ModelPathError, ModelRegistry } from '../../../src/infra/models/registry';
import { SaveAbortedError, saveModelVersion } from '../../../src/infra/models/store';
import { selectBackend } from '../../../src/worker/training/backend';
import { buildModel, countParameters, describeArchitecture, modelSpecFrom, type ModelSpec } from '../../../src/worker/training/model';
import { syntheticMatrix } from './helpers';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

let home: string;
let registry: ModelRegistry;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-models-'));
  registry = ModelRegistry.forHome(home);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function manifestFor(spec: ModelSpec, params: number, accuracy: number): NewModelManifest {
  return {
    strategy_name: 'demo',
    strategy_hash: 'abc',
    strategy_version: '3.0',
    symbols: ['EURUSD'],
    timeframes: ['1d'],
    timeframe: '1d',
    output_type: 'classification',
    class_names: ['BUY', 'HOLD', 'SELL'],
    model: {
      type: spec.type,
      input_size: spec.inputSize,
      num_classes: 3,
      sequence_length: spec.sequenceLength,
      hidden_layers: spec.hiddenLayers,
      hidden_size: spec.hiddenSize,
      num_layers: spec.numLayers,
      dropout: spec.dropout,
      activation: spec.activation,
      parameters_count: params,
      architecture: describeArchitecture(spec),
    },
    features: Array.from({ length: spec.inputSize }, (_, i) => `1d_f${i}`),
    normalization: { method: 'none' },
    labels: { source: 'zigzag', zigzag_threshold: 0.02 },
    data: { start_date: '2020-01-01', end_date: '2020-12-31', content_hash: 'def', samples: { train: 70, validation: 15, test: 15 } },
    seed: 1,
    training: { epochs: 1 },
    backend: { name: 'cpu', versions: {}, details: {} },
    library_versions: {},
    training_metrics: { final_train_loss: 1 },
    test_metrics: { test_accuracy: accuracy },
  };
}

async function saveOne(spec: ModelSpec, accuracy = 0.5, shouldAbort?: () => boolean) {
  const model = buildModel(spec);
  const saved = await saveModelVersion(registry, {
    model,
    manifest: manifestFor(spec, countParameters(model), accuracy),
    strategyYaml: 'name: demo\n',
    features: { feature_names: spec.inputSize },
    shouldAbort,
  });
  return { model, saved };
}

describe('saveModelVersion', () => {
  it('writes models/<strategy>/<tf>_v<N> with model.json, weights.bin, metadata.json, strategy.yaml, features.json; N counts up', async () => {
    const spec = modelSpecFrom({}, 5, 1).spec;
    const a = await saveOne(spec);
    const b = await saveOne(spec);
    expect(a.saved.model_path).toBe('models/demo/1d_v1');
    expect(b.saved.model_path).toBe('models/demo/1d_v2');
    expect(readdirSync(b.saved.dir).sort()).toEqual(['features.json', 'metadata.json', 'model.json', 'strategy.yaml', 'weights.bin']);
    const meta = JSON.parse(readFileSync(join(b.saved.dir, 'metadata.json'), 'utf8'));
    expect(meta.version).toBe(2);
    expect(meta.created_at).toMatch(/Z$/);
    expect(meta.strategy_hash).toBe('abc');
    // no temp folder is left next to the versions
    expect(readdirSync(join(home, 'models', 'demo')).sort()).toEqual(['1d_v1', '1d_v2']);
    a.model.dispose();
    b.model.dispose();
  });

  it('round-trips: the loaded model predicts exactly what the saved one did', async () => {
    const spec = modelSpecFrom({ architecture: { hidden_layers: [7, 5], activation: 'leaky_relu' } }, 6, 3).spec;
    const { model, saved } = await saveOne(spec);
    const m = syntheticMatrix(50, 6, 2);
    const before = predictProbabilities(model, m);
    const loaded = await loadModel(saved.dir);
    const after = predictProbabilities(loaded.model, m, { batchSize: 7 });
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(loaded.manifest.features).toHaveLength(6);
    for (let r = 0; r < 50; r++) expect(after[r * 3] + after[r * 3 + 1] + after[r * 3 + 2]).toBeCloseTo(1, 5);
    model.dispose();
    loaded.model.dispose();
  });

  it('round-trips an LSTM; rows without a full window get NaN', async () => {
    const spec = modelSpecFrom({ type: 'lstm', architecture: { sequence_length: 4, hidden_size: 6, num_layers: 2 } }, 3, 3).spec;
    const { model, saved } = await saveOne(spec);
    const m = syntheticMatrix(20, 3, 2);
    const before = predictProbabilities(model, m);
    const loaded = await loadModel(saved.dir);
    const after = predictProbabilities(loaded.model, m);
    expect(Number.isNaN(after[0])).toBe(true);
    expect(Number.isNaN(after[3 * 3 - 1])).toBe(true);
    expect(Number.isFinite(after[3 * 3])).toBe(true);
    expect(Array.from(after.subarray(9))).toEqual(Array.from(before.subarray(9)));
    model.dispose();
    loaded.model.dispose();
  });

  it('an aborted save leaves no version and no temp folder', async () => {
    const spec = modelSpecFrom({}, 4, 1).spec;
    await expect(saveOne(spec, 0.5, () => true)).rejects.toBeInstanceOf(SaveAbortedError);
    expect(readdirSync(join(home, 'models', 'demo'))).toEqual([]);
    expect(registry.list()).toEqual([]);
  });
});

describe('ModelRegistry', () => {
  beforeEach(async () => {
    const spec = modelSpecFrom({}, 4, 1).spec;
    (await saveOne(spec, 0.4)).model.dispose();
    (await saveOne(spec, 0.6)).model.dispose();
  });

  it('lists models newest first with strategy, timeframe, version, created_at and metrics', () => {
    const list = registry.list();
    expect(list.map((m) => [m.strategy_name, m.timeframe, m.version])).toEqual([
      ['demo', '1d', 2],
      ['demo', '1d', 1],
    ]);
    expect(list[0].test_metrics).toEqual({ test_accuracy: 0.6 });
    expect(list[0].model_path).toBe('models/demo/1d_v2');
    expect(list[0].created_at).toMatch(/^\d{4}-/);
  });

  it('resolves every KTRDR form of a model path', () => {
    expect(registry.resolve('models/demo/1d_v1').version).toBe(1);
    expect(registry.resolve('demo/1d_v2').version).toBe(2);
    expect(registry.resolve('models/demo/1d_v1/model.pt').dir).toBe(join(home, 'models', 'demo', '1d_v1'));
    expect(registry.resolve('demo/1d_latest').version).toBe(2);
    expect(registry.resolve(join(home, 'models', 'demo', '1d_v1')).version).toBe(1);
  });

  it('never escapes the models directory', () => {
    for (const bad of ['../demo/1d_v1', 'models/../../etc/1d_v1', 'demo/../../x/1d_v1', '/etc/passwd', join(home, 'other', '1d_v1'), 'demo/1d_v1/../../../../etc']) {
      expect(() => registry.resolve(bad), bad).toThrow(ModelPathError);
    }
  });

  it('a missing version names the versions that exist', () => {
    let err: unknown;
    try {
      registry.resolve('demo/1d_v9');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect((err as Error).message).toContain('1d_v1, 1d_v2');
    expect(() => registry.resolve('nope/1h_latest')).toThrow(/No trained models for strategy 'nope'/);
    expect(() => registry.resolve('demo/1h_latest')).toThrow(/available versions: 1d_v1, 1d_v2/);
  });

  it('finds no models in an empty home', () => {
    expect(ModelRegistry.forHome(join(home, 'nothing')).list()).toEqual([]);
    expect(existsSync(join(home, 'nothing'))).toBe(false);
  });
});
