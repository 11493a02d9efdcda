import { resampleBars } from '../../core/bars/resample';
import { BarBuilder, sortAndDedupe } from '../../core/bars/series';
import type { BarSeries } from '../../core/bars/types';
import { timeframeMs } from '../../core/timeframes';
import { DAY, ProviderError, withTimeout, type BarProvider, type CancelSignal, type FetchProgress, type FetchRequest } from './types';

/** Dukascopy's own bar sizes; other timeframes are fetched at the largest one dividing them and resampled. */
const NATIVE: [string, string][] = [
  ['1d', 'd1'],
  ['4h', 'h4'],
  ['1h', 'h1'],
  ['30m', 'm30'],
  ['15m', 'm15'],
  ['1m', 'm1'],
];

export type DukascopyRates = (config: Record<string, unknown>) => Promise<number[][]>;

export interface DukascopyOptions {
  /** Longest wait for one request before failing (default 20 s; no network fails at once). */
  timeoutMs?: number;
  /** Replaces dukascopy-node's getHistoricalRates (tests with recorded responses). */
  getRates?: DukascopyRates;
}

function nativeFor(timeframe: string): { tf: string; duka: string } | null {
  const ms = timeframeMs(timeframe);
  if (ms === null) return null;
  for (const [tf, duka] of NATIVE) if (ms % timeframeMs(tf)! === 0) return { tf, duka };
  return null;
}

/** Why the download failed, in words a user can act on. */
function explain(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? (e as NodeJS.ErrnoException)?.code;
  const detail = e?.cause?.message ?? e?.message ?? String(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENETUNREACH' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || /fetch failed/i.test(e?.message ?? '')) {
    return `network unreachable (${detail}); check the internet connection or use another source (csv, synthetic)`;
  }
  return detail;
}

/** FX and CFD bars from Dukascopy's public datafeed via dukascopy-node. */
export class DukascopyProvider implements BarProvider {
  readonly id = 'dukascopy';
  readonly synthetic = false;
  private readonly timeoutMs: number;

  constructor(private readonly opts: DukascopyOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  segmentMs(timeframe: string): number {
    const ms = timeframeMs(timeframe) ?? 3_600_000;
    if (ms < 3_600_000) return 7 * DAY;
    if (ms < DAY) return 92 * DAY;
    return 3 * 366 * DAY;
  }

  private async rates(): Promise<DukascopyRates> {
    if (this.opts.getRates) return this.opts.getRates;
    const lib = await import('dukascopy-node');
    const instruments = lib.Instrument as Record<string, string>;
    return async (config) => {
      if (!(String(config.instrument) in instruments)) {
        throw new ProviderError(this.id, `Dukascopy has no instrument '${String(config.instrument).toUpperCase()}' (e.g. eurusd, gbpusd, xauusd, aaplususd)`);
      }
      return (await lib.getHistoricalRates(config as never)) as unknown as number[][];
    };
  }

  async fetch(req: FetchRequest, _onProgress?: FetchProgress, _signal?: CancelSignal): Promise<BarSeries> {
    const native = nativeFor(req.timeframe);
    if (!native) throw new ProviderError(this.id, `Dukascopy cannot provide timeframe '${req.timeframe}'`);
    const getRates = await this.rates();
    const what = `${req.symbol} ${native.duka} ${new Date(req.start).toISOString().slice(0, 10)}..${new Date(req.end).toISOString().slice(0, 10)}`;
    let rows: number[][];
    try {
      rows = await withTimeout(
        getRates({
          instrument: req.symbol.toLowerCase().replace(/[^a-z0-9]/g, ''),
          dates: { from: new Date(req.start), to: new Date(req.end) },
          timeframe: native.duka,
          priceType: 'bid',
          format: 'array',
          volumes: true,
          ignoreFlats: true,
          retryCount: 0,
          batchSize: 10,
          pauseBetweenBatchesMs: 300,
        }),
        this.timeoutMs,
        () => new ProviderError(this.id, `Dukascopy did not answer within ${Math.round(this.timeoutMs / 1000)} s for ${what}; check the internet connection`),
      );
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw new ProviderError(this.id, `Dukascopy download failed for ${what}: ${explain(err)}`);
    }
    const b = new BarBuilder(rows.length);
    for (const r of rows) {
      const [t, o, h, l, c, v] = r;
      if (t >= req.start && t < req.end && Number.isFinite(o) && Number.isFinite(c)) b.push(t, o, Math.max(h, o, c), Math.min(l, o, c), c, Number.isFinite(v) && v >= 0 ? v : 0);
    }
    let bars = sortAndDedupe(b.finish(req.symbol, native.tf)).bars;
    if (native.tf !== req.timeframe) bars = resampleBars(bars, req.timeframe, { keepPartialLast: false });
    return { ...bars, symbol: req.symbol, timeframe: req.timeframe, meta: { source: this.id, synthetic: false } };
  }
}
