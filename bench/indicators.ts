// Indicator throughput: every registered indicator with default parameters on 1,000,000 seeded random-walk bars,
// single thread. values/s = bars × outputs / seconds (median of 5 timed runs after one warm-up run).
// Target: ≥ 20 M values/s on average over the catalogue. Run alone: npx tsx bench/indicators.ts
import { INDICATORS, computeIndicator } from '../src/core/indicators/registry';
import { randomWalkBars } from '../test/unit/indicators/synthetic';

const BARS = 1_000_000;
const RUNS = 5;
const TARGET = 20e6;

export interface IndicatorBenchRow {
  type: string;
  outputs: number;
  medianMs: number;
  valuesPerSec: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchIndicators(): Promise<Record<string, unknown>> {
  const bars = randomWalkBars(BARS, { seed: 20240601 });
  const rows: IndicatorBenchRow[] = [];
  for (const def of INDICATORS) {
    computeIndicator(def.type, bars, {}); // warm-up: JIT and allocation paths
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const out = computeIndicator(def.type, bars, {});
      times.push(performance.now() - t0);
      if (Object.keys(out).length !== def.outputs.length) throw new Error(`${def.type}: wrong outputs`);
    }
    const ms = median(times);
    rows.push({ type: def.type, outputs: def.outputs.length, medianMs: ms, valuesPerSec: (BARS * def.outputs.length) / (ms / 1000) });
    await new Promise((resolve) => setImmediate(resolve)); // let a host (bench runner, worker) breathe between items
  }
  const average = rows.reduce((s, r) => s + r.valuesPerSec, 0) / rows.length;
  const slowest = rows.reduce((a, b) => (a.valuesPerSec < b.valuesPerSec ? a : b));
  return {
    name: 'indicators',
    bars: BARS,
    runs: RUNS,
    indicators: rows.length,
    averageValuesPerSec: average,
    target: TARGET,
    meetsTarget: average >= TARGET,
    slowest: slowest.type,
    rows,
  };
}

function printTable(result: Record<string, unknown>): void {
  const rows = result.rows as IndicatorBenchRow[];
  const fmt = (v: number) => `${(v / 1e6).toFixed(1)} M/s`;
  console.log(`indicator throughput on ${BARS.toLocaleString('en-US')} bars (median of ${RUNS})`);
  console.log(`${'type'.padEnd(20)}${'outputs'.padStart(8)}${'ms'.padStart(10)}${'values/s'.padStart(14)}`);
  for (const r of rows)
    console.log(`${r.type.padEnd(20)}${String(r.outputs).padStart(8)}${r.medianMs.toFixed(1).padStart(10)}${fmt(r.valuesPerSec).padStart(14)}`);
  console.log(`catalogue average: ${fmt(result.averageValuesPerSec as number)} (target ${fmt(TARGET)}), slowest: ${result.slowest}`);
}

if (require.main === module) {
  benchIndicators().then(printTable, (err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
