import { calendarForSymbol } from '../../core/bars/calendar';
import { BarBuilder, sortAndDedupe } from '../../core/bars/series';
import type { BarSeries } from '../../core/bars/types';
import { DAY, ProviderError, withTimeout, type BarProvider, type CancelSignal, type FetchProgress, type FetchRequest } from './types';

export interface IbOptions {
  host?: string;
  port?: number;
  clientId?: number;
  /** How long to wait for the TWS/Gateway API handshake (default 5 s). */
  connectTimeoutMs?: number;
  /** How long one historical-data request may take (default 60 s). */
  requestTimeoutMs?: number;
}

/** IB_HOST / IB_PORT / IB_CLIENT_ID, overridden by explicit options (job params). */
export function ibOptionsFromEnv(env: NodeJS.ProcessEnv, over: IbOptions = {}): IbOptions {
  const num = (v: string | undefined) => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
  return {
    host: over.host ?? env.IB_HOST ?? '127.0.0.1',
    port: over.port ?? num(env.IB_PORT) ?? 4002,
    clientId: over.clientId ?? num(env.IB_CLIENT_ID) ?? 1,
    connectTimeoutMs: over.connectTimeoutMs,
    requestTimeoutMs: over.requestTimeoutMs,
  };
}

const BAR_SIZE: Record<string, string> = {
  '1m': '1 min',
  '5m': '5 mins',
  '15m': '15 mins',
  '30m': '30 mins',
  '1h': '1 hour',
  '2h': '2 hours',
  '4h': '4 hours',
  '1d': '1 day',
  '1w': '1 week',
};

/** IB's request windows per bar size (as KTRDR's ib_limits): longer requests are refused by TWS. */
const WINDOW_DAYS: Record<string, number> = { '1m': 1, '5m': 7, '15m': 14, '30m': 30, '1h': 30, '2h': 60, '4h': 120, '1d': 365, '1w': 365 * 2 };

function ibTime(t: number): string {
  const d = new Date(t).toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}-${d.slice(11, 19)}`;
}

/** IB bar time with formatDate=2: epoch seconds, or `YYYYMMDD` for daily and weekly bars. */
function parseIbTime(time: string): number {
  if (/^\d{8}$/.test(time)) return Date.UTC(Number(time.slice(0, 4)), Number(time.slice(4, 6)) - 1, Number(time.slice(6, 8)));
  const n = Number(time);
  return Number.isFinite(n) ? n * 1000 : NaN;
}

/** Historical bars from Interactive Brokers TWS / IB Gateway through @stoqey/ib. */
export class IbProvider implements BarProvider {
  readonly id = 'ib';
  readonly synthetic = false;
  private readonly o: Required<IbOptions>;

  constructor(opts: IbOptions = {}) {
    this.o = {
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 4002,
      clientId: opts.clientId ?? 1,
      connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
    };
  }

  segmentMs(timeframe: string): number {
    return (WINDOW_DAYS[timeframe] ?? 30) * DAY;
  }

  async fetch(req: FetchRequest, _onProgress?: FetchProgress, _signal?: CancelSignal): Promise<BarSeries> {
    const barSize = BAR_SIZE[req.timeframe];
    if (!barSize) throw new ProviderError(this.id, `Interactive Brokers has no bar size for timeframe '${req.timeframe}'`);
    const lib = await import('@stoqey/ib');
    const { IBApi, EventName } = lib;
    const where = `${this.o.host}:${this.o.port}`;
    const api = new IBApi({ host: this.o.host, port: this.o.port });
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          api.once(EventName.connected, () => resolve());
          api.on(EventName.error, (err: Error, code: number) => {
            if (code === 502 || code === 504) reject(new ProviderError(this.id, `Cannot connect to IB TWS/Gateway at ${where} (${err.message}); start TWS or IB Gateway with the API enabled, or set IB_HOST/IB_PORT`));
          });
          api.connect(this.o.clientId);
        }),
        this.o.connectTimeoutMs,
        () => new ProviderError(this.id, `IB TWS/Gateway at ${where} did not complete the API handshake within ${this.o.connectTimeoutMs / 1000} s; is it TWS/IB Gateway with "Enable ActiveX and Socket Clients" on?`),
      );
      return await withTimeout(this.request(api, lib, req, barSize), this.o.requestTimeoutMs, () => new ProviderError(this.id, `IB did not return ${req.symbol} ${req.timeframe} bars within ${this.o.requestTimeoutMs / 1000} s`));
    } finally {
      api.removeAllListeners();
      try {
        api.disconnect();
      } catch {
        // already closed
      }
    }
  }

  private request(api: InstanceType<typeof import('@stoqey/ib').IBApi>, lib: typeof import('@stoqey/ib'), req: FetchRequest, barSize: string): Promise<BarSeries> {
    const { EventName, SecType } = lib;
    const sym = req.symbol.toUpperCase();
    const fx = calendarForSymbol(sym) === 'fx';
    const contract = fx
      ? { symbol: sym.slice(0, 3), currency: sym.slice(3, 6), secType: SecType.CASH, exchange: 'IDEALPRO' }
      : { symbol: sym, currency: 'USD', secType: SecType.STK, exchange: 'SMART' };
    const days = Math.max(1, Math.ceil((req.end - req.start) / DAY));
    const duration = days > 365 ? `${Math.ceil(days / 365)} Y` : `${days} D`;
    const reqId = 1;
    const out = new BarBuilder(1024);
    return new Promise<BarSeries>((resolve, reject) => {
      api.on(EventName.historicalData, (id: number, time: string, o: number, h: number, l: number, c: number, v: number) => {
        if (id !== reqId) return;
        if (time.startsWith('finished')) {
          const bars = sortAndDedupe(out.finish(sym, req.timeframe)).bars;
          resolve({ ...bars, meta: { source: this.id, synthetic: false } });
          return;
        }
        const t = parseIbTime(time);
        // IB sends -1 as the volume of FX bars.
        if (t >= req.start && t < req.end) out.push(t, o, h, l, c, v > 0 ? v : 0);
      });
      api.on(EventName.error, (err: Error, code: number, id: number) => {
        if (id !== reqId) return;
        if (code === 162 && /no data/i.test(err.message)) resolve({ ...out.finish(sym, req.timeframe), meta: { source: this.id, synthetic: false } });
        else reject(new ProviderError(this.id, `IB refused the request for ${sym} ${req.timeframe} (code ${code}): ${err.message}`));
      });
      api.reqHistoricalData(reqId, contract as never, ibTime(req.end), duration, barSize as never, (fx ? 'MIDPOINT' : 'TRADES') as never, fx ? 0 : 1, 2, false);
    });
  }
}
