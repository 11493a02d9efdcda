// One model trained on rows pooled from several symbols (issue 26), through the real training job on
// real bundled bars (EURUSD 24/5 and SPY's sessions, 1h with 1d features): each symbol's features,
// higher-timeframe values and labels come from its own bars only (they equal a one-symbol
// computation; a concatenated series would give other labels at the junction), and the
// normalisation statistics are fitted on the pooled training rows of every symbol and nothing else.
// (Windows per series: test/unit/training/pipeline.test.ts, the LSTM case.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BarSeries } from '../../../src/core/bars/types';
import { applyNormalization, buildFeatureMatrix, fitNormalization, normalizationSpecs, type FeatureMatrix, type NormalizationStats } from '../../../src/core/features';
import { computeLabels } from '../../../src/core/labels';
import { BarStore } from '../../../src/infra/bars/bar-store';
import { importCsvText } from '../../../src/infra/bars/import';
import { loadModel } from '../../../src/infra/models/inference';
import { indicatorCatalog, parseForTraining } from '../../../src/infra/models/training-inputs';
import type { SnapshotMessage } from '../../../src/shared/worker-protocol';
import { ProgressBridge } from '../../../src/worker/bridge';
import type { PipelineInput } from '../../../src/worker/training/pipeline';
import { sampleText } from '../data/helpers';

const seen: { input?: PipelineInput; trainRows?: Int32Array } = {};
vi.mock('../../../src/worker/training/pipeline', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/worker/training/pipeline')>();
  return {
    ...real,
    runTrainingPipeline: async (...args: Parameters<typeof real.runTrainingPipeline>) => {
      const input = args[1];
      seen.input = input;
      const normalizer = input.normalizer!;
      // Record the rows the statistics are fitted on; the fit itself is the job's.
      const spied = { ...normalizer, fit: (v: Float32Array, r: number, c: number, rows: Int32Array) => ((seen.trainRows = rows.slice()), normalizer.fit(v, r, c, rows)) };
      return real.runTrainingPipeline(args[0], { ...input, normalizer: spied }, args[2], args[3]);
    },
  };
});
const { trainingJob } = await import('../../../src/worker/jobs/training');

const YAML = `name: pooled
version: "3.0"
training_data:
  symbols: {mode: multi_symbol, list: [EURUSD, SPY]}
  timeframes: {mode: multi_timeframe, list: [1h, 1d], base_timeframe: 1h}
  history_required: 50
indicators:
  rsi_14: {type: rsi, period: 14}
  ppo: {type: ppo, fast_period: 12, slow_period: 26}
fuzzy_sets:
  rsi_zone: {indicator: rsi_14, oversold: [0, 25, 40], overbought: [60, 75, 100]}
nn_inputs:
  - {fuzzy_set: rsi_zone, timeframes: all}
  - {raw_indicator: ppo, timeframes: all, normalization: zscore}
model: {type: mlp, architecture: {hidden_layers: [8]}}
decisions: {output_format: classification, confidence_threshold: 0.5}
training:
  epochs: 2
  batch_size: 64
  learning_rate: 0.01
  labels: {source: zigzag, zigzag_threshold: 0.01}
  data_split: {train: 0.7, validation: 0.15, test: 0.15}
  seed: 3
`;

let home: string;
let results: Record<string, any>;
const bars: Record<string, Record<string, BarSeries>> = {};

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ktrdr-pooled-'));
  const store = new BarStore(join(home, 'data'));
  const within = (file: string) => {
    const [head, ...rows] = sampleText(file).trim().split('\n');
    return [head, ...rows.filter((l) => l >= '2017-01-01' && l < '2017-07-01')].join('\n');
  };
  importCsvText(store, within('EURUSD_H1_oanda_bid_2007-2018.csv'), { symbol: 'EURUSD', timeframe: '1h', mode: 'replace', source: 'sample' });
  importCsvText(store, within('SPY_H1_1998-2021.csv'), { symbol: 'SPY', timeframe: '1h', mode: 'replace', source: 'sample' });
  for (const s of ['EURUSD', 'SPY']) bars[s] = { '1h': store.load(s, '1h', {}).bars, '1d': store.load(s, '1d', {}).bars };
  const bridge = new ProgressBridge((_m: SnapshotMessage) => undefined, 0);
  const out = await trainingJob({
    spec: { operationId: 'op_training_pooled', jobType: 'training', params: {}, home, logLevel: 'warn' },
    params: { strategy_name: 'pooled', strategy_yaml: YAML, start_date: '2017-01-01', end_date: '2017-06-30' },
    bridge,
    home,
  });
  results = out.results;
}, 240_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('training across symbols (real job, real bars)', () => {
  it('one dataset per symbol, each on its own clock', () => {
    const data = seen.input!.data;
    expect(data.map((d) => d.symbol)).toEqual(['EURUSD', 'SPY']);
    for (const d of data) {
      expect(d.rows).toBe(bars[d.symbol]['1h'].time.length);
      expect(Array.from(d.time!)).toEqual(Array.from(bars[d.symbol]['1h'].time));
    }
    // The calendars differ: FX ~24 bars a weekday, SPY 7.
    expect(data[0].rows).toBeGreaterThan(3 * data[1].rows);
    expect(results.model_path).toBe('models/pooled/1h_v1');
  });

  it('features (1h and the 1d values) equal a one-symbol computation: no indicator reads another series', () => {
    const strategy = (parseForTraining(YAML, 'pooled', {}) as { strategy: import('../../../src/core/strategy/types').StrategyConfig }).strategy;
    for (const d of seen.input!.data) {
      const alone = buildFeatureMatrix(strategy, bars[d.symbol], { catalog: indicatorCatalog() });
      expect(alone.rows).toBe(d.rows);
      expect(Array.from(d.values)).toEqual(Array.from(alone.values));
    }
  });

  it('labels equal the symbol’s own zigzag; on the two series joined they would differ at the junction', () => {
    const cfg = { source: 'zigzag' as const, zigzag_threshold: 0.01 };
    const [eur, spy] = seen.input!.data;
    for (const d of [eur, spy]) expect(Array.from(d.labels)).toEqual(Array.from(computeLabels(cfg as never, bars[d.symbol]['1h']).labels));
    // The test means something: labels computed on EURUSD followed by SPY change EURUSD's last ones.
    const a = bars.EURUSD['1h'];
    const b = bars.SPY['1h'];
    const cat = (k: 'time' | 'open' | 'high' | 'low' | 'close' | 'volume') => Float64Array.from([...a[k], ...b[k].map((v) => (k === 'time' ? v + 1e12 : v))]);
    const joined: BarSeries = { symbol: 'X', timeframe: '1h', time: cat('time'), open: cat('open'), high: cat('high'), low: cat('low'), close: cat('close'), volume: cat('volume') };
    const jl = computeLabels(cfg as never, joined).labels.subarray(0, a.time.length);
    expect(Array.from(jl)).not.toEqual(Array.from(eur.labels));
  });

  it('normalisation: statistics from the pooled training rows of every symbol, nothing else', async () => {
    const rows = seen.trainRows!;
    const eurRows = seen.input!.data[0].rows;
    expect(rows.some((r) => r < eurRows)).toBe(true);
    // SPY has training rows: each symbol is embargoed by its own labels' horizon in its own rows (the
    // largest horizon, EURUSD's 24-bar days, applied to SPY's 7-bar days left it none).
    const spy = seen.input!.data[1];
    expect(spy.horizon).toBeLessThan(seen.input!.horizon);
    expect(rows.filter((r) => r >= eurRows).length).toBeGreaterThan(100);
    // Recompute from the raw features of exactly those rows.
    const strategy = (parseForTraining(YAML, 'pooled', {}) as { strategy: import('../../../src/core/strategy/types').StrategyConfig }).strategy;
    const names = seen.input!.featureNames;
    const cols = names.length;
    const all = new Float32Array((seen.input!.data[0].rows + seen.input!.data[1].rows) * cols);
    all.set(seen.input!.data[0].values, 0);
    all.set(seen.input!.data[1].values, eurRows * cols);
    const gathered = new Float32Array(rows.length * cols);
    rows.forEach((r, k) => gathered.set(all.subarray(r * cols, (r + 1) * cols), k * cols));
    const m: FeatureMatrix = { names, rows: rows.length, cols, values: gathered, time: new Float64Array(rows.length), valid: new Uint8Array(rows.length), warmupRows: 0 };
    const expected = fitNormalization(m, 0, rows.length, normalizationSpecs(strategy));
    const { model, manifest } = await loadModel(join(home, 'models', 'pooled', '1h_v1'));
    model.dispose();
    expect(manifest.normalization).toEqual(JSON.parse(JSON.stringify(expected)));
    // And the ppo columns are really z-scored with them (a backtest leg applies the same statistics).
    const stats = manifest.normalization as NormalizationStats;
    expect(stats.columns.filter((c) => c.method === 'zscore').map((c) => c.feature)).toEqual(['1h_ppo_raw', '1d_ppo_raw']);
    const applied = applyNormalization({ ...m, values: gathered.slice() }, stats);
    const c = names.indexOf('1h_ppo_raw');
    let sum = 0;
    let n = 0;
    for (let i = 0; i < rows.length; i++) {
      const v = applied.values[i * cols + c];
      if (Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    expect(Math.abs(sum / n)).toBeLessThan(1e-3);
    expect(manifest.data.first_row_time).toBe(new Date(Math.min(bars.EURUSD['1h'].time[0], bars.SPY['1h'].time[0])).toISOString());
  });
});
