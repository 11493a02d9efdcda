import { Writable } from 'node:stream';
import pino from 'pino';

/** A pino logger whose lines are kept in memory, so tests can assert on cache hit/miss logs. */
export function memoryLogger(level = 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l).msg);
      cb();
    },
  });
  return { log: pino({ level }, stream), lines };
}
