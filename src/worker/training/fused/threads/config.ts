// How many threads a job computes on (training shards, backtest inference). Default: every core the
// process may use (os.availableParallelism()). Several jobs running at once each take that many, and
// the OS shares the cores between them (each job's threads run at the job's lowered priority, see
// src/worker/priority.ts); set KTRDR_THREADS (or a strategy's training.threads) lower to keep cores
// for other work. A training splits its batches over at most that many (fewer where a shard would not
// pay, ../parallel.ts). Results of a training depend on its shard count (the order gradients are added),
// never on timing: the same seed and shard count give the same model.
import { availableParallelism } from 'node:os';

export const MAX_THREADS = 256;
export const THREADS_RULE = `an integer 1–${MAX_THREADS} (unset: one per core)`;

/** KTRDR_THREADS, else one per available core. A bad value is an error naming the variable. */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()): number {
  const raw = env.KTRDR_THREADS;
  if (raw === undefined || raw.trim() === '') return Math.max(1, Math.min(MAX_THREADS, cores));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new Error(`KTRDR_THREADS=${raw} is not valid: ${THREADS_RULE}`);
  return n;
}

/** The thread count of a training: the strategy's `training.threads` when given, else threadsFromEnv. */
export function trainingThreads(requested: number | null | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (requested !== undefined && requested !== null) {
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_THREADS) throw new Error(`training.threads ${requested} is not valid: ${THREADS_RULE}`);
    return requested;
  }
  return threadsFromEnv(env);
}
