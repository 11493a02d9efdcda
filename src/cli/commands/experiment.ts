// Experiments from the terminal: `ktrdr experiment walk-forward STRATEGY …`, `ktrdr experiment sweep
// STRATEGY --param path=… …` (--follow prints a line whenever a child changes status), `ktrdr experiment show ID`.
import type { Command } from 'commander';
import type { OperationInfo } from '../../shared/operations';
import type { TypedResult } from '../../shared/results';
import { explain, groupWarnings, isoDay, parseExperimentResults, showParam } from '../../shared/results/experiment-read';
import { presentResult } from '../../shared/results/present';
import type { SweepResult } from '../../shared/results/sweep';
import type { WalkForwardResult } from '../../shared/results/walk-forward';
import { significanceVerdict } from '../../shared/significance';
import { printJson, sectionsText } from '../format';
import { afterStart } from '../follow';
import { checkTimeframes, dateRange, dateRangeOptions, followOption, jsonOption, type DateRangeValues } from '../options';
import type { CliContext } from '../index';
import { addCostFlags, costFields, type CostFlags } from './backtest';
import { parseSizing } from './portfolio';
import { strategyNameOf } from './train';

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const repeat = (v: string, prev: string[] = []) => [...prev, v];

/**
 * `--param indicators.rsi_14.period=7:28:7` (min:max[:step]), `--param training.learning_rate=0.0005:0.02:log`,
 * `--param model.architecture.hidden_layers=[[32],[64,32]]` or `=a,b,c` (values).
 */
export function parseParamFlag(flag: string): [string, Record<string, unknown>] {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new Error(`--param ${flag}: expected PATH=SPEC (e.g. indicators.rsi_14.period=7:28:7)`);
  const path = flag.slice(0, eq).trim();
  const spec = flag.slice(eq + 1).trim();
  if (spec.startsWith('[')) {
    const values = JSON.parse(spec) as unknown;
    if (!Array.isArray(values)) throw new Error(`--param ${path}: a [list] of values expected`);
    return [path, { values }];
  }
  if (spec.includes(':')) {
    const parts = spec.split(':');
    const [min, max] = parts.slice(0, 2).map(Number);
    const out: Record<string, unknown> = { min, max };
    for (const p of parts.slice(2)) {
      if (p === 'log') out.log = true;
      else if (p === 'int') out.int = true;
      else out.step = Number(p);
    }
    return [path, out];
  }
  const values = spec.split(',').map((s) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s.trim()));
  return [path, { values }];
}

/** The options every experiment command takes (commander's parsed flags). */
interface ExperimentFlags extends CostFlags, PortfolioFlags, DateRangeValues {
  symbols?: string[];
  timeframes?: string[];
  maxParallel?: number;
  embargo?: number;
  follow?: boolean;
  json?: boolean;
}

interface WalkForwardFlags extends ExperimentFlags {
  train: string;
  test: string;
  step?: string;
  anchored?: boolean;
}

interface SweepFlags extends ExperimentFlags {
  param: string[];
  sampler: string;
  trials: number;
  objective: string;
  seed: number;
  holdout?: number;
  selection?: number;
}

interface Started {
  operation_id: string;
  message: string;
}

const windowText = (w: { start: string | null; end: string | null; bars: number }) => (w.bars ? `${isoDay(w.start)} → ${isoDay(w.end)} (${w.bars} bars)` : 'none');

/** What `experiment show` prints above a walk-forward's tables: its protocol. */
function walkForwardHead(r: WalkForwardResult): string[] {
  const s = r.settings;
  const out = [`windows: train ${s.train_window}, test ${s.test_window}, step ${s.step}${s.anchored ? ', anchored' : ''}, embargo ${s.embargo_bars} bars`];
  const costModel = r.folds.find((f) => f.oos_costs)?.oos_costs?.model;
  if (costModel) out.push(`costs: ${costModel}`);
  return out;
}

/** What `experiment show` prints above a sweep's tables: the objective, the windows, the choice. */
function sweepHead(r: SweepResult): string[] {
  const out = [
    `objective ${r.objective}: ${r.objective_label} (maximised), sampler ${r.sampler}, seed ${r.seed}`,
    `windows: train ${windowText(r.ranges.train)} · selection ${windowText(r.ranges.selection)} · final holdout ${windowText(r.ranges.holdout)}`,
  ];
  if (r.best_trial) out.push(`chosen: trial ${r.best_trial.trial + 1}, ${Object.entries(r.best_trial.params ?? {}).map(([k, v]) => `${k}=${showParam(v)}`).join(', ')}`);
  else out.push(`chosen: — (${r.null_reasons.best_trial ?? 'none'})`);
  const unranked = r.trials.filter((t) => t.status === 'completed' && t.objective === null);
  if (unranked.length) out.push(`not rankable: ${unranked.map((t) => `#${t.trial + 1} (${t.null_reasons.objective})`).join('; ')}`);
  return out;
}

/** The sentences under a sweep's tables: the final holdout's verdict against random entries, and what DSR and PBO mean. */
function sweepFoot(r: SweepResult): string[] {
  const fin = r.final?.backtest ?? null;
  const out: string[] = [];
  if (fin) out.push(`final holdout against random entries: ${significanceVerdict(fin.significance, fin.null_reasons.significance)}`);
  out.push(explain('deflated_sharpe_ratio'), explain('pbo'));
  return out;
}

/**
 * An experiment's results as text: its protocol, then every number through the shared presenter
 * (the same sections, labels, units and reasons as the app and the MCP server show).
 */
export function experimentSummary(t: Extract<TypedResult, { type: 'walk_forward' | 'sweep' }>): string {
  const head = t.type === 'walk_forward' ? walkForwardHead(t.result) : sweepHead(t.result);
  const foot = t.type === 'sweep' ? sweepFoot(t.result) : [];
  return [...head, '', sectionsText(presentResult(t)), ...(foot.length ? ['', ...foot] : [])].join('\n');
}

async function show(ctx: CliContext, id: string, json: boolean): Promise<void> {
  const { data } = await ctx.client().get<{ data: { operation: OperationInfo; results: unknown; children: unknown[] } }>(`/experiments/${id}`);
  if (json) return printJson(data);
  const op = data.operation;
  const parsed = parseExperimentResults(op.operation_type, data.results);
  const head = parsed.kind === 'walk_forward' || parsed.kind === 'sweep' ? parsed.results : null;
  const out: string[] = [`${op.operation_type} ${op.operation_id}  ${op.status}${op.error_message ? ` (${op.error_message})` : ''}`, `strategy ${head?.strategy_name ?? String(op.metadata.strategy_name ?? '-')} on ${head?.symbol ?? String(op.metadata.symbol ?? '-')} ${head?.timeframe ?? String(op.metadata.timeframe ?? '')}`];
  if (parsed.kind === 'walk_forward') out.push(experimentSummary({ type: 'walk_forward', result: parsed.results }));
  else if (parsed.kind === 'sweep') out.push(experimentSummary({ type: 'sweep', result: parsed.results }));
  else if (parsed.kind === 'unreadable') out.push(parsed.message);
  // Warnings of the experiment (degenerate training splits of its children…), each once.
  if (op.warnings.length) out.push('warnings:', ...groupWarnings(op.warnings).map((w) => `  ! ${w}`));
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerExperimentCommands(program: Command, ctx: CliContext): void {
  const exp = program.command('experiment').description('Walk-forward validation and parameter sweeps');
  const common = (c: Command) =>
    jsonOption(
      followOption(
        dateRangeOptions(addCostFlags(c))
          .option('--symbols <list>', 'symbols, comma-separated', collect)
          .option('--timeframes <list>', 'timeframes, comma-separated', collect)
          .option('--max-parallel <n>', 'children running at once (default: the worker limit)', Number)
          .option('--portfolio [symbols]', 'backtest every fold or trial as one portfolio of the trained symbols (or these, comma-separated)')
          .option('--sizing <rule>', 'with --portfolio: equal_weight, fixed_fraction:F, volatility_target:VOL or kelly:F')
          .option('--max-gross <x>', 'with --portfolio: cap on Σ |position value| ÷ equity (default 1)')
          .option('--rebalance <period>', 'with --portfolio: resize open positions every day, week or month'),
      ),
    );
  /** The dates (both required, either spelling) and the checked timeframes of a start command. */
  const checked = (o: ExperimentFlags) => ({ ...(dateRange(o, true) as { start: string; end: string }), timeframes: checkTimeframes(o.timeframes, '--timeframes') });

  common(
    exp
      .command('walk-forward <strategy>')
      .description('Train on each window, backtest the next one; stitched out-of-sample results')
      .requiredOption('--train <window>', 'training window: 3y, 6M, 30d, 2w, 12h or a bar count')
      .requiredOption('--test <window>', 'test window (same forms)')
      .option('--step <window>', 'how far each fold moves (default: the test window)')
      .option('--anchored', 'every fold trains from the first bar')
      .option('--embargo <bars>', 'bars skipped between training and test', Number),
  ).action(async (strategy: string, o: WalkForwardFlags) => {
    const { start, end, timeframes } = checked(o);
    const body = {
      strategy_name: strategyNameOf(strategy),
      start_date: start,
      end_date: end,
      train_window: /^\d+$/.test(o.train) ? Number(o.train) : o.train,
      test_window: /^\d+$/.test(o.test) ? Number(o.test) : o.test,
      ...(o.step ? { step: /^\d+$/.test(o.step) ? Number(o.step) : o.step } : {}),
      ...(o.anchored ? { anchored: true } : {}),
      ...(o.embargo !== undefined ? { embargo_bars: o.embargo } : {}),
      ...(o.symbols ? { symbols: o.symbols } : {}),
      ...(timeframes ? { timeframes } : {}),
      ...(o.maxParallel ? { max_parallel: o.maxParallel } : {}),
      ...backtestSection(o),
    };
    await run(ctx, '/experiments/walk-forward/start', body, o);
  });

  common(
    exp
      .command('sweep <strategy>')
      .description('Search strategy parameters: trials ranked on a selection window; the chosen one evaluated once on an untouched final holdout')
      .requiredOption('--param <path=spec>', 'PATH=min:max[:step|:log|:int] or PATH=a,b,c or PATH=[json list]; repeat for more', repeat)
      .option('--sampler <name>', 'grid, random or tpe', 'random')
      .option('--trials <n>', 'number of trials', Number, 20)
      .option('--objective <name>', 'val_accuracy, test_accuracy, oos_sharpe, oos_return, …', 'val_accuracy')
      .option('--seed <n>', 'random seed', Number, 0)
      .option('--holdout <share>', 'share of the bars kept for the one final backtest of the chosen trial (default 0.2)', Number)
      .option('--selection <share>', 'share of the bars before the holdout on which every trial is backtested and ranked (default 0.2)', Number)
      .option('--embargo <bars>', 'bars skipped between training, selection and holdout windows', Number),
  ).action(async (strategy: string, o: SweepFlags) => {
    const { start, end, timeframes } = checked(o);
    const space = Object.fromEntries(o.param.map(parseParamFlag));
    const body = {
      strategy_name: strategyNameOf(strategy),
      start_date: start,
      end_date: end,
      space,
      sampler: o.sampler,
      trials: o.trials,
      objective: o.objective,
      seed: o.seed,
      ...(o.holdout !== undefined ? { holdout: o.holdout } : {}),
      ...(o.selection !== undefined ? { selection: o.selection } : {}),
      ...(o.embargo !== undefined ? { embargo_bars: o.embargo } : {}),
      ...(o.symbols ? { symbols: o.symbols } : {}),
      ...(timeframes ? { timeframes } : {}),
      ...(o.maxParallel ? { max_parallel: o.maxParallel } : {}),
      ...backtestSection(o),
    };
    await run(ctx, '/experiments/sweeps/start', body, o);
  });

  exp
    .command('show <id>')
    .description('Results of an experiment: folds or trials, stitched equity, DSR/PBO, importance')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => show(ctx, id, Boolean(o.json)));
}

interface PortfolioFlags {
  portfolio?: boolean | string;
  sizing?: string;
  maxGross?: string;
  rebalance?: string;
}

/** The cost and portfolio flags as the experiment request's `backtest` section (absent: one symbol, the instrument's costs). */
export function backtestSection(o: CostFlags & PortfolioFlags): { backtest?: Record<string, unknown> } {
  const fields: Record<string, unknown> = costFields(o);
  if (!o.portfolio && (o.sizing || o.maxGross !== undefined || o.rebalance)) throw new Error('--sizing, --max-gross and --rebalance need --portfolio');
  if (o.portfolio) {
    const symbols = typeof o.portfolio === 'string' ? o.portfolio.split(',').map((x) => x.trim()).filter(Boolean) : null;
    if (symbols && !symbols.length) throw new Error('--portfolio names no symbol');
    const maxGross = o.maxGross === undefined ? undefined : Number(o.maxGross);
    if (maxGross !== undefined && !Number.isFinite(maxGross)) throw new Error(`--max-gross must be a number (got '${o.maxGross}')`);
    fields.portfolio = {
      ...(symbols ? { symbols } : {}),
      ...(o.sizing ? { sizing: parseSizing(o.sizing) } : {}),
      ...(maxGross !== undefined ? { max_gross_exposure: maxGross } : {}),
      ...(o.rebalance ? { rebalance: o.rebalance } : {}),
    };
  }
  return Object.keys(fields).length ? { backtest: fields } : {};
}

async function run(ctx: CliContext, path: string, body: Record<string, unknown>, o: { follow?: boolean; json?: boolean }): Promise<void> {
  const res = await ctx.client().post<Started>(path, body);
  // The one follow of every command (src/cli/follow.ts), with a line per child whose status changes.
  await afterStart(ctx.client(), res, o, () => show(ctx, res.operation_id, Boolean(o.json)), { children: true, intervalMs: 1000 });
}
