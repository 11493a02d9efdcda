#!/usr/bin/env node
// Writes TA-Lib reference values for the indicator tests (test/fixtures/talib/*.json), so CI never needs TA-Lib.
//
//   mkdir -p /tmp/talib-oracle && cd /tmp/talib-oracle && npm init -y && npm install talib@1.1.6
//   (if npm skipped its build script: cd node_modules/talib && node src/lib/build.js && node-gyp configure build)
//   node scripts/gen-talib-fixtures.cjs
//
// Env: TALIB_PATH (default /tmp/talib-oracle/node_modules/talib), KTRDR_SAMPLE_DATA (default ../shared/data
// next to the repository). Each fixture holds its input bars and, per TA-Lib call, the first HEAD values after
// TA-Lib's own lookback plus every STRIDE-th value after that (full precision; sampling keeps the files small).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const TALIB_PATH = process.env.TALIB_PATH || '/tmp/talib-oracle/node_modules/talib';
const DATA_DIR = process.env.KTRDR_SAMPLE_DATA || path.resolve(__dirname, '../../shared/data');
const OUT_DIR = path.resolve(__dirname, '../test/fixtures/talib');
const HEAD = 40;
const STRIDE = 7;

const DATASETS = [
  // OANDA FX: volume is 0 on every row (exercises the zero-volume rules)
  { name: 'eurusd_h1', file: 'EURUSD_H1_oanda_bid_2007-2018.csv', from: 20000, rows: 3000 },
  // equity with real volume, prices from ~$0.2 to ~$20 over the slice
  { name: 'aapl_d1', file: 'AAPL_D1_splitadj_1998-2021.csv', from: 1000, rows: 3000 },
];

const SMA = 0;
const EMA = 1;

// fn: TA-Lib function; opts: its optional inputs; ours: the registry type + params that must reproduce it;
// outputs: our output name → TA-Lib result field.
const CASES = [];
function add(fn, opts, type, params, outputs, id) {
  CASES.push({ id: id || `${fn}_${Object.values(opts).join('_')}`.replace(/_$/, ''), fn, opts, ours: { type, params }, outputs });
}
const V = { value: 'outReal' };

for (const p of [20, 7]) add('SMA', { optInTimePeriod: p }, 'sma', { period: p }, V);
for (const p of [20, 9]) add('EMA', { optInTimePeriod: p }, 'ema', { period: p }, V);
for (const p of [20, 5]) add('WMA', { optInTimePeriod: p }, 'wma', { period: p }, V);
for (const p of [30, 10]) add('DEMA', { optInTimePeriod: p }, 'dema', { period: p }, V);
for (const p of [30, 8]) add('TEMA', { optInTimePeriod: p }, 'tema', { period: p }, V);
for (const p of [30, 11]) add('TRIMA', { optInTimePeriod: p }, 'trima', { period: p }, V);
for (const p of [30, 10]) add('KAMA', { optInTimePeriod: p }, 'kama', { period: p }, V);
add('T3', { optInTimePeriod: 5, optInVFactor: 0.7 }, 't3', { period: 5, vfactor: 0.7 }, V);
add('T3', { optInTimePeriod: 8, optInVFactor: 0.5 }, 't3', { period: 8, vfactor: 0.5 }, V);
for (const p of [14, 5]) add('RSI', { optInTimePeriod: p }, 'rsi', { period: p }, V);
for (const p of [14, 9]) add('CMO', { optInTimePeriod: p }, 'cmo', { period: p }, V);
for (const [f, s, g] of [[12, 26, 9], [5, 35, 5]])
  add('MACD', { optInFastPeriod: f, optInSlowPeriod: s, optInSignalPeriod: g }, 'macd', { fast_period: f, slow_period: s, signal_period: g },
    { line: 'outMACD', signal: 'outMACDSignal', histogram: 'outMACDHist' });
for (const [f, s, m] of [[12, 26, EMA], [10, 21, SMA]]) {
  const ma = m === EMA ? 'EMA' : 'SMA';
  add('PPO', { optInFastPeriod: f, optInSlowPeriod: s, optInMAType: m }, 'ppo', { fast_period: f, slow_period: s, ma_type: ma }, V);
  add('APO', { optInFastPeriod: f, optInSlowPeriod: s, optInMAType: m }, 'apo', { fast_period: f, slow_period: s, ma_type: ma }, V);
}
for (const [k, sk, d] of [[14, 3, 3], [5, 1, 4]])
  add('STOCH', { optInFastK_Period: k, optInSlowK_Period: sk, optInSlowK_MAType: SMA, optInSlowD_Period: d, optInSlowD_MAType: SMA },
    'stochastic', { k_period: k, smooth_k: sk, d_period: d }, { k: 'outSlowK', d: 'outSlowD' });
for (const [k, d] of [[5, 3], [14, 1]])
  add('STOCHF', { optInFastK_Period: k, optInFastD_Period: d, optInFastD_MAType: SMA }, 'stochf', { k_period: k, d_period: d },
    { k: 'outFastK', d: 'outFastD' });
for (const [p, k, d] of [[14, 5, 3], [9, 9, 3]])
  add('STOCHRSI', { optInTimePeriod: p, optInFastK_Period: k, optInFastD_Period: d, optInFastD_MAType: SMA }, 'stochrsi',
    { period: p, k_period: k, d_period: d }, { k: 'outFastK', d: 'outFastD' });
for (const p of [14, 7]) add('WILLR', { optInTimePeriod: p }, 'williamsr', { period: p }, V);
for (const p of [20, 10]) add('CCI', { optInTimePeriod: p }, 'cci', { period: p }, V);
for (const p of [10, 3]) add('ROC', { optInTimePeriod: p }, 'roc', { period: p }, V);
for (const p of [10, 1]) add('MOM', { optInTimePeriod: p }, 'momentum', { period: p }, V);
for (const p of [15, 5]) add('TRIX', { optInTimePeriod: p }, 'trix', { period: p }, V);
for (const [a, b, c] of [[7, 14, 28], [20, 5, 10]])
  add('ULTOSC', { optInTimePeriod1: a, optInTimePeriod2: b, optInTimePeriod3: c }, 'ultosc', { period1: a, period2: b, period3: c }, V);
add('BOP', {}, 'bop', {}, V, 'BOP');
for (const p of [14, 25])
  add('AROON', { optInTimePeriod: p }, 'aroon', { period: p }, { up: 'outAroonUp', down: 'outAroonDown' });
for (const p of [14, 25]) add('AROONOSC', { optInTimePeriod: p }, 'aroon', { period: p }, { oscillator: 'outReal' });
for (const p of [14, 5, 1]) add('ATR', { optInTimePeriod: p }, 'atr', { period: p }, V);
for (const p of [14, 7]) add('NATR', { optInTimePeriod: p }, 'natr', { period: p }, V);
add('TRANGE', {}, 'trange', {}, V, 'TRANGE');
for (const [p, k] of [[20, 2], [10, 1.5]])
  add('BBANDS', { optInTimePeriod: p, optInNbDevUp: k, optInNbDevDn: k, optInMAType: SMA }, 'bbands', { period: p, multiplier: k },
    { upper: 'outRealUpperBand', middle: 'outRealMiddleBand', lower: 'outRealLowerBand' });
for (const [p, k] of [[20, 1], [5, 2]]) add('STDDEV', { optInTimePeriod: p, optInNbDev: k }, 'stddev', { period: p, nbdev: k }, V);
for (const p of [20, 5]) add('VAR', { optInTimePeriod: p, optInNbDev: 1 }, 'var', { period: p }, V);
for (const p of [14, 5]) add('MIDPOINT', { optInTimePeriod: p }, 'midpoint', { period: p }, V);
for (const p of [14, 5]) add('MIDPRICE', { optInTimePeriod: p }, 'midprice', { period: p }, V);
for (const p of [14, 7]) add('ADX', { optInTimePeriod: p }, 'adx', { period: p }, { adx: 'outReal' });
for (const p of [14, 7]) add('PLUS_DI', { optInTimePeriod: p }, 'adx', { period: p }, { plus_di: 'outReal' });
for (const p of [14, 7]) add('MINUS_DI', { optInTimePeriod: p }, 'adx', { period: p }, { minus_di: 'outReal' });
for (const p of [14, 7]) add('DX', { optInTimePeriod: p }, 'dx', { period: p }, V);
for (const p of [14, 5]) add('ADXR', { optInTimePeriod: p }, 'adxr', { period: p }, V);
for (const [a, m] of [[0.02, 0.2], [0.01, 0.1]])
  add('SAR', { optInAcceleration: a, optInMaximum: m }, 'parabolicsar', { initial_af: a, step_af: a, max_af: m }, V);
for (const p of [14, 5]) {
  add('LINEARREG', { optInTimePeriod: p }, 'linearreg', { period: p }, { value: 'outReal' });
  add('LINEARREG_SLOPE', { optInTimePeriod: p }, 'linearreg', { period: p }, { slope: 'outReal' });
  add('LINEARREG_INTERCEPT', { optInTimePeriod: p }, 'linearreg', { period: p }, { intercept: 'outReal' });
  add('LINEARREG_ANGLE', { optInTimePeriod: p }, 'linearreg', { period: p }, { angle: 'outReal' });
  add('TSF', { optInTimePeriod: p }, 'tsf', { period: p }, V);
}
add('LINEARREG_SLOPE', { optInTimePeriod: 20 }, 'linearregslope', { period: 20 }, V);
add('TYPPRICE', {}, 'typprice', {}, V, 'TYPPRICE');
add('MEDPRICE', {}, 'medprice', {}, V, 'MEDPRICE');
add('WCLPRICE', {}, 'wclprice', {}, V, 'WCLPRICE');
add('AVGPRICE', {}, 'avgprice', {}, V, 'AVGPRICE');
add('OBV', {}, 'obv', {}, V, 'OBV');
add('AD', {}, 'adline', {}, { line: 'outReal' }, 'AD');
for (const [f, s] of [[3, 10], [5, 20]]) add('ADOSC', { optInFastPeriod: f, optInSlowPeriod: s }, 'adosc', { fast_period: f, slow_period: s }, V);
for (const p of [14, 5]) add('MFI', { optInTimePeriod: p }, 'mfi', { period: p }, V);

function readCsv(file, from, rows) {
  const lines = fs.readFileSync(path.join(DATA_DIR, file), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  if (header.join(',') !== 'timestamp,open,high,low,close,volume') throw new Error(`unexpected header in ${file}`);
  const slice = lines.slice(1 + from, 1 + from + rows);
  if (slice.length !== rows) throw new Error(`${file} has fewer than ${from + rows} rows`);
  const cols = { time: [], open: [], high: [], low: [], close: [], volume: [] };
  for (const line of slice) {
    const [ts, o, h, l, c, v] = line.split(',');
    cols.time.push(Date.parse(ts));
    cols.open.push(Number(o));
    cols.high.push(Number(h));
    cols.low.push(Number(l));
    cols.close.push(Number(c));
    cols.volume.push(Number(v));
  }
  return cols;
}

function run(talib, bars, c) {
  const res = talib.execute({
    name: c.fn,
    startIdx: 0,
    endIdx: bars.close.length - 1,
    open: bars.open,
    high: bars.high,
    low: bars.low,
    close: bars.close,
    volume: bars.volume,
    inReal: bars.close,
    ...c.opts,
  });
  if (res.error) throw new Error(`${c.id}: ${res.error}`);
  return res;
}

function main() {
  const talib = require(TALIB_PATH);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const ds of DATASETS) {
    const bars = readCsv(ds.file, ds.from, ds.rows);
    const cases = CASES.map((c) => {
      const res = run(talib, bars, c);
      const beg = res.begIndex;
      const outputs = Object.entries(c.outputs).map(([ours, field]) => {
        const values = res.result[field];
        if (!values) throw new Error(`${c.id}: TA-Lib result has no ${field}`);
        const head = values.slice(0, HEAD);
        const sample = [];
        for (let i = beg + HEAD; i < beg + values.length; i++) if (i % STRIDE === 0) sample.push(values[i - beg]);
        return { ours, talib: field, beg, count: values.length, head, sample };
      });
      return { id: c.id, fn: c.fn, opts: c.opts, ours: c.ours, outputs };
    });
    const fixture = {
      generator: 'scripts/gen-talib-fixtures.cjs',
      talib: `node talib ${require(path.join(TALIB_PATH, 'package.json')).version} (bundles TA-Lib C 0.6.0)`,
      dataset: { name: ds.name, file: ds.file, from: ds.from, rows: ds.rows },
      head: HEAD,
      stride: STRIDE,
      bars,
      cases,
    };
    const file = path.join(OUT_DIR, `${ds.name}.json`);
    fs.writeFileSync(file, JSON.stringify(fixture) + '\n');
    console.log(`${file}: ${cases.length} TA-Lib calls, ${(fs.statSync(file).size / 1024).toFixed(0)} KiB`);
  }
}

main();
