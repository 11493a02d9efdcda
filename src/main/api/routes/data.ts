import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { calendarForSymbol, type MarketCalendar } from '../../../core/bars/calendar';
import { CsvFormatError } from '../../../core/bars/csv';
import { findGaps } from '../../../core/bars/gaps';
import { parseUserDate } from '../../../core/bars/parse-fields';
import { lastBars, type TimeRange } from '../../../core/bars/series';
import { normalizeSymbol, normalizeTimeframe } from '../../../core/bars/symbols';
import { isValidTimeZone, isoUtc } from '../../../core/bars/time';
import type { BarSeries } from '../../../core/bars/types';
import { KNOWN_TIMEFRAMES } from '../../../core/timeframes';
import { importCsvText, SeriesNotFoundError, type BarStore, type SeriesInfo } from '../../../infra/bars';
import { PROVIDER_IDS } from '../../../infra/providers';
import type { AppContext } from '../../context';
import { HttpError, ValidationError, type FieldProblem } from '../errors';

const TIMEFRAME_NAMES: Record<string, [string, string]> = {
  '1m': ['1 Minute', 'One-minute interval data'],
  '5m': ['5 Minutes', 'Five-minute interval data'],
  '15m': ['15 Minutes', 'Fifteen-minute interval data'],
  '30m': ['30 Minutes', 'Thirty-minute interval data'],
  '1h': ['1 Hour', 'Hourly interval data'],
  '2h': ['2 Hours', 'Two-hour interval data'],
  '4h': ['4 Hours', 'Four-hour interval data'],
  '1d': ['1 Day', 'Daily interval data'],
  '1w': ['1 Week', 'Weekly interval data'],
};

const isoOrNull = (t: number | null | undefined) => (t === null || t === undefined ? null : isoUtc(t));

function checkSymbol(raw: string, problems: FieldProblem[], field = 'symbol'): string {
  const s = normalizeSymbol(raw);
  if (!s) problems.push({ field, message: `invalid symbol '${raw}': letters, digits, '.', '_' or '-' (at most 32)` });
  return s ?? '';
}

function checkTimeframe(raw: string, problems: FieldProblem[], field = 'timeframe'): string {
  const tf = normalizeTimeframe(raw);
  if (!tf) problems.push({ field, message: `invalid timeframe '${raw}': one of ${KNOWN_TIMEFRAMES.join(', ')}` });
  return tf ?? '';
}

function checkDate(raw: string | null | undefined, problems: FieldProblem[], field: string): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const t = parseUserDate(raw);
  if (Number.isNaN(t)) {
    problems.push({ field, message: `invalid date '${raw}': use YYYY-MM-DD or ISO 8601` });
    return undefined;
  }
  return t;
}

/**
 * `{success, data:{dates, ohlcv, metadata}}` built as one string: 75k bars serialise in a few ms
 * instead of going through JSON.stringify of 75k small arrays. String(n) is JSON's number form.
 */
function barsPayload(bars: BarSeries, metadata: Record<string, unknown>): string {
  const n = bars.time.length;
  const dates = new Array<string>(n);
  const rows = new Array<string>(n);
  const { time, open, high, low, close, volume } = bars;
  for (let i = 0; i < n; i++) {
    dates[i] = `"${isoUtc(time[i])}"`;
    rows[i] = `[${open[i]},${high[i]},${low[i]},${close[i]},${volume[i]}]`;
  }
  return `{"success":true,"data":{"dates":[${dates.join(',')}],"ohlcv":[${rows.join(',')}],"points":null,"metadata":${JSON.stringify(metadata)}},"error":null}`;
}

function assetType(symbol: string): { type: string; exchange: string; currency: string } {
  const cal: MarketCalendar = calendarForSymbol(symbol);
  if (cal === 'fx') return { type: 'forex', exchange: 'IDEALPRO', currency: symbol.slice(3, 6) };
  if (cal === '24x7') return { type: 'crypto', exchange: 'CRYPTO', currency: 'USD' };
  return { type: 'stock', exchange: 'SMART', currency: 'USD' };
}

function symbolsOf(series: SeriesInfo[]) {
  const bySymbol = new Map<string, SeriesInfo[]>();
  for (const s of series) bySymbol.set(s.symbol, [...(bySymbol.get(s.symbol) ?? []), s]);
  return [...bySymbol.entries()].map(([symbol, list]) => ({
    symbol,
    name: symbol,
    ...assetType(symbol),
    available_timeframes: list.map((s) => s.timeframe),
    start_date: isoOrNull(Math.min(...list.map((s) => s.start ?? Infinity)) === Infinity ? null : Math.min(...list.map((s) => s.start ?? Infinity))),
    end_date: isoOrNull(Math.max(...list.map((s) => s.end ?? -Infinity)) === -Infinity ? null : Math.max(...list.map((s) => s.end ?? -Infinity))),
    synthetic: list.some((s) => s.synthetic),
  }));
}

/** Default download source: Dukascopy for FX pairs, Interactive Brokers otherwise (env KTRDR_DEFAULT_DATA_SOURCE wins). */
function defaultSource(symbol: string): (typeof PROVIDER_IDS)[number] {
  const env = process.env.KTRDR_DEFAULT_DATA_SOURCE as (typeof PROVIDER_IDS)[number] | undefined;
  if (env && PROVIDER_IDS.includes(env)) return env;
  return calendarForSymbol(symbol) === 'fx' ? 'dukascopy' : 'ib';
}

const IMPORT_BODY_LIMIT = 256 * 1024 * 1024;

/** Market data: cached bars, ranges, listings, gaps, CSV import and provider downloads (KTRDR shapes, DESIGN.md §4). */
export function dataRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const store: BarStore = ctx.bars;

    app.get(
      '/data/:symbol/:timeframe',
      {
        schema: {
          tags: ['data'],
          summary: 'Stored bars (resampled from a finer stored timeframe when needed); limit keeps the last N',
          params: z.object({ symbol: z.string().min(1).max(64), timeframe: z.string().min(1).max(8) }),
          querystring: z.object({
            start_date: z.string().max(40).optional(),
            end_date: z.string().max(40).optional(),
            limit: z.coerce.number().int().min(1).max(10_000_000).optional(),
            trading_hours_only: z.string().optional(),
            include_extended: z.string().optional(),
          }),
        },
      },
      async (req, reply) => {
        const problems: FieldProblem[] = [];
        const symbol = checkSymbol(req.params.symbol, problems, 'path.symbol');
        const timeframe = checkTimeframe(req.params.timeframe, problems, 'path.timeframe');
        const start = checkDate(req.query.start_date, problems, 'querystring.start_date');
        const end = checkDate(req.query.end_date, problems, 'querystring.end_date');
        if (problems.length) throw new ValidationError(problems);
        const range: TimeRange = { start, end };
        let loaded;
        try {
          loaded = store.load(symbol, timeframe, range);
        } catch (err) {
          if (!(err instanceof SeriesNotFoundError)) throw err;
          // KTRDR answers "no data" with 200 and empty arrays, not 404.
          const meta = { symbol, timeframe, start_date: null, end_date: null, point_count: 0 };
          return reply.type('application/json').send(barsPayload({ symbol, timeframe, time: new Float64Array(0), open: new Float64Array(0), high: new Float64Array(0), low: new Float64Array(0), close: new Float64Array(0), volume: new Float64Array(0) }, meta));
        }
        const all = loaded.bars;
        const bars = req.query.limit ? lastBars(all, req.query.limit) : all;
        const n = bars.time.length;
        const metadata: Record<string, unknown> = {
          symbol,
          timeframe,
          start_date: n ? isoUtc(bars.time[0]) : null,
          end_date: n ? isoUtc(bars.time[n - 1]) : null,
          point_count: n,
          source: all.meta?.source ?? null,
          synthetic: all.meta?.synthetic ?? false,
        };
        if (loaded.resampled) {
          metadata.source_timeframe = loaded.sourceTimeframe;
          metadata.resampled = true;
        }
        if (n < all.time.length) {
          metadata.limited = true;
          metadata.original_points = all.time.length;
        }
        return reply.type('application/json').send(barsPayload(bars, metadata));
      },
    );

    app.get(
      '/data/:symbol/:timeframe/gaps',
      {
        schema: {
          tags: ['data'],
          summary: 'Holes in a stored series beyond normal market closures (weekends, nights, holidays)',
          params: z.object({ symbol: z.string().min(1).max(64), timeframe: z.string().min(1).max(8) }),
          querystring: z.object({
            start_date: z.string().max(40).optional(),
            end_date: z.string().max(40).optional(),
            calendar: z.enum(['fx', 'us_equity', '24x7']).optional(),
            min_trading_days: z.coerce.number().min(0).max(10_000).optional(),
          }),
        },
      },
      async (req) => {
        const problems: FieldProblem[] = [];
        const symbol = checkSymbol(req.params.symbol, problems, 'path.symbol');
        const timeframe = checkTimeframe(req.params.timeframe, problems, 'path.timeframe');
        const start = checkDate(req.query.start_date, problems, 'querystring.start_date');
        const end = checkDate(req.query.end_date, problems, 'querystring.end_date');
        if (problems.length) throw new ValidationError(problems);
        let bars: BarSeries;
        try {
          bars = store.load(symbol, timeframe, { start, end }).bars;
        } catch (err) {
          if (err instanceof SeriesNotFoundError) throw new HttpError(404, `Data not found for ${symbol} (${timeframe})`);
          throw err;
        }
        const report = findGaps(bars, { calendar: req.query.calendar, minTradingDays: req.query.min_trading_days });
        const n = bars.time.length;
        return {
          success: true,
          data: { ...report, start_date: n ? isoUtc(bars.time[0]) : null, end_date: n ? isoUtc(bars.time[n - 1]) : null, point_count: n, gap_count: report.gaps.length },
          error: null,
        };
      },
    );

    app.post(
      '/data/range',
      {
        schema: {
          tags: ['data'],
          summary: 'First and last stored bar of a series',
          body: z.object({ symbol: z.string().min(1).max(64), timeframe: z.string().min(1).max(8).default('1d') }),
        },
      },
      async (req) => {
        const problems: FieldProblem[] = [];
        const symbol = checkSymbol(req.body.symbol, problems);
        const timeframe = checkTimeframe(req.body.timeframe, problems);
        if (problems.length) throw new ValidationError(problems);
        const info = store.info(symbol, timeframe);
        if (info) {
          return { success: true, data: { symbol, timeframe, start_date: isoOrNull(info.start), end_date: isoOrNull(info.end), point_count: info.count, source: info.source, synthetic: info.synthetic }, error: null };
        }
        try {
          const { bars, sourceTimeframe } = store.load(symbol, timeframe);
          const n = bars.time.length;
          return {
            success: true,
            data: { symbol, timeframe, start_date: n ? isoUtc(bars.time[0]) : null, end_date: n ? isoUtc(bars.time[n - 1]) : null, point_count: n, source_timeframe: sourceTimeframe },
            error: null,
          };
        } catch (err) {
          if (err instanceof SeriesNotFoundError) throw new HttpError(404, `Data not found for ${symbol} (${timeframe})`);
          throw err;
        }
      },
    );

    app.get('/symbols', { schema: { tags: ['data'], summary: 'Symbols with stored bars and their timeframes' } }, async () => ({
      success: true,
      data: symbolsOf(store.list()),
      error: null,
    }));

    app.get('/timeframes', { schema: { tags: ['data'], summary: 'Supported timeframes' } }, async () => ({
      success: true,
      data: KNOWN_TIMEFRAMES.map((id) => ({ id, name: TIMEFRAME_NAMES[id]?.[0] ?? id, description: TIMEFRAME_NAMES[id]?.[1] ?? `${id} bars` })),
      error: null,
    }));

    app.get('/data/info', { schema: { tags: ['data'], summary: 'What the local bar store holds' } }, async () => {
      const series = store.list();
      const symbols = symbolsOf(series);
      const types: Record<string, number> = {};
      for (const s of symbols) types[s.type] = (types[s.type] ?? 0) + 1;
      const tfs = [...new Set(series.map((s) => s.timeframe))];
      return {
        success: true,
        data: {
          data_directory: store.dataDir,
          total_symbols: symbols.length,
          available_symbols: symbols.map((s) => s.symbol),
          symbol_types: types,
          timeframes_available: tfs,
          total_timeframes: tfs.length,
          total_series: series.length,
          total_bars: series.reduce((a, s) => a + s.count, 0),
          data_sources: ['local_files', ...PROVIDER_IDS],
          features: ['csv_import', 'resampling', 'gap_detection', 'segmented_download', 'synthetic_data'],
          series: series.map((s) => ({ ...s, start: isoOrNull(s.start), end: isoOrNull(s.end) })),
        },
        error: null,
      };
    });

    app.post(
      '/data/import',
      {
        bodyLimit: Math.max(ctx.config.bodyLimit, IMPORT_BODY_LIMIT),
        schema: {
          tags: ['data'],
          summary: 'Import CSV bars (text in `csv` or a file `path` on this machine); bad rows are reported by line and never stored',
          body: z.object({
            symbol: z.string().min(1).max(64),
            timeframe: z.string().min(1).max(8),
            csv: z.string().optional(),
            path: z.string().min(1).max(4096).optional(),
            timezone: z.string().max(64).optional(),
            mode: z.enum(['merge', 'replace']).default('merge'),
          }),
        },
      },
      async (req) => {
        const b = req.body;
        const problems: FieldProblem[] = [];
        const symbol = checkSymbol(b.symbol, problems);
        const timeframe = checkTimeframe(b.timeframe, problems);
        if (b.csv === undefined && b.path === undefined) problems.push({ field: 'csv', message: 'give the CSV text in `csv` or a file path in `path`' });
        if (b.timezone && !isValidTimeZone(b.timezone)) problems.push({ field: 'timezone', message: `unknown time zone '${b.timezone}' (use an IANA name like America/New_York)` });
        if (problems.length) throw new ValidationError(problems);
        let text = b.csv ?? '';
        if (b.csv === undefined && b.path !== undefined) {
          if (!existsSync(b.path) || !statSync(b.path).isFile()) throw new HttpError(404, `File not found: ${b.path}`);
          const raw = readFileSync(b.path);
          text = (b.path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
        }
        let summary;
        try {
          summary = importCsvText(store, text, { symbol, timeframe, timezone: b.timezone, mode: b.mode, source: 'csv' });
        } catch (err) {
          if (err instanceof CsvFormatError) throw new HttpError(400, err.message);
          throw err;
        }
        if (summary.imported === 0) {
          const first = summary.rejected.slice(0, 5).map((r) => `line ${r.line}: ${r.reason}`).join('; ');
          throw new HttpError(400, `No valid rows to import${first ? ` (${first})` : ' (the file has no data rows)'}`, { rejected: summary.rejected, skipped: summary.skipped, rows: summary.rows });
        }
        return { success: true, data: { ...summary, start: isoOrNull(summary.start), end: isoOrNull(summary.end) }, error: null };
      },
    );

    app.post(
      '/data/acquire/download',
      {
        schema: {
          tags: ['data'],
          summary: 'Start a data_load operation: fetch bars from a provider in segments and merge them into the store',
          body: z.object({
            symbol: z.string().min(1).max(64),
            timeframe: z.string().min(1).max(8),
            mode: z.enum(['tail', 'backfill', 'full', 'local']).default('tail'),
            start_date: z.string().max(40).nullish(),
            end_date: z.string().max(40).nullish(),
            source: z.enum(PROVIDER_IDS).optional(),
            path: z.string().max(4096).optional(),
            dir: z.string().max(4096).optional(),
            timezone: z.string().max(64).optional(),
            seed: z.number().int().optional(),
            host: z.string().max(255).optional(),
            port: z.number().int().min(1).max(65535).optional(),
            client_id: z.number().int().min(0).optional(),
            timeout_ms: z.number().int().min(100).max(600_000).optional(),
            filters: z.record(z.string(), z.unknown()).optional(),
          }),
        },
      },
      async (req) => {
        const b = req.body;
        const problems: FieldProblem[] = [];
        const symbol = checkSymbol(b.symbol, problems);
        const timeframe = checkTimeframe(b.timeframe, problems);
        const start = checkDate(b.start_date, problems, 'start_date');
        const end = checkDate(b.end_date, problems, 'end_date');
        if (start !== undefined && end !== undefined && start > end) problems.push({ field: 'start_date', message: 'start_date must not be after end_date' });
        if (b.timezone && !isValidTimeZone(b.timezone)) problems.push({ field: 'timezone', message: `unknown time zone '${b.timezone}'` });
        const source = b.source ?? defaultSource(symbol || 'X');
        if (source === 'csv' && !b.path && !b.dir) problems.push({ field: 'path', message: 'the csv source needs `path` (a file) or `dir` (a folder of SYMBOL_TF*.csv files)' });
        if (problems.length) throw new ValidationError(problems);
        if (source === 'csv' && !existsSync((b.path ?? b.dir)!)) throw new HttpError(400, `Not found: ${b.path ?? b.dir}`);
        const params = {
          symbol,
          timeframe,
          mode: b.mode,
          start_date: start === undefined ? null : isoUtc(start),
          end_date: end === undefined ? null : isoUtc(end),
          source,
          ...(b.path ? { path: b.path } : {}),
          ...(b.dir ? { dir: b.dir } : {}),
          ...(b.timezone ? { timezone: b.timezone } : {}),
          ...(b.seed !== undefined ? { seed: b.seed } : {}),
          ...(b.host ? { host: b.host } : {}),
          ...(b.port ? { port: b.port } : {}),
          ...(b.client_id !== undefined ? { client_id: b.client_id } : {}),
          ...(b.timeout_ms ? { timeout_ms: b.timeout_ms } : {}),
        };
        const info = ctx.operations.start({
          type: 'data_load',
          params,
          metadata: { symbol, timeframe, start_date: params.start_date, end_date: params.end_date, parameters: { mode: b.mode, source } },
        });
        const message = b.mode === 'local' ? `Started local load for ${symbol} ${timeframe} (cached bars only)` : `Started ${b.mode} download for ${symbol} ${timeframe} from ${source}`;
        // `data` too: KTRDR's MCP client (mcp/src/clients/data_client.py) extracts response["data"].
        return { success: true, operation_id: info.operation_id, status: 'started', message, data: { operation_id: info.operation_id, status: 'started', message } };
      },
    );
  };
}
