// Which bars a training reads and their content hashes, computed the same way by the training job
// (while it loads them) and by the server (before it resumes a training: a resume is refused when the
// data changed since the checkpoint, naming the series).
import { createHash, type Hash } from 'node:crypto';
import type { BarStore } from '../bars/bar-store';
import type { BarSeries } from '../../core/bars/types';
import type { StrategyConfig } from '../../core/strategy/types';
import type { SeriesHash } from '../checkpoints/meta';

/** The symbols and timeframes a training loads, in load order (base timeframe first). */
export function trainingSeries(strategy: StrategyConfig): { symbols: string[]; timeframes: string[] } {
  const base = strategy.training_data.timeframes.base_timeframe;
  return { symbols: strategy.training_data.symbols.list, timeframes: [base, ...strategy.training_data.timeframes.list.filter((t) => t !== base)] };
}

/** Feeds one series into `hash`: its name, length and every column's bytes. */
export function addSeriesToHash(hash: Hash, bars: BarSeries): void {
  hash.update(`${bars.symbol}|${bars.timeframe}|${bars.time.length}\n`);
  for (const col of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) hash.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
}

export function seriesHash(bars: BarSeries, symbol: string, timeframe: string): SeriesHash {
  const h = createHash('sha256');
  addSeriesToHash(h, bars);
  return { symbol, timeframe, bars: bars.time.length, sha256: h.digest('hex') };
}

/**
 * The hashes a training of these series over [start, end] would record now: the combined sha256 (the
 * model manifest's content_hash) and each series'. Yields between series so a server stays responsive.
 */
export async function currentDataHashes(
  store: BarStore,
  symbols: string[],
  timeframes: string[],
  range: { start?: number; end?: number },
  yieldBetween: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
): Promise<{ sha256: string; series: SeriesHash[] }> {
  const all = createHash('sha256');
  const series: SeriesHash[] = [];
  for (const symbol of symbols) {
    for (const tf of timeframes) {
      const { bars } = store.load(symbol, tf, range);
      addSeriesToHash(all, bars);
      series.push(seriesHash(bars, symbol, tf));
      await yieldBetween();
    }
  }
  return { sha256: all.digest('hex'), series };
}

/** What differs between the data a checkpoint recorded and the data now, in words; null when equal. */
export function describeDataChange(then: SeriesHash[], now: SeriesHash[]): string | null {
  const key = (s: SeriesHash) => `${s.symbol} ${s.timeframe}`;
  const before = new Map(then.map((s) => [key(s), s]));
  const changes: string[] = [];
  for (const s of now) {
    const old = before.get(key(s));
    before.delete(key(s));
    if (!old) changes.push(`${key(s)} is new`);
    else if (old.sha256 !== s.sha256) changes.push(old.bars !== s.bars ? `${key(s)} (${old.bars} bars then, ${s.bars} now)` : `${key(s)} (same ${s.bars} bars, different values)`);
  }
  for (const k of before.keys()) changes.push(`${k} is no longer read`);
  return changes.length ? changes.join('; ') : null;
}
