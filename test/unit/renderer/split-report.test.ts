import { describe, expect, it } from 'vitest';
import { baselineTone, emptyCause, ratiosFromModel, readSplits } from '../../../src/renderer/src/lib/split-report';

describe('training splits in the Training view', () => {
  it('reads the older summary: sizes, shares, label counts; an empty validation split gets its cause', () => {
    const v = readSplits({
      samples: { train: 700, validation: 0, test: 300 },
      embargo_rows: 20,
      label_distribution: { train: { BUY: 300, HOLD: 100, SELL: 300 }, validation: { BUY: 0, HOLD: 0, SELL: 0 }, test: { BUY: 100, HOLD: 100, SELL: 100 } },
    })!;
    expect(v.rows.map((r) => [r.split, r.rows, r.share])).toEqual([
      ['train', 700, 0.7],
      ['validation', 0, 0],
      ['test', 300, 0.3],
    ]);
    expect(v.classes).toEqual(['BUY', 'HOLD', 'SELL']);
    expect(v.rows[0].labels).toEqual({ BUY: 300, HOLD: 100, SELL: 300 });
    expect(v.rows[0].embargoed).toBeNull();
    expect(v.lookahead).toBe(20);
    expect(v.notes).toEqual([{ split: 'validation', text: expect.stringMatching(/^The validation split is empty: its share of the 1,000 usable rows is used up by the embargo — each label looks up to 20 bars ahead/) }]);
  });

  it('reads the split report (rows, embargoed rows, label counts) and shows its own warnings instead of a guess', () => {
    const v = readSplits({
      splits: {
        method: 'time',
        ratios: { train: 0.7, validation: 0.15, test: 0.15 },
        boundaries: { validation_start: '2020-01-01T00:00:00Z', test_start: '2020-03-01T00:00:00Z' },
        rows: { train: 690, validation: 40, test: 150 },
        embargoed: { train: 7, validation: 3 },
        max_label_lookahead: 12,
        label_counts: { train: { BUY: 200, HOLD: 290, SELL: 200 }, validation: { BUY: 40 }, test: { BUY: 50, HOLD: 50, SELL: 50 } },
        per_symbol: null,
        warnings: [{ split: 'validation', kind: 'tiny', rows: 40, message: 'The validation split has 40 rows (< 100) …' }],
      },
    })!;
    expect(v.rows.map((r) => [r.split, r.rows, r.embargoed])).toEqual([
      ['train', 690, 7],
      ['validation', 40, 3],
      ['test', 150, 0],
    ]);
    expect(v.ratios).toEqual({ train: 0.7, validation: 0.15, test: 0.15 });
    expect(v.notes).toEqual([{ split: 'validation', text: 'The validation split has 40 rows (< 100) …' }]);
    expect(readSplits({})).toBeNull();
    expect(readSplits(null)).toBeNull();
  });

  it('takes the shares from the model when the results lack them: a 0 % validation share is the cause, not the embargo', () => {
    const ratios = ratiosFromModel({ model: { settings: { data_split: { train: 0.8, validation: 0, test: 0.2 } } } });
    expect(ratios).toEqual({ train: 0.8, validation: 0, test: 0.2 });
    const v = readSplits({ samples: { train: 800, validation: 0, test: 200 }, embargo_rows: 20 }, ratios)!;
    expect(v.notes).toEqual([{ split: 'validation', text: 'The validation split is empty because training.data_split.validation is 0.' }]);
    expect(ratiosFromModel({ model: { settings: null } })).toBeNull();
  });

  it('says an empty split asked for 0 % as such, and names the share when it is known', () => {
    expect(emptyCause('test', 500, 10, 0)).toBe('The test split is empty because training.data_split.test is 0.');
    expect(emptyCause('validation', 500, 10, 0.15)).toMatch(/^The validation split is empty: its 15 % share of 500 usable rows \(≈ 75\) is used up by the embargo/);
    expect(emptyCause('validation', 500, 0, null)).toMatch(/holds no usable row/);
  });

  it('colours the baseline box green only when every split beats the constant; red when one does worse', () => {
    const beats = { beats: true, worse: false };
    const worse = { beats: false, worse: true };
    const notSig = { beats: false, worse: false };
    expect(baselineTone([beats, beats])).toBe('good');
    // The case: the test split beats it (beats_baseline true) while validation loses to the constant.
    expect(baselineTone([worse, beats])).toBe('bad');
    expect(baselineTone([notSig, beats])).toBe('warn');
    expect(baselineTone([])).toBe('warn');
  });
});
