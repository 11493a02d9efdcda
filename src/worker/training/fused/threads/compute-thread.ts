// Entry of a compute thread (worker_threads; pool.ts starts it): a training shard (../shard-worker.ts)
// or batched recurrent inference (../rnn-windows.ts) for the job that started it. Built as
// out/main/compute-thread.js (electron.vite.config.ts); run from sources through tsx. It imports
// neither tfjs nor the job's modules, so it starts in tens of milliseconds.
import { parentPort } from 'node:worker_threads';
import { RnnWindowsF32 } from '../rnn-windows';
import { shardLoop } from '../shard-worker';
import type { ThreadReply, ThreadRequest } from './protocol';

const port = parentPort;
if (!port) throw new Error('compute-thread must run in a worker thread');

let windows: RnnWindowsF32 | null = null;

function answer(m: ThreadRequest): { reply: ThreadReply; transfer?: ArrayBuffer[] } {
  switch (m.kind) {
    case 'ping':
      return { reply: { id: m.id, result: true } };
    case 'infer-init':
      windows = new RnnWindowsF32(m.shape, m.params);
      return { reply: { id: m.id, result: true } };
    case 'infer': {
      if (!windows) throw new Error('infer before infer-init');
      const out = new Float32Array(m.count * windows.shape.classes);
      windows.run(m.values, 0, m.count, out, windows.shape.seq - 1);
      return { reply: { id: m.id, result: out }, transfer: [out.buffer] };
    }
    case 'train':
      shardLoop(m.net, m.capacity, m.index, m.shards, m.memory);
      return { reply: { id: m.id, result: true } };
  }
}

port.on('message', (m: ThreadRequest) => {
  try {
    const { reply, transfer } = answer(m);
    port.postMessage(reply, transfer ?? []);
  } catch (err) {
    port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies ThreadReply);
  }
});
