// Entry of a job worker process: one process per operation, started by the host's JobHost.
import type { JobSpec, MainToWorker } from '../shared/worker-protocol';
import { JobCancelledError, ProgressBridge } from './bridge';
import { parentChannel } from './channel';
import { JOBS } from './jobs';
import { lowerOwnPriority } from './priority';

lowerOwnPriority();

const channel = parentChannel();
let bridge: ProgressBridge | null = null;
let finished = false;

function finish(message: Parameters<typeof channel.send>[0], code: number): void {
  if (finished) return;
  finished = true;
  bridge?.stopTimer();
  try {
    bridge?.flush();
  } catch {
    // The host may be gone; the exit below still happens.
  }
  channel.sendThen(message, () => process.exit(code));
  // Never linger if the host stopped reading.
  setTimeout(() => process.exit(code), 2000).unref();
}

async function run(spec: JobSpec): Promise<void> {
  bridge = new ProgressBridge((m) => channel.send(m));
  bridge.startTimer();
  const load = JOBS[spec.jobType];
  if (!load) return finish({ type: 'error', message: `No job for operation type '${spec.jobType}'` }, 1);
  try {
    const job = await load();
    const out = await job({ spec, params: spec.params, bridge, home: spec.home });
    finish({ type: 'result', results: out.results, summary: out.summary ?? out.results }, 0);
  } catch (err) {
    if (err instanceof JobCancelledError || bridge.isCancelled()) {
      finish({ type: 'cancelled', summary: { status: 'cancelled', reason: (err as Error).message } }, 0);
    } else {
      const e = err as Error;
      finish({ type: 'error', message: e?.message || String(err), detail: e?.stack }, 1);
    }
  }
}

channel.onMessage((msg: MainToWorker) => {
  if (msg.type === 'start' && !bridge) void run(msg.spec);
  else if (msg.type === 'cancel') bridge?.requestCancel(msg.reason, msg.shutdown === true);
});

process.on('uncaughtException', (err) => finish({ type: 'error', message: `Uncaught error in worker: ${err.message}`, detail: err.stack }, 1));
process.on('unhandledRejection', (err) =>
  finish({ type: 'error', message: `Unhandled rejection in worker: ${(err as Error)?.message ?? String(err)}` }, 1),
);
// The host died: a worker never outlives it.
process.on('disconnect', () => process.exit(1));
