// Reads a backtest child's stored equity curve (<home>/backtests/<id>/equity.json) through the
// backtest contract's artifact schema.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backtestEquityDocSchema } from '../../shared/results/backtest';
import { parseWith } from '../../shared/results/common';

export interface StoredEquity {
  time: number[];
  values: number[];
  initial_capital: number;
}

/** The curve, or null when the file is not there; a file that does not match its schema throws, naming the field. */
export function readEquity(home: string, backtestId: string): StoredEquity | null {
  const path = join(home, 'backtests', backtestId, 'equity.json');
  if (!existsSync(path)) return null;
  const doc = parseWith('backtest equity curve', backtestEquityDocSchema, JSON.parse(readFileSync(path, 'utf8')));
  return { time: doc.time, values: doc.values, initial_capital: doc.initial_capital };
}

/** At most `max` points of a curve, evenly strided, always keeping the last (a chart needs no more). */
export function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const stride = Math.ceil(xs.length / max);
  const out = xs.filter((_, i) => i % stride === 0);
  if ((xs.length - 1) % stride !== 0) out.push(xs[xs.length - 1]);
  return out;
}
