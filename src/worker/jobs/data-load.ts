// data_load: fetch bars from a provider in segments, with progress and cancellation, and merge
// them into the bar store. What is stored is never lost: a failure or a cancel keeps the old bars
// plus the segments fetched so far.
import { findGaps } from '../../core/bars/gaps';
import { parseUserDate } from '../../core/bars/parse-fields';
import { parseStrictDate } from '../../core/bars/user-date';
import { splitRange } from '../../core/bars/segments';
import { BarBuilder, sortAndDedupe } from '../../core/bars/series';
import { normalizeSymbol, normalizeTimeframe } from '../../core/bars/symbols';
import { isoUtc } from '../../core/bars/time';
import type { BarSeries } from '../../core/bars/types';
import { timeframeMs } from '../../core/timeframes';
import { barStoreForHome, type MergeSummary } from '../../infra/bars';
import { createProvider, PROVIDER_IDS, type ProviderId, type ProviderParams } from '../../infra/providers';
import { yieldToHost, type ProgressBridge } from '../bridge';
import type { Job } from './types';

const DAY = 86_400_000;
/** Fetched bars are merged into the store in batches of this size (and at the end). */
const FLUSH_BARS = 500_000;

/** `local` (KTRDR's DataLoadingMode.LOCAL): no provider call, only what is cached. */
export type LoadMode = 'tail' | 'backfill' | 'full' | 'local';

export interface DataLoadParams extends ProviderParams {
  symbol: string;
  timeframe: string;
  mode: LoadMode;
  start_date?: string | null;
  end_date?: string | null;
  source: ProviderId;
}

/**
 * The range to fetch, [start, end): tail = after the last stored bar (or the last 30 days) up to
 * now; backfill = the year before the first stored bar; full = the dates given, else the last year.
 * Explicit start_date/end_date always win.
 */
export function planRange(
  mode: LoadMode,
  tfMs: number,
  stored: { start: number | null; end: number | null } | null,
  startDate: number | null,
  endDate: number | null,
  now: number,
): { start: number; end: number } {
  let start: number;
  let end: number;
  if (mode === 'tail') {
    end = endDate ?? now;
    start = startDate ?? (stored?.end != null ? stored.end + tfMs : end - 30 * DAY);
  } else if (mode === 'backfill') {
    end = endDate ?? (stored?.start != null ? stored.start : now);
    start = startDate ?? end - 365 * DAY;
  } else {
    end = endDate ?? now;
    start = startDate ?? end - 365 * DAY;
  }
  return { start, end };
}

function concat(parts: BarSeries[], symbol: string, timeframe: string): BarSeries {
  const n = parts.reduce((a, p) => a + p.time.length, 0);
  const b = new BarBuilder(n);
  for (const p of parts) for (let i = 0; i < p.time.length; i++) b.push(p.time[i], p.open[i], p.high[i], p.low[i], p.close[i], p.volume[i]);
  return sortAndDedupe(b.finish(symbol, timeframe)).bars;
}

/** The last ms an inclusive end date covers (NaN when it is not a date). */
function parseEndDate(text: string): number {
  const r = parseStrictDate(text, 'end');
  return r.ok ? r.ms : NaN;
}

export const dataLoadJob: Job = async ({ params, bridge, home }) => {
  const p = params as unknown as DataLoadParams;
  const symbol = normalizeSymbol(String(p.symbol ?? ''));
  const timeframe = normalizeTimeframe(String(p.timeframe ?? ''));
  if (!symbol) throw new Error(`Invalid symbol '${String(p.symbol)}'`);
  if (!timeframe) throw new Error(`Invalid timeframe '${String(p.timeframe)}'`);
  if (p.mode === 'local') return loadLocal(home, symbol, timeframe, bridge);
  const sourceId = (p.source ?? 'synthetic') as ProviderId;
  if (!PROVIDER_IDS.includes(sourceId)) throw new Error(`Unknown data source '${String(p.source)}' (use ${PROVIDER_IDS.join(', ')})`);
  const mode = (p.mode ?? 'tail') as Exclude<LoadMode, 'local'>;
  const tfMs = timeframeMs(timeframe)!;
  const startDate = p.start_date ? parseUserDate(p.start_date) : null;
  // end_date is inclusive (a bare YYYY-MM-DD is its whole day, as the route sends it); providers take an exclusive end.
  const endDate = p.end_date ? parseEndDate(p.end_date) + 1 : null;
  if (Number.isNaN(startDate) || Number.isNaN(endDate)) throw new Error('start_date/end_date must be dates like 2024-01-31 or ISO 8601');

  const store = barStoreForHome(home);
  const stored = store.info(symbol, timeframe);
  const { start, end } = planRange(mode, tfMs, stored, startDate, endDate, Date.now());
  const provider = createProvider(sourceId, p);
  const segments = splitRange(start, end, provider.segmentMs(timeframe));
  const total = segments.length;
  const what = `${symbol} ${timeframe}`;
  bridge.update(0, `Loading ${what} from ${sourceId} (${total} segment${total === 1 ? '' : 's'})`, {
    steps_total: total,
    items_processed: 0,
    context: { phase: 'fetching', symbol, timeframe, source: sourceId, mode, start: isoUtc(start), end: isoUtc(end) },
  });

  let pending: BarSeries[] = [];
  let pendingBars = 0;
  let loaded = 0;
  const merged = { added: 0, replaced: 0, unchanged: 0 };
  let last: MergeSummary | null = null;
  const flush = () => {
    if (!pendingBars) return;
    const bars = concat(pending, symbol, timeframe);
    last = store.write(bars, { mode: 'merge', source: sourceId, synthetic: provider.synthetic });
    merged.added += last.added;
    merged.replaced += last.replaced;
    merged.unchanged += last.unchanged;
    pending = [];
    pendingBars = 0;
  };

  try {
    for (let i = 0; i < total; i++) {
      bridge.throwIfCancelled();
      const seg = segments[i];
      const msg = `Loading ${what} ${seg.label} (${i + 1}/${total})`;
      bridge.update((i / total) * 95, msg, { steps_completed: i, current_item: seg.label });
      const t0 = performance.now();
      const bars = await provider.fetch(
        { symbol, timeframe, start: seg.start, end: seg.end },
        (f, m) => bridge.update(((i + Math.min(1, Math.max(0, f))) / total) * 95, `${msg}: ${m}`),
        { cancelled: () => bridge.isCancelled() },
      );
      loaded += bars.time.length;
      if (bars.time.length) {
        pending.push(bars);
        pendingBars += bars.time.length;
      }
      bridge.appendMetric({
        segment: i + 1,
        segments: total,
        label: seg.label,
        start: isoUtc(seg.start),
        end: isoUtc(seg.end),
        bars: bars.time.length,
        bars_total: loaded,
        duration_ms: Math.round(performance.now() - t0),
        timestamp: new Date().toISOString(),
      });
      bridge.update(((i + 1) / total) * 95, msg, { steps_completed: i + 1, items_processed: loaded });
      if (pendingBars >= FLUSH_BARS) flush();
      await yieldToHost();
    }
    bridge.throwIfCancelled();
  } catch (err) {
    // Keep what was fetched before the failure or the cancel; the stored bars stay as they were.
    try {
      flush();
    } catch {
      // the original error matters more
    }
    throw err;
  }
  bridge.update(96, `Saving ${what} (${loaded} bars)`, { context: { phase: 'saving' } });
  flush();
  const info = store.info(symbol, timeframe);
  let gapsFound = 0;
  if (info && info.count > 0) {
    const range = store.read(symbol, timeframe, { start, end: end - 1 });
    gapsFound = findGaps(range).gaps.length;
  }
  bridge.update(100, `Loaded ${loaded} ${what} bars from ${sourceId}`, { items_processed: loaded, context: { phase: 'done' } });
  const results = {
    symbol,
    timeframe,
    source: sourceId,
    mode,
    synthetic: provider.synthetic,
    bars_loaded: loaded,
    merged: { ...merged, total_bars: info?.count ?? 0 },
    start: info?.start != null ? isoUtc(info.start) : null,
    end: info?.end != null ? isoUtc(info.end) : null,
    requested_start: isoUtc(start),
    requested_end: isoUtc(end),
    segments: total,
    gaps_found: gapsFound,
  };
  return { results, summary: results };
};

/** Mode `local`: reports the cached series and its gaps; fails with the reason when nothing is cached. */
function loadLocal(home: string, symbol: string, timeframe: string, bridge: ProgressBridge) {
  const store = barStoreForHome(home);
  const info = store.info(symbol, timeframe);
  if (!info || info.count === 0 || info.start == null || info.end == null)
    throw new Error(`No cached data for ${symbol} ${timeframe}: mode "local" only reads the local store; load it with mode "tail" or "full" (or import a CSV) first`);
  const gaps = findGaps(store.read(symbol, timeframe, {})).gaps.length;
  bridge.update(100, `Local data for ${symbol} ${timeframe}: ${info.count} bars`, { items_processed: info.count, context: { phase: 'done' } });
  const results = {
    symbol,
    timeframe,
    source: 'local',
    mode: 'local',
    synthetic: info.synthetic,
    bars_loaded: 0,
    merged: { added: 0, replaced: 0, unchanged: 0, total_bars: info.count },
    start: isoUtc(info.start),
    end: isoUtc(info.end),
    segments: 0,
    gaps_found: gaps,
  };
  return { results, summary: results };
}
