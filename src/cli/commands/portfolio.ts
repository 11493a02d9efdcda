// `ktrdr backtest portfolio STRATEGY --symbols EURUSD,AAPL,SPY --start D --end D [--follow]`: one
// backtest over several symbols with one cash account (POST /backtests/portfolio/start). The summary
// is the shared presenter's (src/shared/results/present.ts presentPortfolio): the portfolio's metrics
// against equal-weight buy & hold, a table of the legs, their correlation, costs and significance.
import type { Command } from 'commander';
import type { OperationInfo } from '../../shared/operations';
import { SIZING_PARAMETER, type SizingRuleType } from '../../shared/portfolio';
import { resultsPath } from '../../shared/results/envelope';
import { parseOperationResult } from '../../shared/results/index';
import type { PortfolioResult } from '../../shared/results/portfolio';
import { presentPortfolio, sizingText } from '../../shared/results/present';
import { significanceVerdict } from '../../shared/significance';
import { afterStart, type StartedOperation } from '../follow';
import { printJson, sectionsText } from '../format';
import type { CliContext } from '../index';
import { checkTimeframes, dateRange, dateRangeOptions, followOption, jsonOption, UsageError, withParentOptions, type DateRangeValues } from '../options';
import { backtestSummary } from './backtest';

interface PortfolioOptions {
  symbols?: string;
  start?: string;
  end?: string;
  timeframe?: string;
  modelPath?: string;
  capital: string;
  commission?: string;
  slippage?: string;
  spreadPips?: string;
  sizing: string;
  maxGross?: string;
  rebalance?: string;
  allowInSample?: boolean;
  randomRuns?: string;
  randomSeed?: string;
  follow?: boolean;
  json?: boolean;
}


/** `equal_weight`, `fixed_fraction:0.2`, `volatility_target:0.1` (annual volatility), `kelly:0.5` (fraction of Kelly). */
export function parseSizing(text: string): Record<string, unknown> {
  const [type, value, extra] = text.split(':');
  if (!Object.hasOwn(SIZING_PARAMETER, type) || extra !== undefined) throw new UsageError(`--sizing must be equal_weight, fixed_fraction:F, volatility_target:VOL or kelly:F (got '${text}')`);
  const key = SIZING_PARAMETER[type as SizingRuleType]?.key ?? null;
  if (value === undefined || key === null) {
    if (value !== undefined) throw new UsageError(`--sizing ${type} takes no value (got '${text}')`);
    return { type };
  }
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--sizing ${type}: '${value}' is not a positive number`);
  return { type, [key]: n };
}

export function portfolioBody(strategy: string, o: PortfolioOptions): Record<string, unknown> {
  const num = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got '${v}')`);
    return n;
  };
  if (!o.symbols) throw new UsageError('--symbols is required (e.g. --symbols EURUSD,AAPL,SPY)');
  if (!o.start || !o.end) throw new UsageError('--start and --end are required');
  const symbols = o.symbols.split(',').map((s) => s.trim()).filter(Boolean);
  if (!symbols.length) throw new UsageError('--symbols names no symbol');
  return {
    strategy_name: strategy,
    symbols,
    start_date: o.start,
    end_date: o.end,
    ...(o.timeframe ? { timeframe: o.timeframe } : {}),
    ...(o.modelPath ? { model_path: o.modelPath } : {}),
    initial_capital: num('capital', o.capital),
    sizing: parseSizing(o.sizing),
    ...(o.maxGross !== undefined ? { max_gross_exposure: num('max-gross', o.maxGross) } : {}),
    ...(o.rebalance ? { rebalance: o.rebalance } : {}),
    // Given explicitly, KTRDR's fractions apply to every leg; otherwise each instrument's costs.
    ...(o.commission !== undefined ? { commission: num('commission', o.commission) } : {}),
    ...(o.slippage !== undefined ? { slippage: num('slippage', o.slippage) } : {}),
    ...(o.spreadPips !== undefined ? { costs: { spread_pips: num('spread-pips', o.spreadPips) } } : {}),
    ...(o.allowInSample ? { allow_in_sample: true } : {}),
    ...(o.randomRuns !== undefined ? { random_runs: num('random-runs', o.randomRuns) } : {}),
    ...(o.randomSeed !== undefined ? { random_seed: num('random-seed', o.randomSeed) } : {}),
  };
}

/** The in-sample guard per leg, impossible to miss unless the request acknowledged it; "unknown" said as such. */
export function portfolioInSampleLines(r: PortfolioResult): string[] {
  const unknown = r.legs.filter((l) => l.out_of_sample === null);
  const inSample = r.legs.filter((l) => l.out_of_sample === false);
  const lines = unknown.length ? [`in-sample check: unknown for ${unknown.map((l) => l.symbol).join(', ')} (${unknown[0].null_reasons.out_of_sample ?? 'not recorded'})`] : [];
  if (!inSample.length) return lines;
  const which = inSample.map((l) => `${l.symbol} ${l.in_sample_bars} of ${l.bars} bars`).join(', ');
  if (r.allow_in_sample) return [...lines, `in-sample (acknowledged): ${which} inside their model's data`];
  const bar = '!'.repeat(72);
  return [...lines, bar, `!! IN-SAMPLE: ${which} lie inside their model's training data.`, '!! These results are not out of sample.', bar];
}

/**
 * A finished portfolio backtest in the terminal: the in-sample guard, what was tested and how it was
 * sized, every value the presenter shows (the same labels, units and precision as the app, the MCP
 * server and the report) and the verdict against random entries.
 */
export function portfolioSummary(r: PortfolioResult): string {
  const models = r.model_path ? `model ${r.model_path}` : `models ${Object.entries(r.model_paths).map(([s, m]) => `${s}: ${m}`).join(', ')}`;
  const head = `${r.strategy_name} on ${r.symbols.join(', ')} ${r.timeframe}, ${r.start_time} .. ${r.end_time} (${r.equity_curve_length} steps, ${models})`;
  const sizing = `sizing: ${sizingText(r.config.sizing)}; max gross exposure ${r.config.max_gross_exposure} × equity; rebalancing: ${r.config.rebalance ?? 'none'}`;
  const verdict = significanceVerdict(r.significance, r.null_reasons.significance);
  return [...portfolioInSampleLines(r), head, sizing, '', sectionsText(presentPortfolio(r)), '', verdict].join('\n');
}

async function startPortfolio(ctx: CliContext, body: Record<string, unknown>, follow: boolean, json: boolean): Promise<void> {
  const client = ctx.client();
  const res = await client.post<StartedOperation & { clipped?: boolean; effective_start_date?: string; effective_end_date?: string }>('/backtests/portfolio/start', body);
  if (!json && res.clipped) process.stderr.write(`Range clipped to the data: ${res.effective_start_date} .. ${res.effective_end_date}\n`);
  // The one follow of every command (src/cli/follow.ts): exit code 0/1/130 by how it ended.
  await afterStart(client, res, { follow, json }, async (info: OperationInfo) => {
    if (info.status !== 'completed') {
      if (json) printJson(info);
      else process.stderr.write(`Portfolio backtest ${info.status}${info.error_message ? `: ${info.error_message}` : ''}\n`);
      return;
    }
    const { results: raw } = await client.get<{ results: unknown }>(resultsPath(info.operation_id));
    const typed = parseOperationResult('backtesting', raw);
    if (json) return printJson(typed?.result ?? raw);
    process.stdout.write(`${typed?.type === 'portfolio' ? portfolioSummary(typed.result) : typed?.type === 'backtesting' ? backtestSummary(typed.result) : JSON.stringify(raw)}\n`);
    process.stdout.write(`Legs: GET /api/v1/backtests/${info.operation_id}/legs (?format=csv); trades and equity curves: /trades and /equity_curve?legs=true\n`);
    process.stdout.write(`Report: ktrdr backtest report ${info.operation_id} -o report.html\n`);
  });
}

/** Registered under `ktrdr backtest` (and its cost options) by backtest.ts. */
export function registerPortfolioCommand(bt: Command, ctx: CliContext, withCostOptions: (cmd: Command) => Command): void {
  jsonOption(
    followOption(
      dateRangeOptions(
        withCostOptions(
          bt
            .command('portfolio')
            .description('Backtest one model over several symbols with one cash account: ktrdr backtest portfolio STRATEGY --symbols EURUSD,AAPL,SPY --start D --end D')
            .argument('<strategy>', 'strategy name')
            .option('--symbols <list>', 'comma-separated symbols, e.g. EURUSD,AAPL,SPY')
            .option('--timeframe <tf>', 'timeframe of every leg (default: the strategy’s base timeframe)')
            .option('--sizing <rule>', 'equal_weight, fixed_fraction:F, volatility_target:VOL or kelly:F', 'equal_weight')
            .option('--max-gross <x>', 'cap on Σ |position value| ÷ equity (default 1)')
            .option('--rebalance <period>', 'resize open positions every day, week or month'),
        ),
      ),
    ),
  ).action(async (strategy: string, local: PortfolioOptions & DateRangeValues, cmd: Command) => {
    const o = withParentOptions(cmd, local);
    if (o.timeframe) checkTimeframes([o.timeframe], '--timeframe');
    const range = dateRange(o, true) as { start: string; end: string };
    await startPortfolio(ctx, portfolioBody(strategy, { ...o, ...range }), Boolean(o.follow), Boolean(o.json));
  });
}
