import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/core/strategy/format';
import { parseStrategyWith } from '../../../src/core/strategy/parse';
import { retargetStrategy } from '../../../src/core/strategy/retarget';
import { closestMatches, editDistance } from '../../../src/core/strategy/suggest';
import type { StrategyIssue } from '../../../src/core/strategy/types';
import { TEST_CATALOG } from './fixtures/test-indicators';

const parse = (text: string) => parseStrategyWith(text, { catalog: TEST_CATALOG, sourceName: 'x.yaml' });
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const find = (issues: StrategyIssue[], path: string, severity?: string) => issues.filter((i) => i.path === path && (!severity || i.severity === severity));

const MINIMAL = `name: v3_minimal
version: "3.0"
indicators:
  rsi_14:
    type: rsi
    period: 14
fuzzy_sets:
  rsi_momentum:
    indicator: rsi_14
    oversold: [0, 25, 40]
    overbought: [60, 75, 100]
nn_inputs:
  - fuzzy_set: rsi_momentum
    timeframes: ["1h"]
model:
  type: mlp
  architecture:
    hidden_layers: [32, 16]
training_data:
  symbols: {mode: single, symbol: EURUSD}
  timeframes: {mode: single, timeframe: "1h"}
`;

// Every line number below is asserted: keep the layout.
const BROKEN = `name: broken
training_data:
  symbols:
    mode: single
    symbol: EURUSD
  timeframes:
    mode: multi_timeframe
    list: [1h, 4x]
indicators:
  rsi_14:
    type: rsi
    period: 0
    perod: 14
  macd_1:
    type: mcad
fuzy_sets:
  a: 1
fuzzy_sets:
  rsi_fs:
    indicator: rsi_99
    low: [0, 20, 30]
  bad_fs:
    indicator: rsi_14.foo
    x: [3, 2, 1]
    y: [1, 2, 3, 4]
nn_inputs:
  - fuzzy_set: missing_fs
    timeframes: [4h]
  - fuzzy_set: rsi_fs
    raw_indicator: rsi_14
model:
  architecture:
    activation: rellu
training:
  data_split: {train: 0.7, validation: 0.2, test: 0.2}
`;

describe('parseStrategy: valid files', () => {
  it('parses KTRDR v3_minimal and fills every default', () => {
    const r = parse(MINIMAL);
    expect(r.valid).toBe(true);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const s = r.strategy!;
    expect(s.training_data.timeframes).toEqual({ mode: 'single', list: ['1h'], base_timeframe: '1h' });
    expect(s.training_data.symbols.list).toEqual(['EURUSD']);
    expect(s.indicators.rsi_14).toEqual({ id: 'rsi_14', type: 'rsi', params: { period: 14, source: 'close' }, outputs: ['value'] });
    expect(s.fuzzy_sets.rsi_momentum.memberships).toEqual([
      { name: 'oversold', type: 'triangular', parameters: [0, 25, 40] },
      { name: 'overbought', type: 'triangular', parameters: [60, 75, 100] },
    ]);
    expect(s.training).toMatchObject({ epochs: 100, batch_size: 32, learning_rate: 0.001, labels: { source: 'zigzag', zigzag_threshold: 0.02 }, data_split: { train: 0.7, validation: 0.15, test: 0.15 }, seed: 42 });
    expect(s.decisions).toMatchObject({ output_format: 'classification', confidence_threshold: 0.5, position_awareness: true, allow_short_from_flat: false, filters: { min_signal_separation: 4 } });
    expect(s.model.architecture).toMatchObject({ hidden_layers: [32, 16], dropout: 0.2, activation: 'relu' });
    expect(s.training.early_stopping.enabled).toBe(false);
  });

  it("KTRDR's neuro_mean_reversion (verbatim) is valid; every key the runtime ignores is a warning with its line", () => {
    const r = parse(fixture('ktrdr_neuro_mean_reversion_v3.yaml'));
    expect(r.valid).toBe(true);
    const warned = r.issues.filter((i) => i.severity === 'warning').map((i) => i.path);
    for (const p of ['hypothesis', 'scope', 'deployment', 'model.architecture.output_activation', 'model.features', 'decisions.filters.volume_filter', 'training.method', 'training.labels.label_lookahead', 'indicators.macd_12_26_9'])
      expect(warned).toContain(p);
    expect(find(r.issues, 'hypothesis')[0]).toMatchObject({ line: 4, column: 1, category: 'ignored' });
    // model.training.* is honoured (KTRDR silently ignores it) and says so.
    expect(r.strategy!.training).toMatchObject({ epochs: 100, batch_size: 32, learning_rate: 0.001, optimizer: 'adam' });
    expect(find(r.issues, 'model.training.epochs')[0].message).toMatch(/is used as training.epochs/);
    expect(r.strategy!.training_data.timeframes).toEqual({ mode: 'multi_timeframe', list: ['1h', '4h', '1d'], base_timeframe: '1h' });
    expect(r.strategy!.training.labels).toEqual({ source: 'zigzag', zigzag_threshold: 0.03 });
  });

  it('training.* wins over model.training.*, with a warning naming both values', () => {
    const r = parse(`${MINIMAL}training:\n  epochs: 7\n`.replace('    hidden_layers: [32, 16]\n', '    hidden_layers: [32, 16]\n  training:\n    epochs: 100\n'));
    expect(r.strategy!.training.epochs).toBe(7);
    expect(find(r.issues, 'model.training.epochs', 'warning')[0].message).toBe('model.training.epochs (100) is ignored: training.epochs (7) wins');
  });

  it('training.threads pins the trainer\'s thread count (absent: null, the machine decides); a bad value is an error at its line', () => {
    expect(parse(MINIMAL).strategy!.training.threads).toBeNull();
    expect(parse(`${MINIMAL}training:\n  threads: 4\n`).strategy!.training.threads).toBe(4);
    for (const bad of ['0', '2.5', '300', 'all']) {
      const r = parse(`${MINIMAL}training:\n  threads: ${bad}\n`);
      expect(r.valid, bad).toBe(false);
      expect(find(r.issues, 'training.threads', 'error').length, bad).toBe(1);
    }
  });

  it('migrates the legacy seed file (indicator list, lstm layers, validation_split) with one visible notice', () => {
    const r = parse(readFileSync(join(__dirname, '../../../strategies/test_e2e.yaml'), 'utf8'));
    expect(r.valid).toBe(true);
    const notice = r.issues.find((i) => i.category === 'migration')!;
    expect(notice.severity).toBe('warning');
    expect(notice.message).toMatch(/indicators list → map by id \(sma, rsi\)/);
    expect(notice.message).toMatch(/raw inputs with zscore/);
    expect(notice.message).toMatch(/validation_split 0.2/);
    const s = r.strategy!;
    expect(s.migrated_from).toBe('v1');
    expect(Object.keys(s.indicators)).toEqual(['sma', 'rsi']);
    expect(s.nn_inputs.map((i) => i.kind === 'raw_indicator' && [i.raw_indicator, i.normalization])).toEqual([['sma', 'zscore'], ['rsi', 'zscore']]);
    expect(s.model).toMatchObject({ type: 'lstm', architecture: { num_layers: 2, hidden_size: 64 } });
    expect(s.training.data_split).toEqual({ train: 0.8, validation: 0.2, test: 0 });
    expect(s.training.epochs).toBe(10);
  });

  it('migrates v2 feature_id lists and fuzzy sets keyed by feature id', () => {
    const text = `name: v2
version: "2.1"
scope: universal
training_data:
  symbols: {mode: single, symbol: AAPL}
  timeframes: {mode: single, timeframe: 1d}
indicators:
  - name: rsi
    feature_id: rsi_14
    period: 14
  - name: sma
    feature_id: sma_20
    period: 0
fuzzy_sets:
  rsi_14:
    low: [0, 30, 50]
    high: [50, 70, 100]
`;
    const r = parse(text);
    // sma_20.period: 0 is reported at the list item's line in the file
    const err = find(r.issues, 'indicators.sma_20.period', 'error')[0];
    expect(err).toMatchObject({ line: 13, column: 13, message: 'must be ≥ 2 (got 0)' });
    expect(r.issues.find((i) => i.category === 'migration')!.message).toMatch(/Pre-v3.*nn_inputs generated: one per fuzzy set \(rsi_14\)/);
  });
});

describe('parseStrategy: a broken file reports every problem at once, each with line:column', () => {
  const r = parse(BROKEN);
  const lines = r.issues.map((i) => formatIssue(i, 'broken.yaml'));

  it('is invalid and reports all errors, not only the first', () => {
    expect(r.valid).toBe(false);
    expect(r.strategy).toBeUndefined();
    expect(r.issues.filter((i) => i.severity === 'error').length).toBeGreaterThanOrEqual(12);
  });

  it.each([
    ['broken.yaml:8:16 error training_data.timeframes.list[1]: invalid timeframe \'4x\''],
    ['broken.yaml:12:13 error indicators.rsi_14.period: must be ≥ 2 (got 0)'],
    ["broken.yaml:15:11 error indicators.macd_1.type: unknown indicator type 'mcad' (did you mean 'macd'?)"],
    ["broken.yaml:20:16 error fuzzy_sets.rsi_fs.indicator: 'rsi_99' not found in indicators. Available indicators: rsi_14, macd_1 (did you mean 'rsi_14'?)"],
    ["broken.yaml:23:16 error fuzzy_sets.bad_fs.indicator: rsi has a single output; write 'rsi_14' without '.foo'"],
    ['broken.yaml:24:8 error fuzzy_sets.bad_fs.x: triangular [3,2,1]: parameters must satisfy a ≤ b ≤ c'],
    ['broken.yaml:25:8 error fuzzy_sets.bad_fs.y: triangular needs exactly 3 parameters (got 4)'],
    ["broken.yaml:27:16 error nn_inputs[0].fuzzy_set: 'missing_fs' not found in fuzzy_sets"],
    ["broken.yaml:28:18 error nn_inputs[0].timeframes[0]: Invalid timeframe '4h'. Available timeframes: 1h"],
    ['broken.yaml:29:5 error nn_inputs[1]: Specify either fuzzy_set or raw_indicator, not both'],
    ["broken.yaml:33:17 error model.architecture.activation: must be one of relu | tanh | sigmoid | leaky_relu (got 'rellu') (did you mean 'relu'?)"],
    ['broken.yaml:35:15 error training.data_split: train + validation + test must sum to 1 (got 1.1)'],
    ["broken.yaml:13:5 warning indicators.rsi_14.perod: 'perod' is not a parameter of rsi and is ignored (did you mean 'period'?)"],
    ["broken.yaml:16:1 warning fuzy_sets: unknown key 'fuzy_sets' is ignored (did you mean 'fuzzy_sets'?)"],
  ])('%s', (expected) => {
    expect(lines.some((l) => l.startsWith(expected))).toBe(true);
  });

  it('sorts errors before warnings, each group by line', () => {
    const sev = r.issues.map((i) => i.severity);
    expect(sev.indexOf('warning')).toBeGreaterThan(sev.lastIndexOf('error'));
    const errLines = r.issues.filter((i) => i.severity === 'error').map((i) => i.line ?? 0);
    expect([...errLines].sort((a, b) => a - b)).toEqual(errLines);
  });
});

describe('parseStrategy: more checks', () => {
  it('a missing required section is an error that points at a likely misspelling', () => {
    const r = parse(MINIMAL.replace('nn_inputs:', 'nn_input:'));
    const missing = find(r.issues, 'nn_inputs', 'error')[0];
    expect(missing.message).toBe('is required');
    expect(missing.suggestion).toMatch(/nn_input/);
  });

  it('YAML syntax errors carry their position', () => {
    const r = parse('name: x\nindicators:\n  rsi: [1, 2\n');
    expect(r.valid).toBe(false);
    expect(r.issues[0]).toMatchObject({ severity: 'error', category: 'yaml' });
    expect(r.issues[0].line).toBeGreaterThanOrEqual(3);
  });

  it('a duplicated key is an error at its second occurrence', () => {
    const r = parse(MINIMAL.replace('    period: 14\n', '    period: 14\n    period: 21\n'));
    expect(r.valid).toBe(false);
    expect(r.issues[0]).toMatchObject({ severity: 'error', category: 'yaml', line: 7 });
    expect(r.issues[0].message).toMatch(/unique/);
  });

  it('an empty file and a non-mapping are errors, not crashes', () => {
    expect(parse('').issues[0].message).toMatch(/empty/);
    expect(parse('- a\n- b\n').issues[0].message).toMatch(/mapping/);
  });

  it('dot notation: a valid output resolves, a wrong one lists the valid outputs', () => {
    const ok = parse(`${MINIMAL}`.replace('  rsi_14:\n    type: rsi\n    period: 14\n', '  rsi_14:\n    type: rsi\n    period: 14\n  macd:\n    type: macd\n').replace('nn_inputs:\n', 'nn_inputs:\n  - raw_indicator: macd.histogram\n    normalization: zscore\n  - raw_indicator: macd.hist\n'));
    const bad = find(ok.issues, 'nn_inputs[1].raw_indicator', 'error')[0];
    expect(bad.message).toBe("Invalid output 'hist' for macd indicator 'macd'. Valid outputs: line, signal, histogram");
    expect(bad.suggestion).toBe("did you mean 'histogram'?");
  });

  it('base_timeframe must be listed and be the shortest; multi_timeframe needs 2', () => {
    const r = parse(MINIMAL.replace('timeframes: {mode: single, timeframe: "1h"}', 'timeframes: {mode: multi_timeframe, list: [1h, 4h], base_timeframe: 4h}'));
    expect(find(r.issues, 'training_data.timeframes.base_timeframe', 'error')[0].message).toMatch(/shortest/);
    const r2 = parse(MINIMAL.replace('timeframes: {mode: single, timeframe: "1h"}', 'timeframes: {mode: multi_timeframe, list: [1h]}'));
    expect(find(r2.issues, 'training_data.timeframes.list', 'error')[0].message).toMatch(/at least 2/);
  });

  it('labels: unsupported source is an error; keys of other sources are warnings', () => {
    const r = parse(`${MINIMAL}training:\n  labels:\n    source: regime\n`);
    expect(find(r.issues, 'training.labels.source', 'error').length).toBeGreaterThan(0);
    const r2 = parse(`${MINIMAL}training:\n  labels:\n    source: triple_barrier\n    zigzag_threshold: 0.05\n    max_holding_period: 10\n`);
    expect(r2.valid).toBe(true);
    expect(find(r2.issues, 'training.labels.zigzag_threshold', 'warning').length).toBe(1);
    expect(r2.strategy!.training.labels).toEqual({ source: 'triple_barrier', pt_multiplier: 2, sl_multiplier: 1.5, max_holding_period: 10, vol_span: 50, vol_method: 'atr' });
  });

  it('early_stopping is honoured when present', () => {
    const r = parse(`${MINIMAL}training:\n  early_stopping: {patience: 3}\n`);
    expect(r.strategy!.training.early_stopping).toEqual({ enabled: true, patience: 3, min_delta: 0.001, monitor: 'val_loss' });
  });

  it('the same input listed twice would duplicate feature columns: error', () => {
    const r = parse(MINIMAL.replace('nn_inputs:\n', 'nn_inputs:\n  - fuzzy_set: rsi_momentum\n'));
    expect(r.issues.some((i) => i.severity === 'error' && /already an input/.test(i.message))).toBe(true);
  });

  it('retargets timeframes from a request: "all" follows, explicit lists must fit', () => {
    const s = parse(MINIMAL.replace('timeframes: ["1h"]', 'timeframes: all')).strategy!;
    const r = retargetStrategy(s, { timeframes: ['5m'], symbols: ['GBPUSD'] });
    expect(r.problems).toEqual([]);
    expect(r.strategy.nn_inputs[0].timeframes).toEqual(['5m']);
    expect(r.strategy.training_data.timeframes.base_timeframe).toBe('5m');
    const s2 = parse(MINIMAL).strategy!;
    expect(retargetStrategy(s2, { timeframes: ['1d'] }).problems[0]).toMatch(/needs timeframe\(s\) 1h/);
  });
});

describe('suggestions', () => {
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('fuzzy_sets', 'fuzy_sets')).toBe(1);
    expect(editDistance('period', 'perido')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });
  it('closest matches are ranked and unrelated words are not suggested', () => {
    expect(closestMatches('rsl', ['rsi', 'sma', 'macd'])).toEqual(['rsi']);
    expect(closestMatches('bollinger', ['bbands', 'bollingerbands', 'sma'])).toEqual(['bollingerbands']);
    expect(closestMatches('zzzzzz', ['rsi', 'sma'])).toEqual([]);
  });
});
