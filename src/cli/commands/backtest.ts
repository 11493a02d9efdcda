import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describeSignificance } from '../../shared/significance';
import type { OperationInfo } from '../../shared/operations';
import { afterStart } from '../follow';
import { checkTimeframes, dateRange, dateRangeOptions, fieldFlags, followOption, jsonOption, UsageError, type DateRangeValues } from '../options';
import { printJson, table } from '../format';
import type { CliContext } from '../index';

interface StartOptions {
  modelPath?: string;
  capital: string;
  commission?: string;
  slippage?: string;
  spreadPips?: string;
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

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(2)}%` : '-');
const fixed = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '-');
const money = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '-');

/** The key metrics of a finished backtest: strategy vs buy & hold (fully invested, and at the strategy's exposure). */
export function summaryTable(results: Record<string, any>): string {
  const m = results.metrics ?? {};
  const b = results.benchmark ?? {};
  const e = b.exposure_matched ?? {};
  const rows: (string | number)[][] = [
    ['Total return', money(m.total_return), money(b.total_return), money(e.total_return)],
    ['Return', pct(m.total_return_pct), pct(b.total_return_pct), pct(e.total_return_pct)],
    ['Annualised return', pct(m.annualized_return), pct(b.annualized_return), pct(e.annualized_return)],
    ['Volatility (ann.)', pct(m.volatility), pct(b.volatility), pct(e.volatility)],
    ['Sharpe ratio', fixed(m.sharpe_ratio), fixed(b.sharpe_ratio), fixed(e.sharpe_ratio)],
    ['Sortino ratio', fixed(m.sortino_ratio), fixed(b.sortino_ratio), fixed(e.sortino_ratio)],
    ['Max drawdown', pct(m.max_drawdown_pct), pct(b.max_drawdown_pct), pct(e.max_drawdown_pct)],
    ['Calmar ratio', fixed(m.calmar_ratio), '-', '-'],
    ['Trades', m.total_trades ?? '-', '-', '-'],
    ['Win rate', pct(m.win_rate), '-', '-'],
    ['Profit factor', fixed(m.profit_factor), '-', '-'],
    ['Avg holding (bars)', fixed(m.avg_holding_period_bars, 1), '-', '-'],
    ['Time in market', pct(m.exposure), '100.00%', e.exposure !== undefined ? '100.00%' : '-'],
    ['Avg equity invested', pct(e.exposure), pct(b.exposure ?? 1), pct(e.exposure)],
    ['Final equity', money(m.final_equity), money(b.final_equity), money(e.final_equity)],
  ];
  const head = `${results.strategy_name} on ${results.symbol} ${results.timeframe}, ${results.start_time} .. ${results.end_time} (${results.equity_curve_length} bars, model ${results.model_path})`;
  const lines = [...inSampleLines(results), head, table(['METRIC', 'STRATEGY', 'BUY & HOLD', 'B&H AT SAME EXPOSURE'], rows)];
  const c = results.costs;
  if (c && typeof c === 'object') {
    lines.push(
      `Costs (${c.currency}, ${c.model}): gross ${money(c.gross_pnl)} − commission ${money(c.commission)} − spread ${money(c.spread_cost)} − slippage ${money(c.slippage_cost)} = net ${money(c.net_pnl)}`,
    );
  }
  return lines.join('\n');
}

/** The in-sample guard, impossible to miss unless the request acknowledged it (allow_in_sample). */
export function inSampleLines(results: Record<string, any>): string[] {
  if (results.out_of_sample !== false) return [];
  const range = results.model_data_range ? ` (model data ${String(results.model_data_range.start).slice(0, 10)} .. ${String(results.model_data_range.end).slice(0, 10)})` : '';
  if (results.allow_in_sample) return [`in-sample (acknowledged): ${results.in_sample_bars} of ${results.equity_curve_length} bars inside the model's data${range}`];
  const bar = '!'.repeat(72);
  return [bar, `!! IN-SAMPLE: ${results.in_sample_bars} of ${results.equity_curve_length} bars lie inside the model's training data${range}.`, '!! These results are not out of sample.', bar];
}

/** "Return beats 66 % of 200 random-entry runs (p = 0.34) → indistinguishable from chance" and the Sharpe interval. */
export function significanceLines(results: Record<string, any>): string {
  const lines: string[] = [];
  const s = results.significance;
  if (s && typeof s.random_runs === 'number' && s.random_runs > 0) {
    lines.push(describeSignificance(s));
    lines.push(`Random entries' return: median ${pct(s.random_return_p50)}, 5–95 % ${pct(s.random_return_p5)} .. ${pct(s.random_return_p95)}; Sharpe beats ${Math.round(s.sharpe_percentile)} % (p = ${fixed(s.p_value_sharpe)})`);
  }
  const ci = results.sharpe_ci95;
  if (Array.isArray(ci) && ci.length === 2) lines.push(`Sharpe ratio 95 % interval (stationary bootstrap): [${fixed(ci[0])}, ${fixed(ci[1])}]`);
  return lines.join('\n');
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
    const { results } = await client.get<{ results: Record<string, any> }>(`/operations/${res.operation_id}/results`);
    if (json) return printJson(results);
    process.stdout.write(`${summaryTable(results)}\n`);
    const sig = significanceLines(results);
    if (sig) process.stdout.write(`${sig}\n`);
    process.stdout.write(`Trades and equity curve: GET /api/v1/backtests/${res.operation_id}/trades and /equity_curve\n`);
    process.stdout.write(`Report: ktrdr backtest report ${res.operation_id} -o report.html\n`);
  });
}

function bodyFrom(strategy: string, dates: { start: string; end: string }, o: StartOptions, symbol?: string, timeframe?: string) {
  const num = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got '${v}')`);
    return n;
  };
  return {
    strategy_name: strategy,
    ...(symbol ? { symbol } : {}),
    ...(timeframe ? { timeframe } : {}),
    start_date: dates.start,
    end_date: dates.end,
    ...(o.modelPath ? { model_path: o.modelPath } : {}),
    initial_capital: num('capital', o.capital),
    // Given explicitly, the legacy fractions switch to KTRDR's cost model; otherwise the instrument's applies.
    ...(o.commission !== undefined ? { commission: num('commission', o.commission) } : {}),
    ...(o.slippage !== undefined ? { slippage: num('slippage', o.slippage) } : {}),
    ...(o.spreadPips !== undefined ? { costs: { spread_pips: num('spread-pips', o.spreadPips) } } : {}),
    ...(o.allowInSample ? { allow_in_sample: true } : {}),
    ...(o.randomRuns !== undefined ? { random_runs: num('random-runs', o.randomRuns) } : {}),
    ...(o.randomSeed !== undefined ? { random_seed: num('random-seed', o.randomSeed) } : {}),
  };
}

function costOptions(cmd: Command): Command {
  return cmd
    .option('-m, --model-path <path>', 'model version, e.g. models/<strategy>/1d_v3 (default: the latest for the timeframe)')
    .option('-c, --capital <amount>', 'initial capital', '100000')
    .option('--commission <fraction>', 'KTRDR cost model: commission per side, fraction of notional (default: the instrument’s costs)')
    .option('--slippage <fraction>', 'KTRDR cost model: slippage per fill, fraction of price (default: the instrument’s costs)')
    .option('--spread-pips <pips>', 'bid-ask spread in pips (overrides the instrument’s)')
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
    async (strategy: string, symbol: string, timeframe: string, local: StartOptions & DateRangeValues & { follow?: boolean }) => {
      // The parent `backtest` command declares the same options and parses them first: take the
      // ones the user typed from there.
      const o = { ...local } as typeof local & Record<string, unknown>;
      for (const key of ['modelPath', 'capital', 'commission', 'slippage', 'spreadPips', 'allowInSample', 'randomRuns', 'randomSeed', 'json', 'follow', 'start', 'end', 'startDate', 'endDate']) {
        if (bt.getOptionValueSource(key) === 'cli') o[key] = bt.getOptionValue(key);
      }
      checkTimeframes([timeframe], 'TIMEFRAME');
      const range = dateRange(o, true) as { start: string; end: string };
      await startAndMaybeFollow(ctx, bodyFrom(strategy, range, o, symbol, timeframe), Boolean(o.follow), Boolean(o.json));
    },
  );

  registerExportCommands(bt, ctx);
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
