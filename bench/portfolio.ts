// The portfolio book's event loop (src/core/portfolio/book.ts) on precomputed signals:
//  - 1,000 symbols × 1,000 bars (target ≤ 100 ms; published anchor: vectorbt from_signals 1,000 ×
//    1,000 in 54 ms with Numba, on inputs already laid out as 2-D arrays) and 10 symbols × 100,000
//    bars (target ≤ 50 ms); equal weight, FX costs, shorts allowed, a signal on ~10 % of the bars.
//    `loop` runs the book on inputs already laid out in its order (tape.ts; vectorbt's 2-D arrays);
//    `layout` is the one-off cost of laying out per-leg arrays; `with_results` keeps every detail the
//    job keeps (trade objects, fills, per-leg values, exposure);
//  - the same with mixed calendars (each leg misses ~25 % of the bars: the sparse schedule);
//  - a 1-symbol portfolio against today's single-symbol backtest (the frozen pre-portfolio engine,
//    test/helpers/reference-engine.ts) side by side, interleaved, on the same 1,000,000 bars, with
//    and without trading costs (target: no slower);
//  - memory: bytes of typed arrays the book holds per leg-bar for several N × T (target: linear).
// Times are the best of several runs: wall clock and CPU time of this process (on a shared machine
// CPU time is the steadier one). Run alone with `npx tsx bench/portfolio.ts`.
import { execFileSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { classifyProbabilities, DEFAULT_DECISIONS } from '../src/core/backtest/decisions';
import { BacktestEngine, engineConfig } from '../src/core/backtest/engine';
import { PortfolioBook } from '../src/core/portfolio/book';
import { buildTape } from '../src/core/portfolio/tape';
import { DEFAULT_PORTFOLIO_CONFIG, type PortfolioConfig } from '../src/core/portfolio/types';
import { ReferenceEngine } from '../test/helpers/reference-engine';
import { syntheticBacktestInputs } from './backtest-inputs';
import { FX, makeLegs } from './portfolio-inputs';
import { round } from './stats';

const HOUR = 3_600_000;
const DECISIONS = { ...DEFAULT_DECISIONS, allow_short_from_flat: true, min_signal_separation: 0 };
const CFG: PortfolioConfig = { ...DEFAULT_PORTFOLIO_CONFIG, initial_capital: 1_000_000, sizing: { type: 'equal_weight' } };

interface Timing {
  ms: number;
  cpu_ms: number;
}

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Best wall time and best CPU time over `repeats` runs of fn. */
function best(repeats: number, fn: () => void): Timing {
  let ms = Infinity;
  let cpu = Infinity;
  for (let k = 0; k < repeats; k++) {
    const c0 = cpuNow();
    const t0 = performance.now();
    fn();
    ms = Math.min(ms, performance.now() - t0);
    cpu = Math.min(cpu, cpuNow() - c0);
  }
  return { ms: round(ms, 1), cpu_ms: round(cpu, 1) };
}

function loop(symbols: number, bars: number, holes: boolean, repeats: number) {
  const legs = makeLegs(symbols, bars, 42, holes);
  const tape = buildTape(legs);
  let trades = 0;
  const run = best(repeats, () => {
    trades = new PortfolioBook(legs, CFG, tape).finishEquityOnly().trade_count;
  });
  const layout = best(repeats, () => buildTape(legs));
  const detailed = best(Math.max(2, Math.floor(repeats / 2)), () => {
    new PortfolioBook(legs, { ...CFG, record_details: true }).finish();
  });
  return { symbols, bars, calendars: holes ? 'mixed (each leg misses ~25 % of the bars)' : 'aligned', trades, loop: run, layout, with_results: detailed };
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes of array buffers the book holds after a full run, per leg-bar (inputs excluded). */
function memory(symbols: number, bars: number): number {
  const legs = makeLegs(symbols, bars, 7);
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const book = new PortfolioBook(legs, { ...CFG, record_details: true });
  book.runUntil(book.steps);
  gc();
  const held = process.memoryUsage().arrayBuffers - before;
  if (book.steps < 0 || legs.length < 0) console.log(book, legs); // keeps both alive until measured
  return held / (symbols * bars);
}

function singleVsReference(n: number, repeats: number, withCosts: boolean) {
  const { bars, probs } = syntheticBacktestInputs(n, { seed: 42, startYear: 2000, skew: [4, 4, 4] });
  const cfg = engineConfig({ bar_ms: HOUR, decisions: DECISIONS, ...(withCosts ? { costs: FX } : {}) });
  const sig = classifyProbabilities(probs, n, null, 0.5);
  let ref = Infinity;
  let book = Infinity;
  let trades = 0;
  // Interleaved, so load on the machine hits both alike; chunked as the job runs it.
  for (let k = 0; k < repeats; k++) {
    for (const which of ['ref', 'book'] as const) {
      const c0 = cpuNow();
      const e = which === 'ref' ? new ReferenceEngine(bars, sig, cfg) : new BacktestEngine(bars, sig, cfg);
      for (let end = 10_000; end < n; end += 10_000) e.runUntil(end);
      trades = e.finishEquityOnly().trade_count;
      const cpu = cpuNow() - c0;
      if (which === 'ref') ref = Math.min(ref, cpu);
      else book = Math.min(book, cpu);
    }
  }
  return { bars: n, costs: withCosts ? 'FX spread + slippage' : "KTRDR's 0.1 % + 0.1 %", trades, reference_cpu_ms: round(ref, 1), one_leg_portfolio_cpu_ms: round(book, 1), ratio: round(book / ref, 3) };
}

export async function benchPortfolio() {
  const wide = loop(1000, 1000, false, 9);
  const long = loop(10, 100_000, false, 9);
  const mixed = loop(1000, 1000, true, 5);
  // In a fresh process each, as a backtest job runs: after the multi-leg runs above (and the suites
  // before this one) the book's call sites are polymorphic, which slowed the 1-leg book to 1.32× the
  // reference in one process while the two are equal run alone.
  const single = [singleInFreshProcess(false), singleInFreshProcess(true)];
  const mem = [
    [250, 1000],
    [1000, 1000],
    [1000, 2000],
    [10, 100_000],
  ].map(([s, b]) => ({ symbols: s, bars: b, bytes_per_leg_bar: round(memory(s, b), 1) }));
  return {
    name: 'portfolio event loop',
    wide_1000x1000: { ...wide, target_ms: 100, pass: wide.loop.cpu_ms <= 100, anchor: 'vectorbt from_signals 1,000 × 1,000: 54 ms (Numba)' },
    long_10x100000: { ...long, target_ms: 50, pass: long.loop.cpu_ms <= 50 },
    mixed_calendars_1000x1000: mixed,
    one_symbol_vs_single_backtest: single.map((r) => ({ ...r, pass: r.ratio <= 1.05 })),
    memory: mem,
  };
}

const SINGLE_FLAG = '--single-vs-reference';

function singleInFreshProcess(withCosts: boolean): ReturnType<typeof singleVsReference> {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, SINGLE_FLAG, withCosts ? 'fx' : 'ktrdr'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ReturnType<typeof singleVsReference>;
}

if (require.main === module && process.argv.includes(SINGLE_FLAG)) {
  console.log(JSON.stringify(singleVsReference(1_000_000, 9, process.argv.at(-1) === 'fx')));
} else if (require.main === module) {
  benchPortfolio().then((r) => {
    console.log(JSON.stringify(r, null, 2));
    const w = r.wide_1000x1000;
    const l = r.long_10x100000;
    console.log(`1000×1000: loop ${w.loop.cpu_ms} ms CPU (≤ 100) ${w.pass ? 'PASS' : 'FAIL'}, + layout ${w.layout.cpu_ms} ms`);
    console.log(`10×100000: loop ${l.loop.cpu_ms} ms CPU (≤ 50) ${l.pass ? 'PASS' : 'FAIL'}, + layout ${l.layout.cpu_ms} ms`);
    for (const s of r.one_symbol_vs_single_backtest) console.log(`1 leg vs single (${s.costs}): ${s.ratio}× ${s.pass ? 'PASS' : 'FAIL'}`);
  });
}
