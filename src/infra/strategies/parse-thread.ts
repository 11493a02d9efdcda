// Entry of a strategy-parse thread (worker_threads): parses YAML texts with the default indicator
// catalogue, so that a slow parse (error-dense text) never blocks the main event loop.
// Built as out/main/strategy-parse-thread.js (electron.vite.config.ts); run from sources through tsx.
import { parentPort } from 'node:worker_threads';
import { parseStrategy } from '../../core/strategy';
import type { ParseRequest, ParseReply } from './parse-pool';

const port = parentPort;
if (!port) throw new Error('strategy-parse-thread must run in a worker thread');

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
