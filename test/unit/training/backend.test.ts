import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, parseBackendName, selectBackend } from '../../../src/worker/training/backend';
import { buildModel, modelSpecFrom } from '../../../src/worker/training/model';
import { DEFAULT_TRAINER_CONFIG, trainModel } from '../../../src/worker/training/trainer';
import { labelled, syntheticMatrix } from './helpers';

const resolvable = (id: string) => {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
};

describe('selectBackend', () => {
  it('walks the order tensorflow-gpu → webgpu → tensorflow-cpu → wasm → cpu and records why each earlier one was skipped', async () => {
    const env = { ...process.env, KTRDR_TF_BACKEND: '', KTRDR_ENABLE_WEBGPU: '' };
    const choice = await selectBackend({ env, timeoutMs: 10_000 });
    const idx = BACKEND_ORDER.indexOf(choice.name);
    expect(choice.skipped.map((s) => s.name)).toEqual(BACKEND_ORDER.slice(0, idx));
    for (const s of choice.skipped) expect(s.reason.length).toBeGreaterThan(5);
    expect(choice.forced).toBe(false);
    expect(choice.versions['tfjs-core']).toBe(tf.version_core);
    expect(tf.getBackend()).toBe(choice.tfBackend);
    if (!resolvable('@tensorflow/tfjs-node') && !resolvable('@tensorflow/tfjs-node-gpu')) {
      // This machine: no tfjs-node, no GPU ⇒ wasm with SIMD.
      expect(choice.name).toBe('wasm');
      expect(choice.details.simd).toBe(true);
      expect(choice.versions['tfjs-backend-wasm']).toBe('4.22.0');
    }
  });

  it('trains on the wasm backend (every kernel of the loop exists there)', async () => {
    const choice = await selectBackend({ force: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.forced).toBe(true);
    const m = syntheticMatrix(200, 6, 1);
    const model = buildModel(modelSpecFrom({ architecture: { hidden_layers: [8, 4] } }, 6, 1).spec);
    const out = await trainModel(model, labelled(m.values, 6, m.labels, 0, 150), labelled(m.values, 6, m.labels, 150, 200), {
      ...DEFAULT_TRAINER_CONFIG,
      numClasses: 3,
      epochs: 2,
    });
    expect(out.history.every((h) => Number.isFinite(h.train_loss) && Number.isFinite(h.val_loss))).toBe(true);
    model.dispose();
  });

  it('honours a forced backend (KTRDR_TF_BACKEND) and switches to it', async () => {
    const choice = await selectBackend({ env: { KTRDR_TF_BACKEND: 'cpu' } });
    expect(choice.name).toBe('cpu');
    expect(choice.forced).toBe(true);
    expect(choice.skipped).toEqual([]);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('fails loudly when a forced backend cannot load, instead of silently falling back', async () => {
    if (resolvable('@tensorflow/tfjs-node')) {
      await expect(selectBackend({ force: 'tensorflow-cpu' })).resolves.toMatchObject({ name: 'tensorflow-cpu' });
    } else {
      await expect(selectBackend({ force: 'tensorflow-cpu' })).rejects.toThrow(/KTRDR_TF_BACKEND=tensorflow-cpu could not be used: .*tfjs-node/);
    }
  });

  it('tries WebGPU when asked (KTRDR_ENABLE_WEBGPU=1) and never hangs without a GPU', async () => {
    const choice = await selectBackend({ env: { KTRDR_ENABLE_WEBGPU: '1' }, timeoutMs: 15_000 });
    if (choice.name !== 'webgpu') {
      const w = choice.skipped.find((s) => s.name === 'webgpu');
      expect(w?.reason).toMatch(/adapter|webgpu|Dawn|did not finish/i);
    } else {
      expect(choice.details.adapter).toBeDefined();
    }
  });

  it('rejects unknown backend names with the list of valid ones', () => {
    expect(() => parseBackendName('cuda')).toThrow(/tensorflow-gpu, webgpu, tensorflow-cpu, wasm, cpu/);
    expect(parseBackendName('tensorflow')).toBe('tensorflow-cpu');
  });
});
