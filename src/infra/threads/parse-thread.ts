// Entry of a parse thread (worker_threads): strategy YAML, CSV imports and large JSON bodies
// (parse-tasks.ts), so that none of them blocks the main event loop. Built as
// out/main/parse-thread.js (electron.vite.config.ts); run from sources through tsx.
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { ParseReply, ParseRequest } from './parse-pool';
import { answer } from './parse-tasks';

const port = parentPort;
if (!port) throw new Error('parse-thread must run in a worker thread');

// On a 2-core machine a busy parse thread otherwise takes CPU from the event loop it exists to keep
// free. Linux keeps the nice value per thread, so only this thread yields; elsewhere it would lower
// the whole process (the server included), so it is left alone there.
if (process.platform === 'linux') {
  try {
    setPriority(Math.min(19, getPriority() + 10));
  } catch {
    // refused: the thread parses at the normal priority
  }
}

port.on('message', (m: ParseRequest) => {
  const { reply, transfer } = answer(m);
  port.postMessage(reply, transfer);
});
// The pool starts its timeout only once the thread can work (loading the modules is not parsing).
port.postMessage({ ready: true } satisfies ParseReply);
