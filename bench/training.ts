// Training throughput: samples/second for the KTRDR-sized MLP (36 → 64 → 32 → 3, dropout 0.2, Adam,
// global-norm clipping, weighted cross-entropy) on 50,000 samples, batch 32 and 256, on every tfjs
// backend that loads here, and for the fused JS trainer (src/worker/training/fused, what wasm/cpu runs
// use for MLPs). One warm-up epoch, then the median of 3 epochs. Compared with PyTorch on one CPU core
// (95,000 samples/s at batch 32, 370,000 at 256). Run alone: `npx tsx bench/training.ts`;
// KTRDR_BENCH_BACKENDS=fused-js,wasm picks rows.
import { rowSamples } from '../src/infra/models/samples';
import { BACKEND_ORDER, selectBackend, type BackendName } from '../src/worker/training/backend';
import { trainFusedMlp } from '../src/worker/training/fused/trainer';
import { buildModel, modelSpecFrom } from '../src/worker/training/model';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, trainModel } from '../src/worker/training/trainer';
import { median, round, seededRandom } from './stats';

const SAMPLES = 50_000;
const FEATURES = 36;
const PYTORCH_ONE_CORE: Record<number, number> = { 32: 95_000, 256: 370_000 };

function data() {
  const r = seededRandom(7);
  const values = new Float32Array(SAMPLES * FEATURES);
  const labels = new Int32Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    for (let c = 0; c < FEATURES; c++) values[i * FEATURES + c] = r();
    const s = values[i * FEATURES] + values[i * FEATURES + 1];
    labels[i] = s > 1.2 ? 0 : s < 0.8 ? 2 : 1;
  }
  return { samples: rowSamples(values, FEATURES, Int32Array.from({ length: SAMPLES }, (_, i) => i)), labels };
}

async function epochSeconds(batchSize: number, train: ReturnType<typeof data>, fused = false): Promise<number[]> {
  const spec = modelSpecFrom({ architecture: { hidden_layers: [64, 32], dropout: 0.2 } }, FEATURES, 1).spec;
  const model = buildModel(spec);
  const durations: number[] = [];
  const cfg = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 4, batchSize, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null, yieldEvery: 64 };
  const hooks = { onEpoch: (r: { duration: number }) => void durations.push(r.duration) };
  if (fused) await trainFusedMlp(model, spec, train, null, cfg, hooks);
  else await trainModel(model, train, null, cfg, hooks);
  model.dispose();
  return durations.slice(1); // drop the warm-up epoch
}

function row(name: string, batch: number, secs: number[], details: Record<string, unknown>): Record<string, unknown> {
  const rate = SAMPLES / median(secs);
  console.error(`${name} batch ${batch}: ${Math.round(rate)} samples/s (${round(rate / PYTORCH_ONE_CORE[batch], 3)}× PyTorch one core)`);
  return {
    backend: name,
    batch_size: batch,
    samples_per_second: Math.round(rate),
    epoch_seconds: secs.map((s) => round(s, 3)),
    ratio_to_pytorch_one_core: round(rate / PYTORCH_ONE_CORE[batch], 3),
    backend_details: details,
  };
}

export async function benchTraining(): Promise<Record<string, unknown>> {
  const train = data();
  const wanted = process.env.KTRDR_BENCH_BACKENDS?.split(',');
  const candidates: BackendName[] = (wanted as BackendName[] | undefined) ?? ['tensorflow-gpu', 'webgpu', 'tensorflow-cpu', 'wasm', 'cpu'];
  const runs: Record<string, unknown>[] = [];
  const unavailable: Record<string, string> = {};
  // The fused trainer first: plain JS, single thread, independent of the tfjs backend.
  if (!wanted || wanted.includes('fused-js')) {
    await selectBackend({ force: 'cpu' }); // only for building the tfjs model the weights go back into
    for (const batch of [32, 256]) runs.push(row('fused-js', batch, await epochSeconds(batch, train, true), { trainer: 'fused-js', threads: 1 }));
  }
  for (const name of BACKEND_ORDER.filter((b) => candidates.includes(b))) {
    let details: Record<string, unknown>;
    try {
      const choice = await selectBackend({ force: name, timeoutMs: 15_000 });
      details = choice.details;
    } catch (err) {
      unavailable[name] = (err as Error).message;
      continue;
    }
    for (const batch of [32, 256]) runs.push(row(name, batch, await epochSeconds(batch, train), { ...details, trainer: 'tfjs' }));
  }
  return { name: 'training throughput (MLP 36→64→32→3, 50,000 samples)', samples: SAMPLES, pytorch_one_core: PYTORCH_ONE_CORE, runs, unavailable };
}

if (require.main === module) {
  benchTraining().then((r) => console.log(JSON.stringify(r, null, 2)));
}
