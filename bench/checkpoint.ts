// What a training checkpoint costs (issue 25: < 2 % of epoch time for the default LSTM). The default
// LSTM is what a strategy gets with `model: {type: lstm}`: 2 × 64 units over windows of 20 rows, here
// of 36 features (seed 004's shape, as bench/training.ts), dropout 0.2, with a validation set so the
// file holds best weights too. Also the KTRDR-sized MLP (36 → 64 → 32 → 3) on 50,000 samples.
//
// The runs checkpoint after every epoch (the worst case; the default is every 10 epochs or 300 s) on
// the trainer the pipeline picks. Per checkpoint: `snapshot_ms` (the loop copying its state and the
// trainer's: from the end of the epoch's onEpoch to the writer), `write_ms` (header + arrays encoded,
// sha256, temp file, fsync, rename, prune), `encode_ms` (the encoding alone), the file size, and
// `read_verify_ms` (what a resume spends reading and checking it). `pct_of_epoch` = (snapshot + write)
// ÷ the epoch's own duration (which excludes the checkpoint); `pct_default_policy` spreads one
// checkpoint over the epochs the default policy lets pass. Run alone: `npx tsx bench/checkpoint.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCheckpoint } from '../src/infra/checkpoints/format';
import { readCheckpointFile, writeCheckpoint } from '../src/infra/checkpoints/store';
import { rowSamples, windowSamples } from '../src/infra/models/samples';
import { DEFAULT_CHECKPOINT_SETTINGS } from '../src/shared/checkpoints';
import { selectBackend } from '../src/worker/training/backend';
import { checkpointContent, type CheckpointIdentity } from '../src/worker/training/checkpoint';
import { chooseTrainer } from '../src/worker/training/fused/choice';
import { runTrainingLoop } from '../src/worker/training/loop';
import { buildModel, modelSpecFrom, type ModelType } from '../src/worker/training/model';
import { stepTrainer } from '../src/worker/training/step-trainer';
import { classWeightsFrom, DEFAULT_TRAINER_CONFIG, type LabelledSamples } from '../src/worker/training/trainer';
import { median, round, seededRandom } from './stats';

const FEATURES = 36;
const SEQ = 20;
const EPOCHS = Number(process.env.KTRDR_BENCH_CKPT_EPOCHS ?? 4);

function dataset(type: ModelType, n: number, seed: number): LabelledSamples {
  const r = seededRandom(seed);
  const rows = n + SEQ;
  const values = new Float32Array(rows * FEATURES);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < FEATURES; c++) values[i * FEATURES + c] = r();
    const s = values[i * FEATURES] + values[i * FEATURES + 1];
    labels[i] = s > 1.2 ? 0 : s < 0.8 ? 2 : 1;
  }
  const ends = Int32Array.from({ length: n }, (_, i) => i + SEQ - 1);
  return { samples: type === 'mlp' ? rowSamples(values, FEATURES, ends) : windowSamples(values, FEATURES, ends, SEQ), labels: Int32Array.from(ends, (e) => labels[e]) };
}

async function measure(type: ModelType, samples: number, backend: string): Promise<Record<string, unknown>> {
  const spec = modelSpecFrom({ type, ...(type === 'mlp' ? { architecture: { hidden_layers: [64, 32] } } : { architecture: { sequence_length: SEQ } }) }, FEATURES, 1).spec;
  const train = dataset(type, samples, 7);
  const val = dataset(type, Math.round(samples / 8), 8);
  const cfg = { ...DEFAULT_TRAINER_CONFIG, numClasses: 3, epochs: EPOCHS, batchSize: 32, classWeights: classWeightsFrom(train.labels, 3), earlyStopping: null, yieldEvery: 64 };
  const kind = chooseTrainer(spec.type, backend as Parameters<typeof chooseTrainer>[1]);
  const model = buildModel(spec);
  const trainer = stepTrainer(kind, model, spec, train, val, cfg);
  const home = mkdtempSync(join(tmpdir(), 'ktrdr-bench-ckpt-'));
  const id = 'op_training_bench';
  const identity: CheckpointIdentity = {
    kind: 'training',
    operation_id: id,
    total_epochs: EPOCHS,
    strategy: { name: 'bench', sha256: '0'.repeat(64) },
    data: { sha256: '1'.repeat(64), series: [{ symbol: 'BENCH', timeframe: '1h', bars: samples, sha256: '2'.repeat(64) }] },
    backend,
    model_type: spec.type,
    seed: 1,
  };
  const epochs: number[] = [];
  const snapshotMs: number[] = [];
  const writeMs: number[] = [];
  const encodeMs: number[] = [];
  const readMs: number[] = [];
  let size = 0;
  let epochEnd = 0;
  try {
    await runTrainingLoop(
      trainer,
      train.samples.size,
      cfg,
      {
        onEpoch: (r) => {
          epochs.push(r.duration);
          epochEnd = performance.now();
        },
      },
      {
        checkpoints: {
          everyEpochs: 1,
          everySeconds: 0,
          onCancel: false,
          write(snapshot, kindOf) {
            const t0 = performance.now();
            snapshotMs.push(t0 - epochEnd);
            const content = checkpointContent(snapshot, identity, kindOf, cfg.learningRate);
            const ref = writeCheckpoint(home, id, content, DEFAULT_CHECKPOINT_SETTINGS.keep);
            writeMs.push(performance.now() - t0);
            size = ref.size;
            const t1 = performance.now();
            encodeCheckpoint(content);
            encodeMs.push(performance.now() - t1);
            const t2 = performance.now();
            readCheckpointFile(ref.path, ref.sha256);
            readMs.push(performance.now() - t2);
          },
        },
      },
    );
  } finally {
    trainer.dispose();
    model.dispose();
    rmSync(home, { recursive: true, force: true });
  }
  // The first epoch warms the JIT: dropped from every series.
  const epochS = median(epochs.slice(1));
  const perCheckpointMs = median(snapshotMs.slice(1)) + median(writeMs.slice(1));
  const epochsPerCheckpoint = Math.max(1, Math.min(DEFAULT_CHECKPOINT_SETTINGS.every_epochs, Math.ceil(DEFAULT_CHECKPOINT_SETTINGS.every_seconds / epochS)));
  return {
    model: type === 'mlp' ? 'mlp 36→64→32→3' : `lstm 2×64 over ${SEQ}×${FEATURES}`,
    trainer: kind,
    parameters: model.countParams?.() ?? null,
    train_samples: samples,
    epoch_s: round(epochS, 3),
    size_bytes: size,
    snapshot_ms: round(median(snapshotMs.slice(1)), 2),
    write_ms: round(median(writeMs.slice(1)), 2),
    encode_ms: round(median(encodeMs.slice(1)), 2),
    read_verify_ms: round(median(readMs.slice(1)), 2),
    pct_of_epoch: round((100 * perCheckpointMs) / (epochS * 1000), 3),
    pct_default_policy: round((100 * perCheckpointMs) / (epochS * 1000 * epochsPerCheckpoint), 3),
    default_policy_epochs_per_checkpoint: epochsPerCheckpoint,
  };
}

export async function benchCheckpoint(): Promise<Record<string, unknown>> {
  const backend = (await selectBackend({ timeoutMs: 15_000 })).name;
  const lstm = await measure('lstm', Number(process.env.KTRDR_BENCH_RNN_SAMPLES ?? 4_096), backend);
  const mlp = await measure('mlp', 50_000, backend);
  return { backend, epochs: EPOCHS, rows: [lstm, mlp], note: 'checkpoint after every epoch; pct_of_epoch must stay < 2 for the default LSTM' };
}

if (require.main === module) void benchCheckpoint().then((r) => console.log(JSON.stringify(r, null, 2)));
