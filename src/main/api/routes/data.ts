import { delimiter } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { calendarForSymbol, type MarketCalendar } from '../../../core/bars/calendar';
import { CsvFormatError } from '../../../core/bars/csv';
import { findGaps } from '../../../core/bars/gaps';
import { lastBars, type TimeRange } from '../../../core/bars/series';
import { normalizeSymbol, normalizeTimeframe } from '../../../core/bars/symbols';
import { isValidTimeZone, isoUtc } from '../../../core/bars/time';
import { isPlausibleTime, parseStrictDate } from '../../../core/bars/user-date';
import { formatSpacing } from '../../../core/bars/infer-timeframe';
import type { BarSeries } from '../../../core/bars/types';
import { KNOWN_TIMEFRAMES } from '../../../core/timeframes';
import { duplicatesNote } from '../../../infra/bars/import';
import { CorruptSeriesError, importCsvTextAsync, ImportRefusedError, prepareImportAsync, SeriesNotFoundError, type BarStore, type SeriesInfo } from '../../../infra/bars';
import { LockTimeoutError } from '../../../infra/bars/atomic';
import { ImportFileError, importRoots, readImportFileAsync, resolveImportPath } from '../../../infra/import-files';
import { readManifestIfAny } from '../../../infra/models/registry';
import { ParseAbandonedError } from '../../../infra/threads/parse-pool';
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

/** ISO text of a stored time; null rather than a thrown RangeError for anything outside 1900–2200. */
const isoOrNull = (t: number | null | undefined) => (t === null || t === undefined || !isPlausibleTime(t) ? null : isoUtc(t));

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

/** `side` 'end': a YYYY-MM-DD day is inclusive (its last ms), as in every other route and CLI flag. */
function checkDate(raw: string | null | undefined, problems: FieldProblem[], field: string, side: 'instant' | 'end' = 'instant'): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const r = parseStrictDate(raw, side);
  if (!r.ok) {
    problems.push({ field, message: `invalid date: ${r.message}` });
    return undefined;
  }
  return r.ms;
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

/** Maps store errors that are the caller's business to 4xx answers. */
function storeError(err: unknown, symbol: string, timeframe: string): never {
  if (err instanceof SeriesNotFoundError) throw new HttpError(404, `Data not found for ${symbol} (${timeframe})`);
  if (err instanceof CorruptSeriesError) throw new HttpError(409, err.message);
  throw err;
}

const importBody = z.object({
  symbol: z.string().min(1).max(64),
  timeframe: z.string().min(1).max(8),
  csv: z.string().optional(),
  path: z.string().min(1).max(4096).optional(),
  timezone: z.string().max(64).optional(),
  mode: z.enum(['merge', 'replace']).default('merge'),
  keep_valid_rows: z.boolean().optional(),
});
type ImportBody = z.infer<typeof importBody>;

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
        const end = checkDate(req.query.end_date, problems, 'querystring.end_date', 'end');
        if (problems.length) throw new ValidationError(problems);
        const range: TimeRange = { start, end };
        let loaded;
        try {
          loaded = store.load(symbol, timeframe, range);
        } catch (err) {
          if (!(err instanceof SeriesNotFoundError)) storeError(err, symbol, timeframe);
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
        const end = checkDate(req.query.end_date, problems, 'querystring.end_date', 'end');
        if (problems.length) throw new ValidationError(problems);
        let bars: BarSeries;
        try {
          bars = store.load(symbol, timeframe, { start, end }).bars;
        } catch (err) {
          storeError(err, symbol, timeframe);
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
        let info;
        try {
          info = store.info(symbol, timeframe);
        } catch (err) {
          storeError(err, symbol, timeframe);
        }
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
          storeError(err, symbol, timeframe);
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

    const roots = importRoots(ctx.config.home, ctx.config.importDirs.join(delimiter));
    /** Validates the request and reads the CSV text (inline, or a file inside the import folders). */
    const importInput = async (b: ImportBody) => {
      const problems: FieldProblem[] = [];
      const symbol = checkSymbol(b.symbol, problems);
      const timeframe = checkTimeframe(b.timeframe, problems);
      if (b.csv === undefined && b.path === undefined) problems.push({ field: 'csv', message: 'give the CSV text in `csv` or a file path in `path`' });
      if (b.timezone !== undefined && !isValidTimeZone(b.timezone)) problems.push({ field: 'timezone', message: `unknown time zone '${b.timezone}' (use an IANA name like America/New_York)` });
      if (problems.length) throw new ValidationError(problems);
      let text = b.csv ?? '';
      const fromPath = b.csv === undefined && b.path !== undefined;
      if (fromPath) {
        try {
          text = await readImportFileAsync(resolveImportPath(b.path!, roots), ctx.config.importLimit);
        } catch (err) {
          if (err instanceof ImportFileError) throw new HttpError(err.statusCode, err.message);
          throw err;
        }
      }
      const opts = { symbol, timeframe, timezone: b.timezone || undefined, mode: b.mode, source: 'csv', keepValidRows: b.keep_valid_rows === true, echoContent: !fromPath };
      return { text, opts };
    };
    const refused = (err: unknown): never => {
      if (err instanceof CsvFormatError) throw new HttpError(400, err.message, { rejected: [] });
      if (err instanceof ImportRefusedError) throw new HttpError(400, err.message, err.extra);
      if (err instanceof LockTimeoutError) throw new HttpError(409, `${err.message}; try again when the running data load or import has finished`);
      if (err instanceof ParseAbandonedError) throw new HttpError(err.reason === 'memory' ? 413 : 503, err.message);
      throw err;
    };

    app.post(
      '/data/import',
      {
        bodyLimit: ctx.config.importLimit,
        schema: {
          tags: ['data'],
          summary:
            'Import CSV bars (text in `csv`, or a file `path` inside KTRDR_HOME/imports or KTRDR_IMPORT_DIRS). Nothing is stored when a row is rejected (unless keep_valid_rows) or the timestamps contradict the timeframe',
          body: importBody,
        },
      },
      async (req) => {
        const { text, opts } = await importInput(req.body);
        let summary;
        try {
          summary = await importCsvTextAsync(store, text, opts, ctx.parsePool);
        } catch (err) {
          refused(err);
        }
        return { success: true, data: { ...summary, start: isoOrNull(summary!.start), end: isoOrNull(summary!.end) }, error: null };
      },
    );

    app.post(
      '/data/import/preview',
      {
        bodyLimit: ctx.config.importLimit,
        schema: {
          tags: ['data'],
          summary: 'Check a CSV import without storing anything: detected columns, timestamp format, inferred timeframe, first rows, rejected rows',
          body: importBody,
        },
      },
      async (req) => {
        const { text, opts } = await importInput(req.body);
        let prep;
        try {
          prep = await prepareImportAsync(text, { ...opts, keepValidRows: true, checkTimeframe: false }, ctx.parsePool);
        } catch (err) {
          if (err instanceof ImportRefusedError) {
            // No valid row: still a preview, with every reason.
            return {
              success: true,
              data: { columns: null, detected: { timestamp_format: null, timezone: opts.timezone ?? 'UTC' }, inferred_timeframe: null, rows: [], row_count: err.extra.rows ?? 0, valid_count: 0, rejected: err.extra.rejected ?? [] },
              error: null,
            };
          }
          refused(err);
        }
        const { parsed, evidence } = prep!;
        const b = parsed.bars;
        const rows = [];
        for (let i = 0; i < Math.min(20, b.time.length); i++) rows.push({ timestamp: isoUtc(b.time[i]), open: b.open[i], high: b.high[i], low: b.low[i], close: b.close[i], volume: b.volume[i] });
        const mismatch = evidence.timeframe !== null && evidence.timeframe !== opts.timeframe;
        return {
          success: true,
          data: {
            columns: parsed.header,
            detected: {
              timestamp_format: parsed.timestampFormat,
              timezone: parsed.timestampHasZone ? 'offset in timestamps' : (opts.timezone ?? 'UTC'),
              timezone_source: parsed.timestampHasZone ? 'timestamps' : opts.timezone ? 'request' : 'default',
            },
            inferred_timeframe: evidence.timeframe,
            median_spacing: evidence.medianMs === null ? null : formatSpacing(evidence.medianMs),
            timeframe_matches: !mismatch,
            rows,
            row_count: parsed.rows,
            valid_count: b.time.length,
            duplicates: parsed.duplicates,
            duplicate_timestamps: parsed.duplicateTimes.map(isoUtc),
            duplicates_note: duplicatesNote(parsed),
            rejected: parsed.rejected,
          },
          error: null,
        };
      },
    );

    app.delete(
      '/data/:symbol/:timeframe',
      {
        schema: {
          tags: ['data'],
          summary: 'Delete a stored series; models trained on it are listed (their own files are kept)',
          params: z.object({ symbol: z.string().min(1).max(64), timeframe: z.string().min(1).max(8) }),
        },
      },
      async (req) => {
        const problems: FieldProblem[] = [];
        const symbol = checkSymbol(req.params.symbol, problems, 'path.symbol');
        const timeframe = checkTimeframe(req.params.timeframe, problems, 'path.timeframe');
        if (problems.length) throw new ValidationError(problems);
        if (!store.remove(symbol, timeframe)) throw new HttpError(404, `Data not found for ${symbol} (${timeframe})`);
        const referenced = ctx.models
          .list()
          .filter((m) => {
            const manifest = readManifestIfAny(m.dir);
            const tfs = manifest?.timeframes ?? [m.timeframe];
            return (manifest?.symbols ?? m.symbols).includes(symbol) && tfs.includes(timeframe);
          })
          .map((m) => m.model_path);
        return { success: true, data: { symbol, timeframe, deleted: true, referenced_by_models: referenced }, error: null };
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
        const end = checkDate(b.end_date, problems, 'end_date', 'end');
        if (start !== undefined && end !== undefined && start > end) problems.push({ field: 'start_date', message: 'start_date must not be after end_date' });
        if (b.timezone !== undefined && !isValidTimeZone(b.timezone)) problems.push({ field: 'timezone', message: `unknown time zone '${b.timezone}'` });
        const source = b.source ?? defaultSource(symbol || 'X');
        if (source === 'csv' && !b.path && !b.dir) problems.push({ field: 'path', message: 'the csv source needs `path` (a file) or `dir` (a folder of SYMBOL_TF*.csv files)' });
        if (problems.length) throw new ValidationError(problems);
        if (source === 'csv') {
          try {
            resolveImportPath((b.path ?? b.dir)!, roots, { directory: !b.path });
          } catch (err) {
            if (err instanceof ImportFileError) throw new HttpError(err.statusCode, err.message);
            throw err;
          }
        }
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
