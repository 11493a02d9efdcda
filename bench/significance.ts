// Cost of the significance step of a backtest (src/core/evaluation): 200 random-entry runs through
// the engine plus the stationary-bootstrap Sharpe interval, on a 25,000-bar hourly backtest with
// the job's default decisions (target: adds < 1 s). Also the backtest itself, for scale.
// Run alone with `npx tsx bench/significance.ts`.
import { classifyProbabilities, DEFAULT_DECISIONS } from '../src/core/backtest/decisions';
import { BacktestEngine, engineConfig } from '../src/core/backtest/engine';
import { computeMetrics } from '../src/core/backtest/metrics';
import { syntheticBacktestInputs } from './backtest-inputs';
import { barReturns, bootstrapSharpeCI, optimalBlockLength } from '../src/core/evaluation/bootstrap';
import { randomEntryRunsStepwise } from '../src/core/evaluation/random-entry';
import { computeSignificance, BOOTSTRAP_RESAMPLES, DEFAULT_RANDOM_RUNS, significanceInput } from '../src/core/evaluation/significance';
import { mulberry32 } from '../src/core/random';
import { median, round } from './stats';

const HOUR = 3_600_000;

const makeInputs = (n: number) => syntheticBacktestInputs(n, { seed: 7, startYear: 2015, skew: [6, 2, 6] });

export interface SignificanceBenchResult {
  name: string;
  bars: number;
  trades: number;
  random_runs: number;
  bootstrap_resamples: number;
  mean_block_length: number;
  backtest_ms: number;
  /** The whole step as the job runs it: random runs + bootstrap (wall clock, best of the repeats). */
  significance_ms: number;
  /** CPU time of the same step (less sensitive to a shared, loaded machine than wall time). */
  significance_cpu_ms: number;
  random_runs_ms: number;
  bootstrap_ms: number;
  /** Engine throughput measured in this same run (one plain loop over the bars): how loaded the machine is. */
  engine_bars_per_second: number;
  /** The step's cost in plain engine loops over the same bars (load-independent). */
  cost_in_engine_loops: number;
  /** One random run (schedule + engine + statistics), timed singly: median and fastest of all runs. */
  per_run_ms_median: number;
  per_run_ms_min: number;
  /**
   * What the step costs on an idle core: runs × the fastest single run + the fastest block-length
   * estimate + 10 × the fastest slice of 100 bootstrap resamples (the minimum of short timings is the
   * least load-sensitive estimate). On a shared, loaded machine the wall times above are dominated by
   * waiting for the CPU; `pass` compares this estimate with the target.
   */
  estimated_idle_ms: number;
  target_ms: number;
  pass: boolean;
  /** significance_ms < target, as measured (false on a loaded machine even when the code is fast enough). */
  pass_wall: boolean;
}

export async function benchSignificance(n = 25_000, repeats = 3): Promise<SignificanceBenchResult> {
  const { bars, probs } = makeInputs(n);
  const cfg = engineConfig({ bar_ms: HOUR, decisions: DEFAULT_DECISIONS });
  let best = { loop: Infinity, backtest: Infinity, total: Infinity, boot: Infinity, cpu: Infinity };
  let trades = 0;
  let block = 0;
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    const sig = classifyProbabilities(probs, n, null, cfg.decisions.confidence_threshold);
    const l0 = performance.now();
    const engine = new BacktestEngine(bars, sig, cfg);
    engine.runUntil(n);
    const l1 = performance.now();
    const result = engine.finish();
    const metrics = computeMetrics({ ...result, equity: result.equity.values, time: bars.time, close: bars.close, bar_ms: HOUR });
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const out = computeSignificance(significanceInput(bars, cfg, result, metrics, DEFAULT_RANDOM_RUNS, 42 + k));
    const t2 = performance.now();
    const c2 = process.cpuUsage(c1);
    bootstrapSharpeCI(barReturns(result.equity.values), metrics.bars_per_year, { seed: k, resamples: BOOTSTRAP_RESAMPLES });
    const t3 = performance.now();
    trades = result.trades.length;
    block = out.sharpe_ci_method?.mean_block_length ?? NaN;
    best = { loop: Math.min(best.loop, l1 - l0), backtest: Math.min(best.backtest, t1 - t0), total: Math.min(best.total, t2 - t1), boot: Math.min(best.boot, t3 - t2), cpu: Math.min(best.cpu, (c2.user + c2.system) / 1000) };
  }
  // Each random run timed on its own (the job's code path, one run per step).
  const { bars: b2, probs: p2 } = { bars, probs };
  const sig2 = classifyProbabilities(p2, n, null, cfg.decisions.confidence_threshold);
  const base = new BacktestEngine(b2, sig2, cfg).finish();
  const m2 = computeMetrics({ ...base, equity: base.equity.values, time: b2.time, close: b2.close, bar_ms: HOUR });
  const per: number[] = [];
  const steps = randomEntryRunsStepwise(b2, cfg, base.trades, { runs: DEFAULT_RANDOM_RUNS, rng: mulberry32(1), bars_per_year: m2.bars_per_year, years: m2.years }, 1);
  let prev = performance.now();
  for (;;) {
    const r = steps.next();
    const now = performance.now();
    per.push(now - prev);
    prev = now;
    if (r.done) break;
  }
  const perMin = Math.min(...per);
  const rets = barReturns(base.equity.values);
  let blockMin = Infinity;
  let block100Min = Infinity;
  let L = 1;
  for (let k = 0; k < 10; k++) {
    const a = performance.now();
    L = optimalBlockLength(rets);
    const b = performance.now();
    bootstrapSharpeCI(rets, m2.bars_per_year, { seed: 100 + k, resamples: BOOTSTRAP_RESAMPLES / 10, meanBlock: L });
    const c = performance.now();
    blockMin = Math.min(blockMin, b - a);
    block100Min = Math.min(block100Min, c - b);
  }
  const idle = perMin * DEFAULT_RANDOM_RUNS + blockMin + block100Min * 10;
  const target = 1000;
  return {
    name: 'significance step (random entries + bootstrap) on a 25k-bar backtest',
    bars: n,
    trades,
    random_runs: DEFAULT_RANDOM_RUNS,
    bootstrap_resamples: BOOTSTRAP_RESAMPLES,
    mean_block_length: round(block, 2),
    backtest_ms: round(best.backtest, 1),
    significance_ms: round(best.total, 1),
    significance_cpu_ms: round(best.cpu, 1),
    random_runs_ms: round(best.total - best.boot, 1),
    bootstrap_ms: round(best.boot, 1),
    engine_bars_per_second: Math.round(n / (best.loop / 1000)),
    cost_in_engine_loops: round(best.total / best.loop, 1),
    per_run_ms_median: round(median(per), 2),
    per_run_ms_min: round(perMin, 2),
    estimated_idle_ms: round(idle, 1),
    target_ms: target,
    pass: idle < target,
    pass_wall: best.total < target,
  };
}

if (require.main === module) {
  benchSignificance().then((r) => {
    console.log(JSON.stringify(r, null, 2));
    console.log(`significance step: ${r.significance_ms} ms measured, ≈ ${r.estimated_idle_ms} ms on an idle core, for ${r.random_runs} runs on ${r.bars} bars (target < ${r.target_ms} ms) ${r.pass ? 'PASS' : 'FAIL'}`);
  });
}
