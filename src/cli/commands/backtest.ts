import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { significanceVerdict } from '../../shared/significance';
import type { OperationInfo } from '../../shared/operations';
import { parseBacktestResult, type BacktestResult } from '../../shared/results/backtest';
import { resultsPath } from '../../shared/results/envelope';
import { presentBacktest } from '../../shared/results/present';
import { afterStart } from '../follow';
import { checkTimeframes, dateRange, dateRangeOptions, fieldFlags, followOption, jsonOption, UsageError, withParentOptions, type DateRangeValues } from '../options';
import { printJson, sectionsText } from '../format';
import type { CliContext } from '../index';
import { registerPortfolioCommand } from './portfolio';

interface StartOptions extends CostFlags {
  modelPath?: string;
  allowInSample?: boolean;
  randomRuns?: string;
  randomSeed?: string;
  json?: boolean;
}

interface StartResponse {
  operation_id: string;
  message: string;
  symbol: string;
  timeframe: string;
  model_path?: string;
  effective_start_date?: string;
  effective_end_date?: string;
  clipped?: boolean;
  warnings?: string[];
}

/**
 * A finished backtest in the terminal: the in-sample guard, what was tested, every metric the
 * presenter shows (src/shared/results/present.ts: the same labels, units and precision as the app
 * and the report) and the verdict against random entries.
 */
export function backtestSummary(r: BacktestResult): string {
  const head = `${r.strategy_name} on ${r.symbol} ${r.timeframe}, ${r.start_time} .. ${r.end_time} (${r.equity_curve_length} bars, model ${r.model_path})`;
  const verdict = significanceVerdict(r.significance, r.null_reasons.significance);
  return [...inSampleLines(r), head, '', sectionsText(presentBacktest(r)), '', verdict].join('\n');
}

/** The in-sample guard, impossible to miss unless the request acknowledged it (allow_in_sample); "unknown" said as such. */
export function inSampleLines(r: BacktestResult): string[] {
  if (r.out_of_sample === null) return [`in-sample check: unknown (${r.null_reasons.out_of_sample ?? 'not recorded'})`];
  if (r.out_of_sample) return [];
  const range = r.model_data_range ? ` (model data ${r.model_data_range.start.slice(0, 10)} .. ${r.model_data_range.end.slice(0, 10)})` : '';
  if (r.allow_in_sample) return [`in-sample (acknowledged): ${r.in_sample_bars} of ${r.equity_curve_length} bars inside the model's data${range}`];
  const bar = '!'.repeat(72);
  return [bar, `!! IN-SAMPLE: ${r.in_sample_bars} of ${r.equity_curve_length} bars lie inside the model's training data${range}.`, '!! These results are not out of sample.', bar];
}

async function startAndMaybeFollow(ctx: CliContext, body: Record<string, unknown>, follow: boolean, json: boolean): Promise<void> {
  const client = ctx.client();
  const res = await client.post<StartResponse>('/backtests/start', body);
  if (!json && res.clipped) process.stderr.write(`Range clipped to the data: ${res.effective_start_date} .. ${res.effective_end_date}\n`);
  await afterStart(client, res, { follow, json }, async (info: OperationInfo) => {
    if (info.status !== 'completed') {
      if (json) printJson(info);
      else process.stderr.write(`Backtest ${info.status}${info.error_message ? `: ${info.error_message}` : ''}\n`);
      return;
    }
    const { results: raw } = await client.get<{ results: unknown }>(resultsPath(res.operation_id));
    const results = parseBacktestResult(raw);
    if (json) return printJson(results);
    process.stdout.write(`${backtestSummary(results)}\n`);
    process.stdout.write(`Trades and equity curve: GET /api/v1/backtests/${res.operation_id}/trades and /equity_curve\n`);
    process.stdout.write(`Report: ktrdr backtest report ${res.operation_id} -o report.html\n`);
  });
}

const num = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got '${v}')`);
  return n;
};

/** The cost flags `ktrdr backtest` and `ktrdr experiment …` share (--capital, --commission, --slippage, --spread-pips). */
export interface CostFlags {
  capital?: string;
  commission?: string;
  slippage?: string;
  spreadPips?: string;
}

export function addCostFlags(cmd: Command, capitalDefault?: string): Command {
  return cmd
    .option('-c, --capital <amount>', 'initial capital', capitalDefault)
    .option('--commission <fraction>', 'KTRDR cost model: commission per side, fraction of notional (default: the instrument’s costs)')
    .option('--slippage <fraction>', 'KTRDR cost model: slippage per fill, fraction of price (default: the instrument’s costs)')
    .option('--spread-pips <pips>', 'bid-ask spread in pips (overrides the instrument’s)');
}

/** Request fields for the cost flags given; none given → the instrument's and the strategy's costs. */
export function costFields(o: CostFlags): Record<string, unknown> {
  return {
    ...(o.capital !== undefined ? { initial_capital: num('capital', o.capital) } : {}),
    // Given explicitly, the legacy fractions switch to KTRDR's cost model; otherwise the instrument's applies.
    ...(o.commission !== undefined ? { commission: num('commission', o.commission) } : {}),
    ...(o.slippage !== undefined ? { slippage: num('slippage', o.slippage) } : {}),
    ...(o.spreadPips !== undefined ? { costs: { spread_pips: num('spread-pips', o.spreadPips) } } : {}),
  };
}

function bodyFrom(strategy: string, dates: { start: string; end: string }, o: StartOptions, symbol?: string, timeframe?: string) {
  return {
    strategy_name: strategy,
    ...(symbol ? { symbol } : {}),
    ...(timeframe ? { timeframe } : {}),
    start_date: dates.start,
    end_date: dates.end,
    ...(o.modelPath ? { model_path: o.modelPath } : {}),
    ...costFields(o),
    ...(o.allowInSample ? { allow_in_sample: true } : {}),
    ...(o.randomRuns !== undefined ? { random_runs: num('random-runs', o.randomRuns) } : {}),
    ...(o.randomSeed !== undefined ? { random_seed: num('random-seed', o.randomSeed) } : {}),
  };
}

function costOptions(cmd: Command): Command {
  return addCostFlags(cmd.option('-m, --model-path <path>', 'model version, e.g. models/<strategy>/1d_v3 (default: the latest for the timeframe)'), '100000')
    .option('--allow-in-sample', 'the range may overlap the model’s training data: no warning banner (the fields stay)')
    .option('--random-runs <n>', 'random-entry runs to compare with (0..5000, 0 disables; server default 200)')
    .option('--random-seed <n>', 'seed of the random-entry runs and the Sharpe bootstrap');
}

export function registerBacktestCommands(program: Command, ctx: CliContext): void {
  // KTRDR [H] form: `ktrdr backtest NAME --start --end [--follow]` (symbol/timeframe from the strategy).
  const bt = jsonOption(
    followOption(
      dateRangeOptions(
        costOptions(
          program
            .command('backtest')
            .description('Backtest a trained model: `ktrdr backtest NAME --start D --end D [--follow]` or `ktrdr backtest run STRATEGY SYMBOL TIMEFRAME --start D --end D`')
            .argument('[strategy]', 'strategy name')
            .option('--symbol <symbol>', 'symbol (default: the strategy’s first)')
            .option('--timeframe <tf>', 'timeframe (default: the strategy’s base timeframe)'),
        ),
      ),
    ),
  ).action(async (strategy: string | undefined, o: StartOptions & DateRangeValues & { symbol?: string; timeframe?: string; follow?: boolean }) => {
    if (!strategy) return void bt.help({ error: true });
    if (o.timeframe) checkTimeframes([o.timeframe], '--timeframe');
    const range = dateRange(o, true) as { start: string; end: string };
    await startAndMaybeFollow(ctx, bodyFrom(strategy, range, o, o.symbol, o.timeframe), Boolean(o.follow), Boolean(o.json));
  });

  // KTRDR [E] form: `ktrdr backtest run STRATEGY SYMBOL TIMEFRAME --start --end` (its --start-date/--end-date still work).
  const run = costOptions(
    bt
      .command('run')
      .description('Start a backtest of STRATEGY on SYMBOL TIMEFRAME (--follow to watch it and print the summary)')
      .argument('<strategy>', 'strategy name')
      .argument('<symbol>', 'symbol, e.g. EURUSD')
      .argument('<timeframe>', 'timeframe, e.g. 1h or 1d'),
  );
  jsonOption(followOption(fieldFlags(dateRangeOptions(run), { symbol: 'SYMBOL', timeframe: 'TIMEFRAME' }))).action(
    async (strategy: string, symbol: string, timeframe: string, local: StartOptions & DateRangeValues & { follow?: boolean }, cmd: Command) => {
      const o = withParentOptions(cmd, local);
      checkTimeframes([timeframe], 'TIMEFRAME');
      const range = dateRange(o, true) as { start: string; end: string };
      await startAndMaybeFollow(ctx, bodyFrom(strategy, range, o, symbol, timeframe), Boolean(o.follow), Boolean(o.json));
    },
  );

  registerExportCommands(bt, ctx);
  registerPortfolioCommand(bt, ctx, costOptions);
}

/** Writes text to a file (-o) or stdout. */
function emit(text: string, output: string | undefined, what: string): void {
  if (!output || output === '-') {
    process.stdout.write(text);
    return;
  }
  writeFileSync(output, text);
  process.stderr.write(`${what} written to ${output}\n`);
}

function exportFormat(v: string | undefined): 'csv' | 'json' {
  if (v === undefined || v === 'json') return 'json';
  if (v === 'csv') return 'csv';
  throw new UsageError(`--format must be csv or json (got '${v}')`);
}

/** `ktrdr backtest report ID -o file.html`, `ktrdr backtest trades|equity ID --format csv -o file`. */
function registerExportCommands(bt: Command, ctx: CliContext): void {
  bt.command('report')
    .description('Save the self-contained HTML report of a finished backtest')
    .argument('<backtest_id>', 'operation id of the backtest')
    .option('-o, --output <file>', 'file to write (default: stdout)')
    .option('--json', 'print {operation_id, output, bytes} (with -o) or {operation_id, html} instead of the bare report')
    .action(async (id: string, o: { output?: string; json?: boolean }) => {
      const html = await ctx.client().get<string>(`/backtests/${encodeURIComponent(id)}/report`);
      if (!o.json) return emit(html, o.output, 'Report');
      if (o.output && o.output !== '-') {
        writeFileSync(o.output, html);
        return printJson({ operation_id: id, output: o.output, bytes: Buffer.byteLength(html) });
      }
      printJson({ operation_id: id, html });
    });
  for (const [name, path, what] of [
    ['trades', 'trades', 'Trades'],
    ['equity', 'equity_curve', 'Equity curve'],
  ] as const) {
    bt.command(name)
      .description(`${what} of a finished backtest as CSV or JSON`)
      .argument('<backtest_id>', 'operation id of the backtest')
      .option('--format <format>', 'csv or json', 'json')
      .option('--json', 'same as --format json (the default)')
      .option('-o, --output <file>', 'file to write (default: stdout)')
      .action(async (id: string, o: { format?: string; output?: string; json?: boolean }) => {
        const format = o.json ? 'json' : exportFormat(o.format);
        const body = await ctx.client().get<unknown>(`/backtests/${encodeURIComponent(id)}/${path}${format === 'csv' ? '?format=csv' : ''}`);
        emit(typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`, o.output, what);
      });
  }
}
