// Entry of a strategy-parse thread (worker_threads): parses YAML texts with the default indicator
// catalogue, so that a slow parse (error-dense text) never blocks the main event loop.
// Built as out/main/strategy-parse-thread.js (electron.vite.config.ts); run from sources through tsx.
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { parseStrategy } from '../../core/strategy';
import type { ParseRequest, ParseReply } from './parse-pool';

const port = parentPort;
if (!port) throw new Error('strategy-parse-thread must run in a worker thread');

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
  let reply: ParseReply;
  try {
    // ParseResult is plain data (strings, numbers, booleans, arrays, objects): structured-cloneable as is.
    reply = { id: m.id, result: parseStrategy(m.yaml, { sourceName: m.sourceName }) };
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
// The pool starts its timeout only once the thread can work (loading the modules is not parsing).
port.postMessage({ ready: true } satisfies ParseReply);
