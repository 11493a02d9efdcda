// Experiments from the terminal: `ktrdr experiment walk-forward STRATEGY …`, `ktrdr experiment sweep
// STRATEGY --param path=… …` (--follow draws a live table of the children), `ktrdr experiment show ID`.
import type { Command } from 'commander';
import { isTerminal, type OperationInfo } from '../../shared/operations';
import { describeSignificance } from '../../shared/significance';
import { explain, groupWarnings, isoDay, objectiveMetricKey, parseExperimentResults, showMetric, showParam } from '../../shared/results/experiment-read';
import type { SweepResult } from '../../shared/results/sweep';
import type { WalkForwardResult } from '../../shared/results/walk-forward';
import { printJson, table } from '../format';
import type { KtrdrHttpClient } from '../http';
import type { CliContext } from '../index';
import { addCostFlags, costFields, type CostFlags } from './backtest';
import { parseSizing } from './portfolio';
import { strategyNameOf } from './train';

const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const repeat = (v: string, prev: string[] = []) => [...prev, v];
const num = (v: unknown, d = 4) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');

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

/** A live table of an experiment's children (re-drawn in place on a terminal), until the parent ends. */
async function followExperiment(client: KtrdrHttpClient, id: string, json: boolean): Promise<OperationInfo> {
  const tty = Boolean(process.stdout.isTTY) && !json;
  let cancelling = false;
  const onSigint = () => {
    if (cancelling) process.exit(130);
    cancelling = true;
    process.stderr.write(`\nCancelling ${id} and its children...\n`);
    client.delete(`/operations/${id}`, { reason: 'Cancelled from the CLI (Ctrl+C)' }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  let drawn = 0;
  let last = '';
  try {
    for (;;) {
      const { data } = await client.get<{ data: { operation: OperationInfo; children: any[] } }>(`/experiments/${id}`);
      const op = data.operation;
      const rows = data.children.map((c) => [
        c.metadata?.fold !== undefined ? `fold ${Number(c.metadata.fold) + 1}` : c.metadata?.trial !== undefined ? `trial ${Number(c.metadata.trial) + 1}` : '',
        c.operation_type,
        c.status,
        `${num(c.progress_percentage, 0)}%`,
        c.current_step ?? '',
        c.operation_id,
      ]);
      const text = `${op.progress.current_step ?? op.status}  [${num(op.progress.percentage, 1)}%]\n${table(['step', 'type', 'status', 'progress', 'detail', 'operation'], rows)}\n`;
      if (tty) {
        if (drawn) process.stdout.write(`\x1b[${drawn}A\x1b[J`);
        process.stdout.write(text);
        drawn = text.split('\n').length - 1;
      } else if (!json && text !== last) {
        process.stdout.write(text);
        last = text;
      }
      if (isTerminal(op.status)) return op;
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

const money = (key: string, v: number | null | undefined, currency: string | null) => showMetric(key, v, null, currency);

function walkForwardLines(r: WalkForwardResult): string[] {
  const out: string[] = [];
  const s = r.settings;
  out.push(`windows: train ${s.train_window}, test ${s.test_window}, step ${s.step}${s.anchored ? ', anchored' : ''}, embargo ${s.embargo_bars} bars`);
  const costModel = r.folds.find((f) => f.oos_costs)?.oos_costs?.model;
  if (costModel) out.push(`costs: ${costModel}`);
  out.push(
    table(
      ['fold', 'train', 'test', 'status', 'val acc', 'test acc', 'OOS return', 'OOS Sharpe', 'trades', 'gross PnL', 'costs', 'net PnL'],
      r.folds.map((f) => {
        const c = f.oos_costs;
        return [
          f.fold + 1,
          `${isoDay(f.train_start)} → ${isoDay(f.train_end)}`,
          `${isoDay(f.test_start)} → ${isoDay(f.test_end)}`,
          f.status,
          showMetric('val_accuracy', f.train_metrics?.val_accuracy),
          showMetric('test_accuracy', f.train_metrics?.test_accuracy),
          showMetric('total_return_pct', f.oos_metrics?.total_return_pct),
          showMetric('sharpe_ratio', f.oos_metrics?.sharpe_ratio),
          showMetric('total_trades', f.oos_metrics?.total_trades),
          c ? money('gross_pnl', c.gross_pnl, null) : '—',
          c ? money('commission', c.commission + c.spread_cost + c.slippage_cost, null) : '—',
          c ? money('net_pnl', c.net_pnl, null) : '—',
        ];
      }),
    ),
  );
  const nullFolds = r.folds.filter((f) => f.oos_metrics && f.oos_metrics.sharpe_ratio === null);
  for (const f of nullFolds) out.push(`fold ${f.fold + 1}: OOS Sharpe — ${f.oos_metrics!.null_reasons.sharpe_ratio ?? 'undefined'}`);
  const m = r.stitched_metrics;
  if (m)
    out.push(
      `stitched OOS: return ${showMetric('total_return_pct', m.total_return)}, annualised ${showMetric('annualized_return', m.annualized_return, m.null_reasons.annualized_return)}, Sharpe ${showMetric('sharpe_ratio', m.sharpe_ratio, m.null_reasons.sharpe_ratio)}, max drawdown ${showMetric('max_drawdown_pct', m.max_drawdown)}, final equity ${money('final_equity', m.final_equity, null)}`,
    );
  else out.push(`stitched OOS: — (${r.null_reasons.stitched_metrics ?? 'no fold finished'})`);
  const ct = r.costs_total;
  if (ct)
    out.push(
      `costs over ${ct.folds} folds (${ct.currency}): gross PnL ${money('gross_pnl', ct.gross_pnl, null)}, commission ${money('commission', ct.commission, null)}, spread ${money('spread_cost', ct.spread_cost, null)}, slippage ${money('slippage_cost', ct.slippage_cost, null)}, net PnL ${money('net_pnl', ct.net_pnl, null)}`,
    );
  const st = r.stability;
  out.push(`fold stability: mean return ${showMetric('total_return_pct', st.total_return.mean)} ± ${showMetric('total_return_pct', st.total_return.std)}, profitable folds ${st.profitable_folds}/${st.total_return.folds}`);
  const d = r.degradation;
  out.push(`degradation ratio${d.basis ? ` (${d.basis})` : ''}: ${showMetric('degradation_ratio', d.ratio, d.null_reasons.ratio)}`);
  return out;
}

function sweepLines(r: SweepResult): string[] {
  const out: string[] = [];
  const key = objectiveMetricKey(r.objective);
  const win = (w: { start: string | null; end: string | null; bars: number }) => (w.bars ? `${isoDay(w.start)} → ${isoDay(w.end)} (${w.bars} bars)` : 'none');
  out.push(`objective ${r.objective}: ${r.objective_label} (maximised), sampler ${r.sampler}, seed ${r.seed}`);
  out.push(`windows: train ${win(r.ranges.train)} · selection ${win(r.ranges.selection)} · final holdout ${win(r.ranges.holdout)}`);
  const paths = Object.keys(r.trials.find((t) => t.params)?.params ?? {});
  out.push(
    table(
      ['trial', ...paths, 'objective', 'val acc', 'sel. Sharpe', 'sel. return', 'trades', 'status'],
      r.trials.map((t) => [
        `${t.trial + 1}${r.best_trial?.trial === t.trial ? ' *' : ''}`,
        ...paths.map((p) => showParam(t.params?.[p])),
        showMetric(key, t.objective),
        showMetric('val_accuracy', t.metrics.val_accuracy),
        showMetric('sharpe_ratio', t.metrics.oos_sharpe),
        showMetric('total_return_pct', t.metrics.oos_return),
        showMetric('total_trades', t.metrics.oos_trades),
        t.status,
      ]),
    ),
  );
  const unranked = r.trials.filter((t) => t.status === 'completed' && t.objective === null);
  if (unranked.length) out.push(`not rankable: ${unranked.map((t) => `#${t.trial + 1} (${t.null_reasons.objective})`).join('; ')}`);
  if (r.best_trial) out.push(`chosen: trial ${r.best_trial.trial + 1}, ${r.objective} ${showMetric(key, r.best_trial.objective)} on the selection window, ${Object.entries(r.best_trial.params ?? {}).map(([k, v]) => `${k}=${showParam(v)}`).join(', ')}`);
  else out.push(`chosen: — (${r.null_reasons.best_trial ?? 'none'})`);
  const f = r.final;
  if (f?.backtest) {
    const m = f.backtest.metrics;
    const c = f.backtest.costs;
    out.push(
      `final holdout (untouched, evaluated once): return ${showMetric('total_return_pct', m.total_return_pct)}, Sharpe ${showMetric('sharpe_ratio', m.sharpe_ratio, m.null_reasons.sharpe_ratio)}, max drawdown ${showMetric('max_drawdown_pct', m.max_drawdown_pct)}, trades ${showMetric('total_trades', m.total_trades)}${c ? `, costs ${money('commission', c.commission + c.spread_cost + c.slippage_cost, c.currency)} of gross ${money('gross_pnl', c.gross_pnl, c.currency)}` : ''}`,
    );
    const sig = f.backtest.significance as { random_runs?: number; return_percentile?: number; p_value_return?: number } | null;
    if (m.total_trades === 0) out.push('final holdout significance: no trades, no verdict');
    else if (sig && typeof sig.random_runs === 'number' && sig.random_runs > 0 && typeof sig.return_percentile === 'number' && typeof sig.p_value_return === 'number')
      out.push(`final holdout significance: ${describeSignificance({ random_runs: sig.random_runs, return_percentile: sig.return_percentile, p_value_return: sig.p_value_return })}`);
  } else out.push(`final holdout: ${f ? f.status : `— (${r.null_reasons.final ?? 'none'})`}`);
  const o = r.overfitting;
  out.push(
    `Deflated Sharpe Ratio of the chosen trial: ${showMetric('deflated_sharpe_ratio', o.deflated_sharpe?.deflated_sharpe_ratio, o.null_reasons.deflated_sharpe)}${o.deflated_sharpe ? ` (${o.trials_used} trials, ${o.observations} selection bars)` : ''}`,
  );
  out.push(`  ${explain('deflated_sharpe_ratio')}`);
  out.push(`Probability of Backtest Overfitting: ${showMetric('pbo', o.pbo?.pbo, o.null_reasons.pbo)}${o.pbo ? ` (CSCV, ${o.pbo.blocks} blocks, ${o.pbo.combinations_used}/${o.pbo.combinations} combinations)` : ''}`);
  out.push(`  ${explain('pbo')}`);
  for (const imp of r.importance) out.push(`importance ${imp.path}: spread ${showMetric(key, imp.spread)} (${imp.groups.map((g) => `${g.label} → ${showMetric(key, g.mean_objective)}`).join(', ')})`);
  return out;
}

async function show(ctx: CliContext, id: string, json: boolean): Promise<void> {
  const { data } = await ctx.client().get<{ data: { operation: OperationInfo; results: unknown; children: unknown[] } }>(`/experiments/${id}`);
  if (json) return printJson(data);
  const op = data.operation;
  const parsed = parseExperimentResults(data.results);
  const head = parsed.kind === 'walk_forward' || parsed.kind === 'sweep' ? parsed.results : null;
  const out: string[] = [`${op.operation_type} ${op.operation_id}  ${op.status}${op.error_message ? ` (${op.error_message})` : ''}`, `strategy ${head?.strategy_name ?? op.metadata.strategy_name ?? '-'} on ${head?.symbol ?? op.metadata.symbol ?? '-'} ${head?.timeframe ?? op.metadata.timeframe ?? ''}`];
  if (parsed.kind === 'walk_forward') out.push(...walkForwardLines(parsed.results));
  else if (parsed.kind === 'sweep') out.push(...sweepLines(parsed.results));
  else if (parsed.kind === 'unreadable') out.push(parsed.message);
  // Warnings of the experiment (degenerate training splits of its children…), each once.
  if (op.warnings.length) out.push('warnings:', ...groupWarnings(op.warnings).map((w) => `  ! ${w}`));
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerExperimentCommands(program: Command, ctx: CliContext): void {
  const exp = program.command('experiment').description('Walk-forward validation and parameter sweeps');
  const common = (c: Command) =>
    addCostFlags(c)
      .requiredOption('--start <date>', 'first date (YYYY-MM-DD)')
      .requiredOption('--end <date>', 'last date (YYYY-MM-DD)')
      .option('--symbols <list>', 'symbols, comma-separated', collect)
      .option('--timeframes <list>', 'timeframes, comma-separated', collect)
      .option('--max-parallel <n>', 'children running at once (default: the worker limit)', Number)
      .option('--portfolio [symbols]', 'backtest every fold or trial as one portfolio of the trained symbols (or these, comma-separated)')
      .option('--sizing <rule>', 'with --portfolio: equal_weight, fixed_fraction:F, volatility_target:VOL or kelly:F')
      .option('--max-gross <x>', 'with --portfolio: cap on Σ |position value| ÷ equity (default 1)')
      .option('--rebalance <period>', 'with --portfolio: resize open positions every day, week or month')
      .option('-f, --follow', 'live table of the children until the experiment ends (Ctrl+C cancels it)')
      .option('--json', 'print JSON');

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
    const body = {
      strategy_name: strategyNameOf(strategy),
      start_date: o.start,
      end_date: o.end,
      train_window: /^\d+$/.test(o.train) ? Number(o.train) : o.train,
      test_window: /^\d+$/.test(o.test) ? Number(o.test) : o.test,
      ...(o.step ? { step: /^\d+$/.test(o.step) ? Number(o.step) : o.step } : {}),
      ...(o.anchored ? { anchored: true } : {}),
      ...(o.embargo !== undefined ? { embargo_bars: o.embargo } : {}),
      ...(o.symbols ? { symbols: o.symbols } : {}),
      ...(o.timeframes ? { timeframes: o.timeframes } : {}),
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
  ).action(async (strategy: string, o: any) => {
    const space = Object.fromEntries((o.param as string[]).map(parseParamFlag));
    const body = {
      strategy_name: strategyNameOf(strategy),
      start_date: o.start,
      end_date: o.end,
      space,
      sampler: o.sampler,
      trials: o.trials,
      objective: o.objective,
      seed: o.seed,
      ...(o.holdout !== undefined ? { holdout: o.holdout } : {}),
      ...(o.selection !== undefined ? { selection: o.selection } : {}),
      ...(o.embargo !== undefined ? { embargo_bars: o.embargo } : {}),
      ...(o.symbols ? { symbols: o.symbols } : {}),
      ...(o.timeframes ? { timeframes: o.timeframes } : {}),
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
  if (!o.follow) {
    if (o.json) printJson(res);
    else process.stdout.write(`${res.message}\nOperation ID: ${res.operation_id}\n`);
    return;
  }
  process.stdout.write(`${res.message}\nOperation ID: ${res.operation_id}\n`);
  const op = await followExperiment(ctx.client(), res.operation_id, Boolean(o.json));
  await show(ctx, res.operation_id, Boolean(o.json));
  if (op.status !== 'completed') process.exitCode = op.status === 'cancelled' ? 130 : 1;
}
