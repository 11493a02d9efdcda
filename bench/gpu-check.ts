// `npm run gpu:check` (scripts/gpu-check.mjs runs this): proves the GPU path on a machine that has an
// NVIDIA GPU. Tries tensorflow-gpu (@tensorflow/tfjs-node-gpu), then webgpu (the `webgpu` package's
// Dawn), as backend.ts does; on the first that loads, trains the bench model (36 → 64 → 32 → 3, dropout
// 0.2, Adam, clipping, weighted cross-entropy) with the tfjs loop, and trains the same seeded run on the
// CPU with the fused trainer; prints the backend, samples/s and how far the two runs' losses and
// weights are apart. Exit codes: 0 = a GPU backend trained and agreed with the CPU (within 1e-3
// relative), or no GPU backend can run here (the reasons are printed: a machine without a GPU);
// 1 = a GPU backend ran but disagreed with the CPU; 2 = the check itself failed.
// KTRDR_GPU_CHECK_BACKENDS=cpu (or wasm) rehearses everything after the backend choice without a GPU.
import * as tf from '@tensorflow/tfjs';
import { rowSamples } from '../src/infra/models/samples';
import { gpuDetected, selectBackend, type BackendChoice } from '../src/worker/training/backend';
import { trainFusedMlp } from '../src/worker/training/fused/trainer';
import { buildModel, modelSpecFrom } from '../src/worker/training/model';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, trainModel, type TrainerConfig } from '../src/worker/training/trainer';
import { seededRandom } from './stats';

const SAMPLES = Number(process.env.KTRDR_GPU_CHECK_SAMPLES ?? 20_000);
const FEATURES = 36;
const TOLERANCE = 1e-3;

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

function maxRelative(a: tf.Tensor[], b: tf.Tensor[]): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].dataSync();
    const y = b[i].dataSync();
    let d = 0;
    let s = 0;
    for (let j = 0; j < x.length; j++) {
      d = Math.max(d, Math.abs(x[j] - y[j]));
      s = Math.max(s, Math.abs(x[j]), Math.abs(y[j]));
    }
    worst = Math.max(worst, d / Math.max(s, 1e-12));
  }
  return worst;
}

export async function gpuCheck(): Promise<{ code: number; report: Record<string, unknown> }> {
  const attempts: Record<string, string> = {};
  let choice: BackendChoice | null = null;
  // KTRDR_GPU_CHECK_BACKENDS=cpu rehearses the training and agreement part on a machine without a GPU.
  const order = (process.env.KTRDR_GPU_CHECK_BACKENDS?.split(',') ?? ['tensorflow-gpu', 'webgpu']) as BackendChoice['name'][];
  for (const name of order) {
    try {
      choice = await selectBackend({ force: name, timeoutMs: 30_000 });
      attempts[name] = 'loaded';
      break;
    } catch (err) {
      attempts[name] = (err as Error).message;
    }
  }
  const gpu = gpuDetected();
  if (!choice) {
    return { code: 0, report: { status: 'no-gpu-backend', gpu_device_detected: gpu, reason: gpu ? 'a GPU device node exists, but neither GPU backend could load (see attempts)' : 'no GPU on this machine (no /dev/nvidia0, /dev/dxg or /dev/dri/renderD*)', attempts } };
  }
  const train = data();
  const spec = modelSpecFrom({ architecture: { hidden_layers: [64, 32], dropout: 0.2 } }, FEATURES, 1).spec;
  const cfg: TrainerConfig = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 3, batchSize: 256, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null, yieldEvery: 64 };
  const onGpu = buildModel(spec);
  const gpuEpochs: number[] = [];
  const g = await trainModel(onGpu, train, null, cfg, { onEpoch: (r) => void gpuEpochs.push(r.duration) });
  const onCpu = buildModel(spec);
  const cpuEpochs: number[] = [];
  const c = await trainFusedMlp(onCpu, spec, train, null, cfg, { onEpoch: (r) => void cpuEpochs.push(r.duration) });
  const lossGap = Math.max(...g.history.map((h, i) => Math.abs(h.train_loss - c.history[i].train_loss) / Math.abs(c.history[i].train_loss)));
  const weightGap = maxRelative(onGpu.getWeights(), onCpu.getWeights());
  const agree = lossGap < TOLERANCE && weightGap < TOLERANCE;
  const rate = (secs: number[]) => Math.round(SAMPLES / Math.min(...secs.slice(1)));
  return {
    code: agree ? 0 : 1,
    report: {
      status: (choice.name === 'tensorflow-gpu' || choice.name === 'webgpu' ? 'gpu-' : 'rehearsal-') + (agree ? 'ok' : 'disagrees'),
      backend: choice.name,
      tf_backend: choice.tfBackend,
      details: choice.details,
      versions: choice.versions,
      attempts,
      samples: SAMPLES,
      batch_size: cfg.batchSize,
      gpu_samples_per_second: rate(gpuEpochs),
      cpu_fused_samples_per_second: rate(cpuEpochs),
      max_relative_loss_gap: lossGap,
      max_relative_weight_gap: weightGap,
      tolerance: TOLERANCE,
    },
  };
}

if (require.main === module) {
  gpuCheck()
    .then(({ code, report }) => {
      console.log(JSON.stringify(report, null, 2));
      if (report.status === 'no-gpu-backend') console.error(`gpu:check: ${String(report.reason)}; nothing to prove here (exit 0).`);
      process.exit(code);
    })
    .catch((err) => {
      console.error(`gpu:check failed: ${(err as Error).stack}`);
      process.exit(2);
    });
}
