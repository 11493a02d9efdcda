import { describe, expect, it } from 'vitest';
import { inSampleNotice } from '../../../src/renderer/src/lib/backtest-evaluation';

const base = { equity_curve_length: 1000, allow_in_sample: false, null_reasons: {}, model_data_range: { start: '2007-01-01T00:00:00Z', end: '2014-12-31T23:00:00Z' } };

describe('backtest in-sample notice in the UI', () => {
  it('an in-sample backtest gets a banner unless acknowledged; out of sample gets nothing; unknown says so', () => {
    const r = { ...base, out_of_sample: false, in_sample_bars: 250 };
    expect(inSampleNotice(r)).toEqual({ level: 'banner', text: "250 of 1000 bars lie inside the model's training data (2007-01-01 .. 2014-12-31): these results are not out of sample." });
    expect(inSampleNotice({ ...r, allow_in_sample: true })?.level).toBe('note');
    expect(inSampleNotice({ ...base, out_of_sample: true, in_sample_bars: 0 })).toBeNull();
    expect(inSampleNotice({ ...base, out_of_sample: null, in_sample_bars: null, model_data_range: null, null_reasons: { out_of_sample: 'no range recorded' } })).toEqual({ level: 'note', text: 'In-sample check unknown: no range recorded.' });
    expect(inSampleNotice(null)).toBeNull();
  });
});
