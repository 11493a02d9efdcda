// Run comparison: rows from the shared presenter (each metric once, significance included), and no
// "better" colouring when a run is in sample or of unknown sampling beside an out-of-sample one.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { better, comparableRows, samplingWarning } from '../../../src/renderer/src/lib/compare';
import { SectionTable } from '../../../src/renderer/src/components/ResultSections';
import type { TypedResult } from '../../../src/shared/results';
import { presentBacktest } from '../../../src/shared/results/present';
import { produceBacktest, trainingResultFixture } from '../../helpers/results';

let oos: TypedResult;
beforeAll(async () => {
  const p = await produceBacktest();
  oos = { type: 'backtesting', result: p.result };
});

describe('run comparison', () => {
  it('compares each metric once, holding time included, and has significance rows', () => {
    const rows = comparableRows(oos);
    const labels = rows.map((r) => r.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.filter((l) => l === 'Average holding time')).toHaveLength(1);
    for (const k of ['p_value_return', 'return_percentile', 'sharpe_ci95']) expect(rows.some((r) => r.key === k), k).toBe(true);
    expect(rows.some((r) => r.key === 'initial_capital')).toBe(false); // settings are compared apart
  });

  it('an in-sample (or unknown) run beside an out-of-sample one: a warning and no winner', () => {
    expect(oos.type === 'backtesting' && oos.result.out_of_sample).toBe(true);
    expect(samplingWarning(oos, oos)).toBeNull();
    const inSample: TypedResult = oos.type === 'backtesting' ? { type: 'backtesting', result: { ...oos.result, out_of_sample: false, in_sample_bars: 10 } } : oos;
    const unknown: TypedResult = oos.type === 'backtesting' ? { type: 'backtesting', result: { ...oos.result, out_of_sample: null, in_sample_bars: null } } : oos;
    expect(samplingWarning(inSample, oos)).toBe('A is in sample: its numbers may flatter it, so no row is marked better.');
    expect(samplingWarning(oos, unknown)).toMatch(/^B is of unknown sampling/);
    expect(samplingWarning({ type: 'training', result: trainingResultFixture() }, { type: 'training', result: trainingResultFixture() })).toBeNull();
  });

  it('better follows the catalogue’s direction', () => {
    expect(better('sharpe_ratio', 1, 2)).toBe('b');
    expect(better('max_drawdown_pct', 0.1, 0.2)).toBe('a');
    expect(better('total_trades', 1, 2)).toBeNull();
    expect(better('sharpe_ratio', null, 2)).toBeNull();
  });
});

describe('result tables: definitions reachable by keyboard and click', () => {
  it('each label is a button that controls its definition; the definition is also the row’s title', () => {
    const s = presentBacktest(oos.type === 'backtesting' ? oos.result : (undefined as never))[0];
    const html = renderToStaticMarkup(createElement(SectionTable, { section: s }));
    const r = s.rows[0];
    expect(html).toMatch(new RegExp(`<th scope="row" title="${r.definition.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/’/g, '’')}[^"]*"><button type="button" class="metric-term" aria-expanded="false" aria-controls="[^"]+"`));
  });
});
