import pino, { type Logger } from 'pino';

export type { Logger };

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Structured JSON logs to stderr, so stdout stays free for CLI output. */
export function createLogger(level: string): Logger {
  const lvl = LEVELS.has(level) ? level : 'info';
  return pino({ level: lvl, base: { app: 'ktrdr' } }, pino.destination(2));
}
