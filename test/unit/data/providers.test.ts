import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CsvProvider } from '../../../src/infra/providers/csv-provider';
import { DukascopyProvider } from '../../../src/infra/providers/dukascopy-provider';
import { IbProvider, ibOptionsFromEnv } from '../../../src/infra/providers/ib-provider';
import { createProvider, ProviderError } from '../../../src/infra/providers';
import { SyntheticProvider } from '../../../src/infra/providers/synthetic-provider';
import { tempDir } from './helpers';

const never = { cancelled: () => false };
const noProgress = () => undefined;
const req = { symbol: 'EURUSD', timeframe: '1h', start: Date.UTC(2023, 0, 2), end: Date.UTC(2023, 0, 9) };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('synthetic provider', () => {
  it('is deterministic, labelled synthetic, sane OHLC, closed at weekends for FX', async () => {
    const p = new SyntheticProvider(7);
    const a = await p.fetch({ ...req, timeframe: '5m', start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 2, 1) }, noProgress, never);
    const b = await p.fetch({ ...req, timeframe: '5m', start: Date.UTC(2023, 1, 1), end: Date.UTC(2023, 2, 1) }, noProgress, never);
    expect(a.meta).toEqual({ source: 'synthetic', synthetic: true });
    const offset = a.time.indexOf(b.time[0]);
    expect(offset).toBeGreaterThan(0);
    expect(Array.from(b.close)).toEqual(Array.from(a.close.subarray(offset)));
    for (let i = 0; i < a.time.length; i++) {
      expect(a.high[i]).toBeGreaterThanOrEqual(Math.max(a.open[i], a.close[i]));
      expect(a.low[i]).toBeLessThanOrEqual(Math.min(a.open[i], a.close[i]));
      expect(new Date(a.time[i]).getUTCDay()).not.toBe(6);
    }
    const other = await new SyntheticProvider(8).fetch({ ...req, timeframe: '5m', start: Date.UTC(2023, 1, 1), end: Date.UTC(2023, 2, 1) }, noProgress, never);
    expect(Array.from(other.close)).not.toEqual(Array.from(b.close));
  });

  it('EURUSD 5m 2023-01-01 → 2025-01-01 gives about 150k bars', async () => {
    const bars = await new SyntheticProvider().fetch({ symbol: 'EURUSD', timeframe: '5m', start: Date.UTC(2023, 0, 1), end: Date.UTC(2025, 0, 1) }, noProgress, never);
    expect(bars.time.length).toBeGreaterThan(140_000);
    expect(bars.time[bars.time.length - 1]).toBeLessThan(Date.UTC(2025, 0, 1));
  });
});

describe('csv provider', () => {
  it('finds SYMBOL_TF*.csv in a folder and cuts the range', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'EURUSD_H1_test.csv'), 'timestamp,open,high,low,close,volume\n2023-01-01T00:00:00Z,1,2,0.5,1.5,0\n2023-01-05T00:00:00Z,1,2,0.5,1.5,0\n2023-02-01T00:00:00Z,1,2,0.5,1.5,0\n');
      const p = new CsvProvider({ dir: t.dir, roots: [t.dir] });
      const bars = await p.fetch(req, noProgress, never);
      expect(Array.from(bars.time)).toEqual([Date.UTC(2023, 0, 5)]);
      expect(bars.meta?.source).toBe('csv');
      await expect(p.fetch({ ...req, symbol: 'GBPUSD' }, noProgress, never)).rejects.toThrow(/No CSV file for GBPUSD 1h/);
    } finally {
      t.cleanup();
    }
  });
});

describe('dukascopy provider fails fast and clearly offline', () => {
  it('no network: rejects at once with a message naming the cause', async () => {
    vi.stubGlobal('fetch', async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('getaddrinfo ENOTFOUND datafeed.dukascopy.com'), { code: 'ENOTFOUND' }) });
    });
    // With a 10-minute timeout, only an immediate failure can finish inside the test's time limit.
    const err = await new DukascopyProvider({ timeoutMs: 600_000 }).fetch(req, noProgress, never).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toMatch(/Dukascopy download failed for EURUSD h1.*network unreachable.*ENOTFOUND/);
  });

  it('a network that never answers: rejects after the timeout', async () => {
    vi.stubGlobal('fetch', () => new Promise(() => undefined));
    const err = await new DukascopyProvider({ timeoutMs: 300 }).fetch(req, noProgress, never).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toMatch(/did not answer within/);
  });

  it('an unknown instrument is refused before any download', async () => {
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);
    await expect(new DukascopyProvider().fetch({ ...req, symbol: 'NOTAPAIR' }, noProgress, never)).rejects.toThrow(/no instrument 'NOTAPAIR'/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('recorded rows: converted to bars, 5m built from m1', async () => {
    const t0 = Date.UTC(2023, 0, 2, 10);
    const rows = Array.from({ length: 10 }, (_, i) => [t0 + i * 60_000, 1 + i / 100, 1.5 + i / 100, 0.5, 1.01 + i / 100, 2]);
    const seen: Record<string, unknown>[] = [];
    const p = new DukascopyProvider({
      getRates: async (config) => {
        seen.push(config);
        return rows;
      },
    });
    const bars = await p.fetch({ symbol: 'EURUSD', timeframe: '5m', start: t0, end: t0 + 10 * 60_000 }, noProgress, never);
    expect(seen[0]).toMatchObject({ instrument: 'eurusd', timeframe: 'm1' });
    expect(Array.from(bars.time)).toEqual([t0, t0 + 5 * 60_000]);
    expect([bars.open[0], bars.high[0], bars.close[0], bars.volume[0]]).toEqual([1, 1.54, 1.05, 10]);
    expect(bars.meta).toEqual({ source: 'dukascopy', synthetic: false });
  });
});

describe('IB provider fails fast and clearly without TWS', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    sockets.forEach((s) => s.destroy());
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    servers.length = 0;
  });

  async function freePort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    return port;
  }

  it('connection refused: a clear error at once, not after a timeout', async () => {
    const port = await freePort();
    // The refusal itself must end it: a 10-minute handshake timeout would outlast the test.
    const err = await new IbProvider({ host: '127.0.0.1', port, connectTimeoutMs: 600_000 }).fetch(req, noProgress, never).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toMatch(new RegExp(`Cannot connect to IB TWS/Gateway at 127.0.0.1:${port}.*ECONNREFUSED`));
  });

  it('a server that accepts but never speaks the API: fails at the handshake timeout', async () => {
    const server = createServer((s) => sockets.push(s));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const err = await new IbProvider({ host: '127.0.0.1', port, connectTimeoutMs: 400 }).fetch(req, noProgress, never).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toMatch(/did not complete the API handshake within 0.4 s/);
  });

  it('reads IB_HOST / IB_PORT / IB_CLIENT_ID, explicit options first', () => {
    expect(ibOptionsFromEnv({ IB_HOST: 'tws', IB_PORT: '7497', IB_CLIENT_ID: '9' })).toMatchObject({ host: 'tws', port: 7497, clientId: 9 });
    expect(ibOptionsFromEnv({ IB_PORT: '7497' }, { port: 4001 })).toMatchObject({ host: '127.0.0.1', port: 4001, clientId: 1 });
    expect(createProvider('ib', {}, { IB_PORT: '1' }).id).toBe('ib');
  });
});
