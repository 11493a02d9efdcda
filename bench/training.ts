// Training throughput, side by side with PyTorch in the same run, at one thread and at every core.
// Models: the KTRDR-sized MLP (36 → 64 → 32 → 3, dropout 0.2, Adam, global-norm clipping, weighted
// cross-entropy) at batch 32 and 256 on 50,000 samples, and seed 004's recurrent shape (2 × 64 LSTM,
// and the same GRU, over windows of 20 rows of 36 features, batch 32). Our side trains with whatever
// the pipeline would pick on this machine (chooseTrainer: the fused trainer for what it covers, tfjs
// otherwise) at 1 thread and at all cores (KTRDR_THREADS, else one per core); PyTorch runs the same
// model and recipe (bench/pytorch_training.py, a long-lived process) at 1 thread and at each count up
// to the cores, and its best count is the one compared with. Every configuration runs once per round,
// interleaved, ROUNDS rounds, so machine load hits all alike; rows report medians, the ratio of our
// all-core rate to PyTorch's best, and whether it meets the 1.5× goal. The machine's load average at
// the start and end is recorded: on a shared machine the numbers move with it.
// PyTorch is a benchmark-only dependency: without `/usr/bin/python3 -c "import torch"` (or
// KTRDR_BENCH_PYTHON) the rows carry our numbers only and `pytorch.unavailable` says why.
// Also: the MLP on tfjs backends (KTRDR_BENCH_BACKENDS=fused,wasm,cpu,… picks; default fused + wasm),
// and inference bars/s as backtests run it: the MLP, and the LSTM at 1 thread and at all cores (with
// the float64 path and tfjs for reference). Run alone: `npx tsx bench/training.ts`.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type * as tf from '@tensorflow/tfjs';
import { rowSamples, windowSamples } from '../src/infra/models/samples';
import { selectBackend, type BackendName } from '../src/worker/training/backend';
import { chooseTrainer } from '../src/worker/training/fused/choice';
import { threadsFromEnv } from '../src/worker/training/fused/threads/config';
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
const MLP_INFER_BARS = 1_000_000;
/** Our rate at all cores ÷ PyTorch's at its best thread count, per row. */
const GOAL = 1.5;

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

/** CPU seconds this process (every thread) has used. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Wall and CPU seconds of our epochs 2..1+epochs (epoch 1 warms the JIT and starts the threads;
 * dropped), on the trainer the pipeline would pick. CPU seconds count every thread of the process.
 */
async function oursEpochs(type: ModelType, batchSize: number, train: LabelledSamples, backend: BackendName, threads: number, epochs = 1): Promise<{ secs: number[]; cpu: number[]; trainer: string }> {
  const spec = specOf(type);
  const model: tf.Sequential = buildModel(spec);
  const durations: number[] = [];
  const cpuAt: number[] = [];
  const cfg = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: epochs + 1, batchSize, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null, yieldEvery: 64 };
  const hooks = {
    threads,
    onEpoch: (r: { duration: number }) => {
      durations.push(r.duration);
      cpuAt.push(cpuSeconds());
    },
  };
  const trainer = chooseTrainer(spec.type, backend);
  if (trainer === 'fused-js') await trainFused(model, spec, train, null, cfg, hooks);
  else await trainModel(model, train, null, cfg, hooks);
  model.dispose();
  return { secs: durations.slice(1), cpu: cpuAt.slice(1).map((c, i) => c - cpuAt[i]), trainer };
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

  async epoch(model: ModelType, batch: number, samples: number, threads: number): Promise<{ secs: number; cpu: number }> {
    await this.ask({ cmd: 'threads', n: threads });
    const out = await this.ask({ cmd: 'epoch', model, batch, samples });
    return { secs: Number(out.seconds), cpu: Number(out.cpu_seconds) };
  }

  close(): void {
    this.child.stdin.end();
  }
}

function rate(n: number, secs: number[]): number {
  return secs.length ? n / median(secs) : NaN;
}

/** 1 and the core count for us; for PyTorch every power of two below the cores, and the cores. */
function threadCounts(cores: number): { ours: number[]; torch: number[] } {
  const torch = [1];
  for (let t = 2; t < cores; t *= 2) torch.push(t);
  if (cores > 1) torch.push(cores);
  return { ours: cores > 1 ? [1, cores] : [1], torch };
}

/** The best of a {threads: samples/s} table. */
function best(rates: Record<string, number>): { threads: number; rate: number } {
  let top = { threads: 0, rate: -Infinity };
  for (const [t, r] of Object.entries(rates)) if (r > top.rate) top = { threads: Number(t), rate: r };
  return top;
}

const perThreads = (secs: Map<number, number[]>, n: number) => Object.fromEntries([...secs].map(([t, s]) => [String(t), Math.round(rate(n, s))]));

/** Wall and CPU seconds per thread count. */
class Timings {
  readonly wall = new Map<number, number[]>();
  readonly cpu = new Map<number, number[]>();

  constructor(counts: number[]) {
    for (const t of counts) {
      this.wall.set(t, []);
      this.cpu.set(t, []);
    }
  }

  add(threads: number, wall: number[], cpu: number[]): void {
    this.wall.get(threads)!.push(...wall);
    this.cpu.get(threads)!.push(...cpu);
  }
}
const epochTable = (secs: Map<number, number[]>) => Object.fromEntries([...secs].map(([t, s]) => [String(t), s.map((x) => round(x, 3))]));

export async function benchTraining(): Promise<Record<string, unknown>> {
  const loadStart = loadavg().map((x) => round(x, 2));
  const cores = threadsFromEnv();
  const counts = threadCounts(cores);
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
    const ours = new Timings(counts.ours);
    const theirs = new Timings(torch ? counts.torch : []);
    let trainer = '';
    if (torch) for (const t of counts.torch) await torch.epoch(c.type, c.batch, c.n, t); // PyTorch's warm-up epochs (ours drop their first)
    for (let r = 0; r < ROUNDS; r++) {
      for (const t of counts.ours) {
        const o = await oursEpochs(c.type, c.batch, train, backend, t);
        trainer = o.trainer;
        ours.add(t, o.secs, o.cpu);
      }
      if (torch)
        for (const t of counts.torch) {
          const e = await torch.epoch(c.type, c.batch, c.n, t);
          theirs.add(t, [e.secs], [e.cpu]);
        }
    }
    const oursRates = perThreads(ours.wall, c.n);
    const torchRates = perThreads(theirs.wall, c.n);
    const ourAll = oursRates[String(cores)];
    const torchBest = torch ? best(torchRates) : null;
    const ratio = torchBest ? round(ourAll / torchBest.rate, 3) : null;
    const ratio1 = torch ? round(oursRates['1'] / torchRates['1'], 3) : null;
    console.error(
      `${c.type} batch ${c.batch} (${trainer} on ${backend}): ours ${JSON.stringify(oursRates)} samples/s; PyTorch ${torch ? JSON.stringify(torchRates) : '—'}; ` +
        `ours at ${cores} threads ÷ PyTorch's best (${torchBest?.threads ?? '—'} threads) = ${ratio ?? '—'}`,
    );
    runs.push({
      model: c.type === 'mlp' ? 'mlp 36→64→32→3' : `${c.type} 2×64 over ${SEQ}×${FEATURES}`,
      trainer,
      backend,
      batch_size: c.batch,
      samples: c.n,
      samples_per_second_by_threads: oursRates,
      epoch_seconds_by_threads: epochTable(ours.wall),
      // Per CPU-second of the whole process (all its threads): what a core delivers, less sensitive to a shared machine's load.
      samples_per_cpu_second_by_threads: perThreads(ours.cpu, c.n),
      pytorch_samples_per_second_by_threads: torch ? torchRates : null,
      pytorch_epoch_seconds_by_threads: torch ? epochTable(theirs.wall) : null,
      pytorch_samples_per_cpu_second_by_threads: torch ? perThreads(theirs.cpu, c.n) : null,
      pytorch_best_threads: torchBest?.threads ?? null,
      threads: cores,
      samples_per_second: ourAll,
      ratio_to_pytorch_best: ratio,
      ratio_one_thread_each: ratio1,
      goal: GOAL,
      goal_met: ratio === null ? null : ratio >= GOAL,
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

  const goalRows = runs.filter((r) => r.goal_met !== undefined && r.goal_met !== null);
  const inference = { mlp: await benchMlpInference(), lstm: await benchRnnInference(all, cores) };
  return {
    name: `training throughput: ours at 1 and ${cores} threads vs PyTorch at 1..${cores} threads, interleaved in one run`,
    rounds: ROUNDS,
    cores,
    load_average: { start: loadStart, end: loadavg().map((x) => round(x, 2)), note: '1, 5 and 15 minute load averages; above the core count the machine was shared while measuring' },
    pytorch: torch ? { python, version: torch.version, threads_measured: counts.torch } : { python, unavailable: reason },
    goal: `ours at ${cores} threads ≥ ${GOAL}× PyTorch at its best thread count, every row`,
    goal_met: goalRows.length ? goalRows.every((r) => r.goal_met === true) : null,
    runs,
    unavailable,
    inference,
  };
}

/** MLP inference as a backtest runs it (the fused predictor, one thread) over 1M bars. */
async function benchMlpInference(): Promise<Record<string, unknown>> {
  const infer = await import('../src/worker/training/fused/infer');
  const model = buildModel(specOf('mlp'));
  const r = seededRandom(3);
  const values = Float32Array.from({ length: MLP_INFER_BARS * FEATURES }, () => r());
  const predictor = infer.fusedPredictorFrom(model, { type: 'mlp' })!;
  predictor.predict({ rows: 20_000, cols: FEATURES, values }); // warm-up
  const secs: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const c0 = cpuSeconds();
    await predictor.predictAsync({ rows: MLP_INFER_BARS, cols: FEATURES, values });
    secs.push((performance.now() - t0) / 1000);
    cpu.push(cpuSeconds() - c0);
  }
  model.dispose();
  const s = median(secs);
  console.error(`mlp inference over ${MLP_INFER_BARS} bars: ${Math.round(MLP_INFER_BARS / s)} bars/s`);
  return {
    model: 'mlp 36→64→32→3',
    bars: MLP_INFER_BARS,
    path: predictor.kind,
    threads: 1,
    seconds: secs.map((x) => round(x, 3)),
    bars_per_second: Math.round(MLP_INFER_BARS / s),
    bars_per_cpu_second: Math.round(MLP_INFER_BARS / median(cpu)),
  };
}

/**
 * LSTM inference over 100k bars as a backtest runs it: the batched float32 predictor on the calling
 * thread and on every core, the float64 path (the previous one) and tfjs's predictProbabilities on slices.
 */
async function benchRnnInference(all: Data, cores: number): Promise<Record<string, unknown>> {
  const { fusedRnnPredictorFrom } = await import('../src/worker/training/fused/infer-rnn');
  const { predictProbabilities } = await import('../src/infra/models/inference');
  const model = buildModel(specOf('lstm'));
  const bars = Math.min(INFER_BARS, all.values.length / FEATURES);
  const matrix = { rows: bars, cols: FEATURES, values: all.values.subarray(0, bars * FEATURES) };
  const slice = (rows: number) => ({ rows, cols: FEATURES, values: all.values.subarray(0, rows * FEATURES) });
  const cpu: Record<string, number[]> = {};
  const timed = async (fn: () => unknown, rounds: number, key?: string): Promise<number[]> => {
    const secs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const c0 = cpuSeconds();
      await fn();
      secs.push((performance.now() - t0) / 1000);
      if (key) (cpu[key] ??= []).push(cpuSeconds() - c0);
    }
    return secs;
  };
  const rounds = Number(process.env.KTRDR_BENCH_INFER_ROUNDS ?? 3);
  const f64Bars = Number(process.env.KTRDR_BENCH_F64_BARS ?? 10_000);
  const tfjsBars = Number(process.env.KTRDR_BENCH_TFJS_BARS ?? 3_000);
  predictProbabilities(model, slice(200)); // warm-up
  const tfjsSecs = await timed(() => predictProbabilities(model, slice(tfjsBars)), 1);
  const f64 = fusedRnnPredictorFrom(model, { precision: 'f64' })!;
  f64.predict(slice(1000));
  const f64Secs = await timed(() => f64.predict(slice(f64Bars)), 1);
  const one = fusedRnnPredictorFrom(model, { threads: 1 })!;
  one.predict(slice(2000));
  const oneSecs = await timed(() => one.predictAsync(matrix), rounds, '1');
  const many = fusedRnnPredictorFrom(model, { threads: cores })!;
  const manySecs = await timed(() => many.predictAsync(matrix), rounds, String(cores));
  model.dispose();
  const bps = (n: number, secs: number[]) => Math.round(n / median(secs));
  const out = {
    model: 'lstm 2×64 over 20 rows',
    bars,
    path: 'batched float32 (fused, f32x4 kernels)',
    bars_per_second_by_threads: { '1': bps(bars, oneSecs), [String(cores)]: bps(bars, manySecs) },
    seconds_by_threads: { '1': oneSecs.map((x) => round(x, 3)), [String(cores)]: manySecs.map((x) => round(x, 3)) },
    bars_per_cpu_second_by_threads: Object.fromEntries(Object.entries(cpu).map(([t, c]) => [t, bps(bars, c)])),
    bars_per_second: bps(bars, manySecs),
    goal_bars_per_second: 20_000,
    goal_met: bps(bars, manySecs) >= 20_000,
    f64_path_bars_per_second: bps(f64Bars, f64Secs),
    f64_measured_on_bars: f64Bars,
    tfjs_bars_per_second: bps(tfjsBars, tfjsSecs),
    tfjs_measured_on_bars: tfjsBars,
  };
  console.error(`lstm inference over ${bars} bars: ${JSON.stringify(out.bars_per_second_by_threads)} bars/s by threads; float64 path ${out.f64_path_bars_per_second}; tfjs ${out.tfjs_bars_per_second}`);
  return out;
}

if (require.main === module) {
  benchTraining().then((r) => console.log(JSON.stringify(r, null, 2)));
}
