// Experiments from the terminal: `ktrdr experiment walk-forward STRATEGY …`, `ktrdr experiment sweep
// STRATEGY --param path=… …` (--follow draws a live table of the children), `ktrdr experiment show ID`.
import type { Command } from 'commander';
import type { OperationInfo } from '../../shared/operations';
import { printJson, table } from '../format';
import { afterStart } from '../follow';
import { checkTimeframes, dateRange, dateRangeOptions, followOption, jsonOption } from '../options';
import type { CliContext } from '../index';
import { strategyNameOf } from './train';

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const repeat = (v: string, prev: string[] = []) => [...prev, v];
const num = (v: unknown, d = 4) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');
const pct = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : '-');
const day = (v: unknown) => (typeof v === 'string' ? v.slice(0, 16).replace('T', ' ') : '-');

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
    const values = JSON.parse(spec);
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

interface Started {
  operation_id: string;
  message: string;
}

async function show(ctx: CliContext, id: string, json: boolean): Promise<void> {
  const { data } = await ctx.client().get<{ data: { operation: OperationInfo; results: any; children: any[] } }>(`/experiments/${id}`);
  if (json) return printJson(data);
  const op = data.operation;
  const r = data.results ?? {};
  const out: string[] = [`${op.operation_type} ${op.operation_id}  ${op.status}${op.error_message ? ` (${op.error_message})` : ''}`, `strategy ${r.strategy_name ?? '-'} on ${r.symbol ?? '-'} ${r.timeframe ?? ''}`];
  if (r.kind === 'walk_forward') {
    out.push(
      table(
        ['fold', 'train', 'test', 'status', 'val acc', 'OOS return', 'OOS Sharpe', 'trades'],
        (r.folds ?? []).map((f: any) => [
          f.fold + 1,
          `${day(f.train_start)} → ${day(f.train_end)}`,
          `${day(f.test_start)} → ${day(f.test_end)}`,
          f.status,
          pct(f.train_metrics?.val_accuracy),
          pct(f.oos_metrics?.total_return),
          num(f.oos_metrics?.sharpe_ratio, 2),
          f.oos_metrics?.total_trades ?? '-',
        ]),
      ),
    );
    const m = r.stitched_metrics;
    if (m) out.push(`stitched OOS: return ${pct(m.total_return)}, Sharpe ${num(m.sharpe_ratio, 2)}, max drawdown ${pct(m.max_drawdown)}, final equity ${num(m.final_equity, 2)}`);
    const s = r.stability;
    if (s) out.push(`fold stability: mean return ${pct(s.total_return.mean)} ± ${pct(s.total_return.std)}, profitable folds ${s.profitable_folds}/${s.total_return.folds}`);
    if (r.degradation?.ratio !== null && r.degradation?.ratio !== undefined) out.push(`degradation ratio (${r.degradation.basis}): ${num(r.degradation.ratio, 3)}`);
  } else if (r.kind === 'sweep') {
    const paths = Object.keys((r.trials ?? [])[0]?.params ?? {});
    out.push(`objective ${r.objective} (maximised), sampler ${r.sampler}, seed ${r.seed}`);
    out.push(
      table(
        ['trial', ...paths, 'objective', 'val acc', 'OOS Sharpe', 'status'],
        (r.trials ?? []).map((t: any) => [t.trial + 1, ...paths.map((p) => JSON.stringify(t.params?.[p] ?? null)), num(t.objective), pct(t.metrics?.val_accuracy), num(t.metrics?.oos_sharpe, 2), t.status]),
      ),
    );
    if (r.best_trial) out.push(`best: trial ${r.best_trial.trial + 1}, objective ${num(r.best_trial.objective)}, ${JSON.stringify(r.best_trial.params)}`);
    const o = r.overfitting ?? {};
    if (o.deflated_sharpe) out.push(`Deflated Sharpe Ratio of the selected trial: ${num(o.deflated_sharpe.deflated_sharpe_ratio, 3)} (${o.trials_used} trials, ${o.observations} holdout bars)`);
    if (o.pbo) out.push(`Probability of Backtest Overfitting: ${num(o.pbo.pbo, 3)} (CSCS, ${o.pbo.blocks} blocks, ${o.pbo.combinations} combinations)`);
    else if (o.pbo_note) out.push(o.pbo_note);
    for (const imp of r.importance ?? []) out.push(`importance ${imp.path}: spread ${num(imp.spread)} (${imp.groups.map((g: any) => `${g.label} → ${num(g.mean_objective)}`).join(', ')})`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerExperimentCommands(program: Command, ctx: CliContext): void {
  const exp = program.command('experiment').description('Walk-forward validation and parameter sweeps');
  const common = (c: Command) =>
    jsonOption(
      followOption(
        dateRangeOptions(c)
          .option('--symbols <list>', 'symbols, comma-separated', collect)
          .option('--timeframes <list>', 'timeframes, comma-separated', collect)
          .option('--max-parallel <n>', 'children running at once (default: the worker limit)', Number),
      ),
    );
  /** The dates (both required, either spelling) and the checked timeframes of a start command. */
  const checked = (o: any) => ({ ...(dateRange(o, true) as { start: string; end: string }), timeframes: checkTimeframes(o.timeframes, '--timeframes') });

  common(
    exp
      .command('walk-forward <strategy>')
      .description('Train on each window, backtest the next one; stitched out-of-sample results')
      .requiredOption('--train <window>', 'training window: 3y, 6M, 30d, 2w, 12h or a bar count')
      .requiredOption('--test <window>', 'test window (same forms)')
      .option('--step <window>', 'how far each fold moves (default: the test window)')
      .option('--anchored', 'every fold trains from the first bar')
      .option('--embargo <bars>', 'bars skipped between training and test', Number),
  ).action(async (strategy: string, o: any) => {
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
    };
    await run(ctx, '/experiments/walk-forward/start', body, o);
  });

  common(
    exp
      .command('sweep <strategy>')
      .description('Search strategy parameters: trials trained and backtested on a final holdout')
      .requiredOption('--param <path=spec>', 'PATH=min:max[:step|:log|:int] or PATH=a,b,c or PATH=[json list]; repeat for more', repeat)
      .option('--sampler <name>', 'grid, random or tpe', 'random')
      .option('--trials <n>', 'number of trials', Number, 20)
      .option('--objective <name>', 'val_accuracy, test_accuracy, oos_sharpe, oos_return, …', 'val_accuracy')
      .option('--seed <n>', 'random seed', Number, 0)
      .option('--holdout <share>', 'share of the bars held out for the final backtest', Number),
  ).action(async (strategy: string, o: any) => {
    const { start, end, timeframes } = checked(o);
    const space = Object.fromEntries((o.param as string[]).map(parseParamFlag));
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
      ...(o.symbols ? { symbols: o.symbols } : {}),
      ...(timeframes ? { timeframes } : {}),
      ...(o.maxParallel ? { max_parallel: o.maxParallel } : {}),
    };
    await run(ctx, '/experiments/sweeps/start', body, o);
  });

  exp
    .command('show <id>')
    .description('Results of an experiment: folds or trials, stitched equity, DSR/PBO, importance')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => show(ctx, id, Boolean(o.json)));
}

async function run(ctx: CliContext, path: string, body: Record<string, unknown>, o: { follow?: boolean; json?: boolean }): Promise<void> {
  const res = await ctx.client().post<Started>(path, body);
  // The one follow of every command (src/cli/follow.ts), with a line per child whose status changes.
  await afterStart(ctx.client(), res, o, () => show(ctx, res.operation_id, Boolean(o.json)), { children: true, intervalMs: 1000 });
}
