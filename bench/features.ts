// Feature-matrix throughput: neuro_mean_reversion (RSI + MACD fuzzy sets, retargeted to 1h) on 1,000,000
// seeded synthetic 1h bars, plus the 1h/4h/1d multi_timeframe sample, raw-input normalisation and
// zigzag labels on the same bars. Median of 3 timed runs after one warm-up run, single thread.
// Run alone: npx tsx bench/features.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resampleBars } from '../src/core/bars/resample';
import type { BarSeries } from '../src/core/bars/types';
import { applyNormalization, buildFeatureMatrix, fitNormalization, normalizationSpecs } from '../src/core/features';
import { zigzagLabels } from '../src/core/labels';
import { parseStrategy, retargetStrategy, type StrategyConfig } from '../src/core/strategy';
import { round, seededRandom } from './stats';

const BARS = 1_000_000;
const RUNS = 3;
const H = 3_600_000;

function hourlyBars(n: number, seed: number): BarSeries {
  const rnd = seededRandom(seed);
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let p = 1.1;
  const t0 = Date.UTC(1990, 0, 1);
  for (let i = 0; i < n; i++) {
    time[i] = t0 + i * H;
    open[i] = p;
    p *= 1 + (rnd() - 0.5) * 0.004;
    close[i] = p;
    high[i] = Math.max(open[i], p) * (1 + rnd() * 0.001);
    low[i] = Math.min(open[i], p) * (1 - rnd() * 0.001);
    volume[i] = 1000 + rnd() * 100;
  }
  return { symbol: 'SYN', timeframe: '1h', time, open, high, low, close, volume, meta: { source: 'synthetic', synthetic: true } };
}

function strategy(name: string, timeframes?: string[]): StrategyConfig {
  const r = parseStrategy(readFileSync(join(__dirname, '..', 'strategies', `${name}.yaml`), 'utf8'), { sourceName: name });
  if (!r.strategy) throw new Error(`${name} is invalid`);
  return timeframes ? retargetStrategy(r.strategy, { timeframes }).strategy : r.strategy;
}

function timed<T>(fn: () => T): { ms: number; out: T } {
  let out = fn(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    out = fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], out };
}

export async function benchFeatures(): Promise<Record<string, unknown>> {
  const hourly = hourlyBars(BARS, 20240601);
  const results: Record<string, unknown> = { bars: BARS, runs: RUNS };

  const nmr = strategy('neuro_mean_reversion', ['1h']);
  const single = timed(() => buildFeatureMatrix(nmr, { '1h': hourly }));
  results.neuro_mean_reversion_1h = {
    features: single.out.cols,
    medianMs: round(single.ms, 1),
    rowsPerSec: Math.round(BARS / (single.ms / 1000)),
    cellsPerSec: Math.round((BARS * single.out.cols) / (single.ms / 1000)),
    warmupRows: single.out.warmupRows,
  };
  await new Promise((r) => setImmediate(r));

  const mtf = strategy('multi_timeframe');
  const tfBars = { '1h': hourly, '4h': resampleBars(hourly, '4h'), '1d': resampleBars(hourly, '1d') };
  const multi = timed(() => buildFeatureMatrix(mtf, tfBars));
  results.multi_timeframe_1h_4h_1d = { features: multi.out.cols, medianMs: round(multi.ms, 1), rowsPerSec: Math.round(BARS / (multi.ms / 1000)), warmupRows: multi.out.warmupRows };
  await new Promise((r) => setImmediate(r));

  const raw = strategy('raw_inputs');
  const rawMatrix = buildFeatureMatrix(raw, { '1h': hourly });
  const specs = normalizationSpecs(raw);
  const fit = timed(() => fitNormalization(rawMatrix, 0, Math.floor(BARS * 0.7), specs));
  const apply = timed(() => applyNormalization(rawMatrix, fit.out));
  results.normalisation_raw_inputs = { columns: specs.length, fitMs: round(fit.ms, 1), applyMs: round(apply.ms, 1) };

  const zz = timed(() => zigzagLabels(hourly.close, 0.02));
  results.zigzag_labels = { medianMs: round(zz.ms, 1), horizon: zz.out.horizon };
  return results;
}

if (require.main === module)
  void benchFeatures().then((r) => console.log(JSON.stringify(r, null, 2)));
