import { yieldToHost } from '../bridge';
import type { Job } from './types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A job with no data (KTRDR's `dummy` operation): `iterations` steps spread over `duration_seconds`,
 * one metric per step, cancellable between steps. Exercises the whole operations path.
 * `fail_at` (test aid) throws at that iteration; `crash_at` exits the process without a word.
 */
export const dummyJob: Job = async ({ params, bridge }) => {
  const iterations = Number(params.iterations ?? 100);
  const duration = Number(params.duration_seconds ?? 200);
  const failAt = params.fail_at === undefined ? -1 : Number(params.fail_at);
  const crashAt = params.crash_at === undefined ? -1 : Number(params.crash_at);
  const stepMs = (duration * 1000) / iterations;
  const started = Date.now();
  bridge.update(0, `Starting dummy task (${iterations} iterations)`, { steps_total: iterations, items_total: iterations, context: { phase: 'running' } });
  for (let i = 1; i <= iterations; i++) {
    bridge.throwIfCancelled();
    if (stepMs > 0) await sleep(stepMs);
    else await yieldToHost();
    bridge.throwIfCancelled();
    if (i === failAt) throw new Error(`dummy task failed on purpose at iteration ${i}`);
    if (i === crashAt) process.exit(3);
    bridge.appendMetric({ iteration: i, value: Math.sin(i / 10), timestamp: new Date().toISOString() });
    bridge.update((i / iterations) * 100, `Iteration ${i}/${iterations}`, { steps_completed: i, items_processed: i, current_item: `iteration ${i}` });
  }
  const results = { status: 'success', iterations_completed: iterations, duration_seconds: (Date.now() - started) / 1000 };
  return { results, summary: results };
};
