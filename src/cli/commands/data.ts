import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import type { OperationInfo } from '../../shared/operations';
import { afterStart, type StartedOperation } from '../follow';
import { printJson, table } from '../format';
import { ApiError } from '../http';
import type { CliContext } from '../index';
import { checkTimeframes, dateRange, dateRangeOptions, fieldFlags, followOption, jsonOption, positiveInt, UsageError, type DateRangeValues } from '../options';

interface BarsResponse {
  data: {
    dates: string[];
    ohlcv: [number, number, number, number, number][];
    metadata: { symbol: string; timeframe: string; start_date: string | null; end_date: string | null; point_count: number; original_points?: number; source_timeframe?: string; synthetic?: boolean };
  };
}

const enc = encodeURIComponent;

/** The text of a CSV file (.gz inflated); a path that is missing or a folder is a usage error in words. */
export function readCsvFile(file: string): string {
  const abs = resolvePath(file);
  if (!existsSync(abs)) throw new UsageError(`${file}: no such file${abs !== file ? ` (${abs})` : ''}`);
  if (statSync(abs).isDirectory()) throw new UsageError(`${file} is a folder: give a CSV file`);
  const raw = readFileSync(abs);
  return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

function printBars(res: BarsResponse, format: string): void {
  const { dates, ohlcv, metadata: m } = res.data;
  if (format === 'json') {
    printJson({
      symbol: m.symbol,
      timeframe: m.timeframe,
      total_rows: m.original_points ?? m.point_count,
      displayed_rows: dates.length,
      metadata: m,
      data: dates.map((d, i) => ({ Date: d, Open: ohlcv[i][0], High: ohlcv[i][1], Low: ohlcv[i][2], Close: ohlcv[i][3], Volume: ohlcv[i][4] })),
    });
    return;
  }
  if (format === 'csv') {
    const lines = ['Date,Open,High,Low,Close,Volume', ...dates.map((d, i) => `${d},${ohlcv[i].join(',')}`)];
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  if (!dates.length) {
    process.stdout.write(`No cached data found for ${m.symbol} (${m.timeframe})\nTry loading data first with 'ktrdr data load' or 'ktrdr data import'\n`);
    return;
  }
  const head = [
    `${m.symbol} (${m.timeframe}) - Cached Data${m.source_timeframe ? ` (resampled from ${m.source_timeframe})` : ''}${m.synthetic ? ' [SYNTHETIC]' : ''}`,
    `Total rows: ${m.original_points ?? m.point_count} | Showing: ${dates.length}`,
    `Date range: ${m.start_date} to ${m.end_date}`,
    '',
  ];
  const rows = dates.map((d, i) => [d.replace('T', ' ').replace('Z', ''), ...ohlcv[i].slice(0, 4).map(String), ohlcv[i][4].toLocaleString('en-US')]);
  process.stdout.write(`${head.join('\n')}${table(['Date', 'Open', 'High', 'Low', 'Close', 'Volume'], rows)}\n`);
}

export function registerDataCommands(program: Command, ctx: CliContext): void {
  const data = program.command('data').description('Market data: show, import, load from a provider, ranges and gaps');

  const show = data
    .command('show <symbol> [timeframe]')
    .description('Show the last stored bars of a series')
    .option('-t, --timeframe <tf>', 'timeframe (when not given as an argument)', '1d')
    .option('-l, --limit <n>', 'how many of the last bars to show', '10')
    .option('-r, --rows <n>', 'same as --limit (KTRDR spelling)');
  fieldFlags(dateRangeOptions(show, 'bar'), { symbol: 'SYMBOL', timeframe: 'TIMEFRAME' })
    .option('-f, --format <format>', 'table|json|csv (KTRDR spelling; -f is --follow on commands that start operations)', 'table')
    .option('--json', 'print JSON (same as --format json)')
    .action(async (symbol: string, tfArg: string | undefined, o: DateRangeValues & { timeframe: string; limit: string; rows?: string; format: string; json?: boolean }) => {
      const format = o.json ? 'json' : o.format;
      if (!['table', 'json', 'csv'].includes(format)) throw new UsageError(`--format must be table, json or csv, got '${o.format}'`);
      const tf = checkTimeframes([tfArg ?? o.timeframe], tfArg ? 'TIMEFRAME' : '--timeframe')![0];
      const { start, end } = dateRange(o);
      const q = new URLSearchParams({ limit: String(positiveInt(o.rows ?? o.limit, o.rows ? '--rows' : '--limit')) });
      if (start) q.set('start_date', start);
      if (end) q.set('end_date', end);
      const res = await ctx.client().get<BarsResponse>(`/data/${enc(symbol)}/${enc(tf)}?${q}`);
      printBars(res, format);
    });

  data
    .command('range <symbol> [timeframe]')
    .description('First and last stored bar of a series')
    .option('-t, --timeframe <tf>', 'timeframe', '1d')
    .option('--json', 'print JSON')
    .action(async (symbol: string, tfArg: string | undefined, o: { timeframe: string; json?: boolean }) => {
      const res = await ctx.client().post<{ data: { symbol: string; timeframe: string; start_date: string; end_date: string; point_count: number; source_timeframe?: string } }>('/data/range', {
        symbol,
        timeframe: tfArg ?? o.timeframe,
      });
      if (o.json) return printJson(res);
      const d = res.data;
      process.stdout.write(`${d.symbol} ${d.timeframe}: ${d.start_date} to ${d.end_date} (${d.point_count} bars${d.source_timeframe ? `, resampled from ${d.source_timeframe}` : ''})\n`);
    });

  data
    .command('list')
    .description('Every stored series')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const res = await ctx.client().get<{ data: { series: { symbol: string; timeframe: string; start: string; end: string; count: number; source: string; synthetic: boolean }[] } }>('/data/info');
      if (o.json) return printJson(res.data.series);
      if (!res.data.series.length) return void process.stdout.write('No stored series.\n');
      process.stdout.write(
        `${table(
          ['SYMBOL', 'TF', 'BARS', 'FIRST', 'LAST', 'SOURCE'],
          res.data.series.map((s) => [s.symbol, s.timeframe, s.count, s.start, s.end, `${s.source}${s.synthetic ? ' (synthetic)' : ''}`]),
        )}\n`,
      );
    });

  const importCmd = data
    .command('import <file>')
    .description('Import a CSV file (timestamp,open,high,low,close,volume or common variants; .gz works)')
    .requiredOption('-s, --symbol <symbol>', 'symbol to store it as')
    .requiredOption('-t, --timeframe <tf>', 'bar timeframe of the file')
    .option('--timezone <zone>', 'IANA zone of timestamps written without one (default UTC)')
    .option('--mode <mode>', 'merge|replace', 'merge')
    .option('--keep-valid-rows', 'store the valid rows even when some are rejected (default: store nothing then)')
    .option('--json', 'print JSON');
  fieldFlags(importCmd, { csv: 'FILE', symbol: '--symbol', timeframe: '--timeframe' })
    .action(async (file: string, o: { symbol: string; timeframe: string; timezone?: string; mode: string; keepValidRows?: boolean; json?: boolean }) => {
      checkTimeframes([o.timeframe], '--timeframe');
      const csv = readCsvFile(file);
      type Rejected = { line: number; reason: string };
      let res;
      try {
        res = await ctx.client().post<{ data: { symbol: string; timeframe: string; rows: number; imported: number; added: number; merged: number; duplicates: number; skipped: number; rejected: Rejected[]; total_bars: number; start: string; end: string; duplicates_note?: string | null } }>(
          '/data/import',
          { symbol: o.symbol, timeframe: o.timeframe, csv, mode: o.mode, ...(o.timezone !== undefined ? { timezone: o.timezone } : {}), ...(o.keepValidRows ? { keep_valid_rows: true } : {}) },
        );
      } catch (err) {
        // A refused import lists its rejected rows (line and reason) under the one-line error.
        const body = err instanceof ApiError ? (err.body as { rejected?: Rejected[]; skipped?: number; inferred_timeframe?: string } | null) : null;
        if (o.json || !body?.rejected?.length) throw err;
        const shown = body.rejected.slice(0, 20).map((r) => `  line ${r.line}: ${r.reason}`);
        const more = (body.skipped ?? body.rejected.length) - shown.length;
        const detail = typeof (body as { detail?: unknown }).detail === 'string' ? (body as { detail: string }).detail : (err as Error).message;
        const text = [detail, ...shown, ...(more > 0 ? [`  ... and ${more} more`] : [])].join('\n');
        throw new ApiError(err instanceof ApiError ? err.status : 400, text, { ...body, detail: text });
      }
      if (o.json) return printJson(res);
      const d = res.data;
      const lines = [
        `Imported ${d.symbol} ${d.timeframe}: ${d.imported} bars from ${d.rows} rows (${d.added} new, ${d.merged} replaced, ${d.duplicates} duplicates, ${d.skipped} skipped)`,
        `Stored: ${d.total_bars} bars, ${d.start} to ${d.end}`,
        ...(d.duplicates_note ? [`Note: ${d.duplicates_note}`] : []),
        ...d.rejected.slice(0, 20).map((r) => `  line ${r.line}: ${r.reason}`),
      ];
      if (d.rejected.length > 20) lines.push(`  ... and ${d.skipped - 20} more`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  const load = data
    .command('load <symbol> <timeframe>')
    .description('Download bars from a provider as a data_load operation (--follow to watch it)')
    .option('--source <source>', 'csv|synthetic|dukascopy|ib (default: dukascopy for FX, ib otherwise); synthetic bars are marked as such wherever they are used')
    .option('-m, --mode <mode>', 'tail|backfill|full', 'tail')
    .option('--path <path>', 'csv source: a file or a folder of SYMBOL_TF*.csv files')
    .option('--seed <n>', 'synthetic source: random seed');
  jsonOption(followOption(fieldFlags(dateRangeOptions(load), { symbol: 'SYMBOL', timeframe: 'TIMEFRAME' })))
    .action(async (symbol: string, timeframe: string, o: DateRangeValues & { source?: string; mode: string; path?: string; seed?: string; follow?: boolean; json?: boolean }) => {
      checkTimeframes([timeframe], 'TIMEFRAME');
      const { start, end } = dateRange(o);
      const client = ctx.client();
      const body: Record<string, unknown> = { symbol, timeframe, mode: o.mode };
      if (start) body.start_date = start;
      if (end) body.end_date = end;
      if (o.source) body.source = o.source;
      if (o.seed !== undefined) body.seed = Number(o.seed);
      if (o.path) body[/\.csv(\.gz)?$/i.test(o.path) ? 'path' : 'dir'] = o.path;
      const started = await client.post<StartedOperation>('/data/acquire/download', body);
      await afterStart(client, started, o, (info: OperationInfo) => {
        if (o.json) return printJson(info);
        if (info.status === 'completed') {
          const r = (info.result_summary ?? {}) as { bars_loaded?: number; start?: string; end?: string; gaps_found?: number; synthetic?: boolean; merged?: { added: number; total_bars: number } };
          process.stdout.write(`Loaded ${r.bars_loaded ?? 0} bars (${r.merged?.added ?? 0} new); stored ${r.merged?.total_bars ?? 0} bars, ${r.start} to ${r.end}; ${r.gaps_found ?? 0} gap(s)\n`);
          for (const w of info.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        } else process.stdout.write(`Data loading ${info.status}${info.error_message ? `: ${info.error_message}` : ''}\n`);
      });
    });

  data
    .command('gaps <symbol> <timeframe>')
    .description('Holes in a stored series beyond normal market closures')
    .option('--min-days <n>', 'report holes of at least this many trading days', '1')
    .option('--calendar <calendar>', 'fx|us_equity|24x7 (default: from the symbol)')
    .option('--json', 'print JSON')
    .action(async (symbol: string, timeframe: string, o: { minDays: string; calendar?: string; json?: boolean }) => {
      const q = new URLSearchParams({ min_trading_days: o.minDays });
      if (o.calendar) q.set('calendar', o.calendar);
      const res = await ctx.client().get<{ data: { calendar: string; point_count: number; gaps: { last_bar_before: string; end: string; missing_bars: number; missing_trading_days: number }[] } }>(
        `/data/${enc(symbol)}/${enc(timeframe)}/gaps?${q}`,
      );
      if (o.json) return printJson(res);
      const d = res.data;
      process.stdout.write(`${symbol.toUpperCase()} ${timeframe}: ${d.gaps.length} gap(s) in ${d.point_count} bars (calendar ${d.calendar})\n`);
      if (d.gaps.length) {
        process.stdout.write(`${table(['LAST BAR BEFORE', 'NEXT BAR', 'MISSING BARS', 'TRADING DAYS'], d.gaps.map((g) => [g.last_bar_before, g.end, g.missing_bars, g.missing_trading_days]))}\n`);
      }
    });
}
