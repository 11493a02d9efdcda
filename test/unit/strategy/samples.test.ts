// Every bundled strategy validates against the real indicator library; KTRDR's own files parse too.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureNames } from '../../../src/core/features/resolver';
import { formatIssue, parseStrategy } from '../../../src/core/strategy';

const DIR = join(__dirname, '../../../strategies');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const load = (path: string) => parseStrategy(readFileSync(path, 'utf8'), { sourceName: path });

describe('bundled strategies', () => {
  it('include the names the seed scenarios use', () => {
    for (const name of ['test_e2e_local_pull', 'neuro_mean_reversion', 'minimal', 'multi_timeframe', 'raw_inputs', 'test_e2e'])
      expect(files).toContain(`${name}.yaml`);
  });

  it.each(files)('%s is valid; only the legacy file has warnings', (file) => {
    const r = load(join(DIR, file));
    const errors = r.issues.filter((i) => i.severity === 'error').map((i) => formatIssue(i, file));
    expect(errors).toEqual([]);
    expect(r.valid).toBe(true);
    const warnings = r.issues.filter((i) => i.severity === 'warning');
    if (file === 'test_e2e.yaml') expect(warnings.some((w) => w.category === 'migration')).toBe(true);
    else expect(warnings.map((i) => formatIssue(i, file))).toEqual([]);
    // file name = strategy name, so models land under the name the API uses
    if (file !== 'test_e2e.yaml') expect(r.strategy!.name).toBe(file.replace(/\.yaml$/, ''));
  });

  it('resolve to the expected features', () => {
    expect(featureNames(load(join(DIR, 'minimal.yaml')).strategy!)).toEqual(['1h_rsi_momentum_oversold', '1h_rsi_momentum_overbought']);
    const mtf = featureNames(load(join(DIR, 'multi_timeframe.yaml')).strategy!);
    expect(mtf.length).toBe(3 * 3 + 2 * 2);
    expect(mtf.slice(9)).toEqual(['1h_macd_momentum_negative', '1h_macd_momentum_positive', '4h_macd_momentum_negative', '4h_macd_momentum_positive']);
    expect(featureNames(load(join(DIR, 'raw_inputs.yaml')).strategy!).slice(2)).toEqual(['1h_rsi_14_raw', '1h_macd_12_26_9.histogram_raw', '1h_sma_50_raw']);
    const e2e = load(join(DIR, 'test_e2e_local_pull.yaml')).strategy!;
    expect(e2e.training.epochs).toBeLessThanOrEqual(20);
    expect(e2e.model.architecture.hidden_layers.length).toBeGreaterThanOrEqual(2);
  });
});

describe("KTRDR's shipped examples (verbatim) against the real library", () => {
  it('trend_tb_signal_v1: dot notation resolves; macd {fast, slow, signal} are flagged as ignored with the right names', () => {
    const r = load(join(__dirname, 'fixtures/ktrdr_trend_tb_signal_v1.yaml'));
    expect(r.valid).toBe(true);
    const fast = r.issues.find((i) => i.path === 'indicators.macd_12_26_9.fast')!;
    expect(fast).toMatchObject({ severity: 'warning', line: 43, suggestion: "did you mean 'fast_period'?" });
    expect(featureNames(r.strategy!).slice(0, 4)).toEqual(['1h_rsi_zone_oversold', '1h_rsi_zone_overbought', '1h_adx_strength_weak', '1h_adx_strength_strong']);
    expect(r.strategy!.fuzzy_sets.adx_direction).toMatchObject({ indicator_id: 'adx_14', output: 'plus_di' });
    expect(r.strategy!.training.labels).toMatchObject({ source: 'triple_barrier', max_holding_period: 50 });
    expect(r.strategy!.training.early_stopping).toMatchObject({ enabled: true, patience: 15 });
  });

  it('neuro_mean_reversion resolves 9 features over 1h, 4h, 1d', () => {
    const r = load(join(__dirname, 'fixtures/ktrdr_neuro_mean_reversion_v3.yaml'));
    const names = featureNames(r.strategy!);
    expect(names).toHaveLength(9);
    expect(names[0]).toBe('1h_rsi_14_oversold');
    expect(names[8]).toBe('1d_rsi_14_overbought');
  });
});
