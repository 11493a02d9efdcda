// Training throughput, side by side with PyTorch in the same run. Models: the KTRDR-sized MLP
// (36 → 64 → 32 → 3, dropout 0.2, Adam, global-norm clipping, weighted cross-entropy) at batch 32 and
// 256 on 50,000 samples, and seed 004's recurrent shape (2 × 64 LSTM, and the same GRU, over windows
// of 20 rows of 36 features, batch 32). Our side trains with whatever the pipeline would pick on this
// machine (chooseTrainer: the fused trainer for what it covers, tfjs otherwise); PyTorch runs the
// same model and recipe on one thread (bench/pytorch_training.py, a long-lived process), and the two
// are interleaved round by round (ours, then PyTorch's, ROUNDS times) so machine load hits both
// alike; each row reports medians and `ratio_to_pytorch_same_run` = our samples/s ÷ PyTorch's.
// PyTorch is a benchmark-only dependency: without `/usr/bin/python3 -c "import torch"` (or
// KTRDR_BENCH_PYTHON) the rows carry our numbers only and `pytorch.unavailable` says why.
// Also: tfjs backends for the MLP (KTRDR_BENCH_BACKENDS=fused,wasm,cpu,… picks; default fused +
// wasm), and fused LSTM inference over 100k bars (backtest's path). Run alone: `npx tsx bench/training.ts`.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type * as tf from '@tensorflow/tfjs';
import { rowSamples, windowSamples } from '../src/infra/models/samples';
import { selectBackend, type BackendName } from '../src/worker/training/backend';
import { chooseTrainer } from '../src/worker/training/fused/choice';
import { trainFused } from '../src/worker/training/fused/trainer';
import { buildModel, modelSpecFrom, type ModelSpec, type ModelType } from '../src/worker/training/model';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, trainModel, type LabelledSamples } from '../src/worker/training/trainer';
import { median, round, seededRandom } from './stats';

const FEATURES = 36;
const MLP_SAMPLES = 50_000;
const SEQ = 20;
/** Recurrent epochs are ~100× costlier per sample: fewer samples keep the bench short. */
const RNN_SAMPLES = Number(process.env.KTRDR_BENCH_RNN_SAMPLES ?? 4_096);
const ROUNDS = Number(process.env.KTRDR_BENCH_ROUNDS ?? 3);
const INFER_BARS = 100_000;

interface Data {
  values: Float32Array;
  labels: Int32Array;
}

/** Uniform features, labels from the first two (as the PyTorch side draws its own from the same rule). */
function data(n: number): Data {
  const r = seededRandom(7);
  const values = new Float32Array(n * FEATURES);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < FEATURES; c++) values[i * FEATURES + c] = r();
    const s = values[i * FEATURES] + values[i * FEATURES + 1];
    labels[i] = s > 1.2 ? 0 : s < 0.8 ? 2 : 1;
  }
  return { values, labels };
}

function samplesFor(type: ModelType, d: Data, n: number): LabelledSamples {
  if (type === 'mlp') return { samples: rowSamples(d.values, FEATURES, Int32Array.from({ length: n }, (_, i) => i)), labels: d.labels.subarray(0, n) };
  const ends = Int32Array.from({ length: n }, (_, i) => i + SEQ - 1);
  return { samples: windowSamples(d.values, FEATURES, ends, SEQ), labels: d.labels.subarray(SEQ - 1, SEQ - 1 + n) };
}

function specOf(type: ModelType): ModelSpec {
  const arch = type === 'mlp' ? { hidden_layers: [64, 32], dropout: 0.2 } : { hidden_size: 64, num_layers: 2, dropout: 0.2, sequence_length: SEQ };
  return modelSpecFrom({ type, architecture: arch }, FEATURES, 1).spec;
}

/** Seconds of our epochs 2..1+epochs (epoch 1 warms the JIT and is dropped), on the trainer the pipeline would pick. */
async function oursEpochs(type: ModelType, batchSize: number, train: LabelledSamples, backend: BackendName, epochs = 1): Promise<{ secs: number[]; trainer: string }> {
  const spec = specOf(type);
  const model: tf.Sequential = buildModel(spec);
  const durations: number[] = [];
  const cfg = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: epochs + 1, batchSize, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null, yieldEvery: 64 };
  const hooks = { onEpoch: (r: { duration: number }) => void durations.push(r.duration) };
  const trainer = chooseTrainer(spec.type, backend);
  if (trainer === 'fused-js') await trainFused(model, spec, train, null, cfg, hooks);
  else await trainModel(model, train, null, cfg, hooks);
  model.dispose();
  return { secs: durations.slice(1), trainer };
}

/** The PyTorch worker, or why there is none. */
class Torch {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  version = '';

  private constructor(python: string) {
    this.child = spawn(python, [join(__dirname, 'pytorch_training.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (b: Buffer) => process.stderr.write(`[pytorch] ${b.toString()}`));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  static open(): { torch: Torch | null; reason?: string; python: string } {
    const python = process.env.KTRDR_BENCH_PYTHON ?? '/usr/bin/python3';
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.error) return { torch: null, reason: `${python} could not run: ${probe.error.message}`, python };
    if (probe.status !== 0) return { torch: null, reason: `${python} -c "import torch" failed: ${(probe.stderr || '').trim().split('\n').pop()}`, python };
    return { torch: new Torch(python), python };
  }

  async ask(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.child.stdin.write(JSON.stringify(cmd) + '\n');
    const next = await this.lines.next();
    if (next.done) throw new Error('the PyTorch process ended');
    const out = JSON.parse(next.value) as Record<string, unknown>;
    if (out.error) throw new Error(`PyTorch: ${String(out.error)}`);
    return out;
  }

  async epoch(model: ModelType, batch: number, samples: number): Promise<number> {
    return Number((await this.ask({ cmd: 'epoch', model, batch, samples })).seconds);
  }

  close(): void {
    this.child.stdin.end();
  }
}

function rate(n: number, secs: number[]): number {
  return secs.length ? n / median(secs) : NaN;
}

export async function benchTraining(): Promise<Record<string, unknown>> {
  const all = data(Math.max(MLP_SAMPLES, RNN_SAMPLES + SEQ, INFER_BARS));
  const wanted = process.env.KTRDR_BENCH_BACKENDS?.split(',') ?? ['fused', 'wasm'];
  const { torch, reason, python } = Torch.open();
  if (!torch) console.error(`PyTorch is not measured: ${reason}`);
  if (torch) {
    const ok = await torch.ask({ cmd: 'setup', samples: MLP_SAMPLES, features: FEATURES, seq: SEQ, seed: 7 });
    torch.version = String(ok.torch);
  }
  // Our default on this machine: what selectBackend picks (wasm here; the fused trainer runs on top of it).
  const backend = (await selectBackend({ timeoutMs: 15_000 })).name;
  const runs: Record<string, unknown>[] = [];
  const cases: Array<{ type: ModelType; batch: number; n: number }> = [
    { type: 'mlp', batch: 32, n: MLP_SAMPLES },
    { type: 'mlp', batch: 256, n: MLP_SAMPLES },
    { type: 'lstm', batch: 32, n: RNN_SAMPLES },
    { type: 'gru', batch: 32, n: RNN_SAMPLES },
  ];
  for (const c of cases) {
    if (c.type === 'mlp' && !wanted.includes('fused')) continue;
    const train = samplesFor(c.type, all, c.n);
    const ours: number[] = [];
    const theirs: number[] = [];
    let trainer = '';
    if (torch) await torch.epoch(c.type, c.batch, c.n); // PyTorch's warm-up epoch (ours drops its first)
    for (let r = 0; r < ROUNDS; r++) {
      const o = await oursEpochs(c.type, c.batch, train, backend);
      trainer = o.trainer;
      ours.push(...o.secs);
      if (torch) theirs.push(await torch.epoch(c.type, c.batch, c.n));
    }
    const ourRate = rate(c.n, ours);
    const torchRate = rate(c.n, theirs);
    const ratio = torch ? round(ourRate / torchRate, 3) : null;
    console.error(`${c.type} batch ${c.batch} (${trainer} on ${backend}): ${Math.round(ourRate)} samples/s; PyTorch ${torch ? Math.round(torchRate) : '—'}; ratio ${ratio ?? '—'}`);
    runs.push({
      model: c.type === 'mlp' ? 'mlp 36→64→32→3' : `${c.type} 2×64 over ${SEQ}×${FEATURES}`,
      trainer,
      backend,
      batch_size: c.batch,
      samples: c.n,
      samples_per_second: Math.round(ourRate),
      epoch_seconds: ours.map((s) => round(s, 3)),
      pytorch_samples_per_second: torch ? Math.round(torchRate) : null,
      pytorch_epoch_seconds: theirs.map((s) => round(s, 3)),
      ratio_to_pytorch_same_run: ratio,
      threads: 1,
    });
  }
  torch?.close();

  // The MLP on tfjs backends (the tfjs loop; reference numbers for what the fused trainer replaces).
  const unavailable: Record<string, string> = {};
  for (const name of wanted.filter((w) => w !== 'fused') as BackendName[]) {
    try {
      await selectBackend({ force: name, timeoutMs: 15_000 });
    } catch (err) {
      unavailable[name] = (err as Error).message;
      continue;
    }
    const train = samplesFor('mlp', all, MLP_SAMPLES);
    for (const batch of [32, 256]) {
      const spec = specOf('mlp');
      const model = buildModel(spec);
      const durations: number[] = [];
      const cfg = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: 2, batchSize: batch, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null, yieldEvery: 64 };
      await trainModel(model, train, null, cfg, { onEpoch: (r) => void durations.push(r.duration) });
      model.dispose();
      runs.push({ model: 'mlp 36→64→32→3', trainer: 'tfjs', backend: name, batch_size: batch, samples: MLP_SAMPLES, samples_per_second: Math.round(rate(MLP_SAMPLES, durations.slice(1))), epoch_seconds: durations.slice(1).map((s) => round(s, 3)), threads: 1 });
    }
  }
  await selectBackend({ force: backend });

  return {
    name: 'training throughput, ours vs PyTorch (one thread each, interleaved in one run)',
    rounds: ROUNDS,
    pytorch: torch ? { python, version: torch.version, threads: 1 } : { python, unavailable: reason },
    runs,
    unavailable,
    inference: await benchRnnInference(all),
  };
}

/** LSTM inference over 100k bars as a backtest runs it (the fused predictor), with tfjs's predictProbabilities on a slice for reference. */
async function benchRnnInference(all: Data): Promise<Record<string, unknown>> {
  const infer = await import('../src/worker/training/fused/infer');
  const { predictProbabilities } = await import('../src/infra/models/inference');
  const spec = specOf('lstm');
  const model = buildModel(spec);
  const bars = Math.min(INFER_BARS, all.values.length / FEATURES);
  const matrix = { rows: bars, cols: FEATURES, values: all.values.subarray(0, bars * FEATURES) };
  const predictor = infer.fusedInferenceFor(model, { type: 'lstm', sequence_length: SEQ }, String((await selectBackend()).name));
  const tfjsBars = Number(process.env.KTRDR_BENCH_TFJS_BARS ?? 3_000);
  const slice = { rows: tfjsBars, cols: FEATURES, values: all.values.subarray(0, tfjsBars * FEATURES) };
  predictProbabilities(model, { ...slice, rows: 200 }); // warm-up
  const t0 = performance.now();
  predictProbabilities(model, slice);
  const tfjsRate = tfjsBars / ((performance.now() - t0) / 1000);
  if (!predictor) {
    model.dispose();
    return { model: 'lstm 2×64', bars, path: 'tfjs', note: 'the fused predictor does not cover this model here', tfjs_bars_per_second: Math.round(tfjsRate) };
  }
  predictor.predict({ ...matrix, rows: Math.min(bars, 2000) }); // warm-up
  const secs: number[] = [];
  // 100k LSTM windows are ~10¹¹ multiply-adds: one timed pass unless asked for more.
  for (let r = 0; r < Number(process.env.KTRDR_BENCH_INFER_ROUNDS ?? 1); r++) {
    const t1 = performance.now();
    await predictor.predictAsync(matrix);
    secs.push((performance.now() - t1) / 1000);
  }
  model.dispose();
  const s = median(secs);
  console.error(`lstm inference over ${bars} bars (${predictor.kind}): ${round(s, 3)} s, ${Math.round(bars / s)} bars/s; tfjs ${Math.round(tfjsRate)} bars/s`);
  return {
    model: 'lstm 2×64 over 20 rows',
    bars,
    path: predictor.kind,
    seconds: secs.map((x) => round(x, 3)),
    bars_per_second: Math.round(bars / s),
    tfjs_bars_per_second: Math.round(tfjsRate),
    tfjs_measured_on_bars: tfjsBars,
    speedup_vs_tfjs: round(bars / s / tfjsRate, 2),
  };
}

if (require.main === module) {
  benchTraining().then((r) => console.log(JSON.stringify(r, null, 2)));
}
