// Reading experiment results for display (CLI, renderer, MCP): through the one reader entry point
// (parseOperationResult), numbers through the presenter, one set of rows for comparing a walk-forward
// with a sweep (issue 27, Experiments view). Results are made by the kinds' own code.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMetric } from '../../../src/shared/metrics-catalog';
import { parseOperationResult, RESULT_CONTRACTS, ResultContractError, ResultVersionError, type SweepResult, type WalkForwardResult } from '../../../src/shared/results';
import { compareFacts, groupWarnings, isoDay, parseExperimentResults, showParam } from '../../../src/shared/results/experiment-read';
import { presentExperimentComparison, HEADLINE_KEYS } from '../../../src/shared/results/present-experiments';
import { fixtures, sweepFrom, walkForwardFrom } from '../../helpers/experiments';

let walkForward: WalkForwardResult;
let sweep: SweepResult;
const homes: string[] = [];
beforeAll(async () => {
  const f = await fixtures();
  const wf = walkForwardFrom(f);
  const sw = sweepFrom(f);
  walkForward = wf.result;
  sweep = sw.result;
  homes.push(wf.experiment.home, sw.experiment.home);
}, 60_000);
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const op = (type: string) => ({ operation_type: type, status: 'completed', metadata: { strategy_name: 's', symbol: 'EURUSD', timeframe: '1d', start_date: '2020-01-01', end_date: '2022-12-31' } });

describe('one reader entry point for every operation type', () => {
  it('walk_forward and sweep are in the result contract (version 2) and parse through parseOperationResult', () => {
    expect(RESULT_CONTRACTS.walk_forward.version).toBe(2);
    expect(RESULT_CONTRACTS.sweep.version).toBe(2);
    expect(parseOperationResult('walk_forward', json(walkForward))).toEqual({ type: 'walk_forward', result: walkForward });
    expect(parseOperationResult('sweep', json(sweep))).toEqual({ type: 'sweep', result: sweep });
  });

  it('parseExperimentResults is a thin wrapper: the parsed result, nothing yet, or why it cannot be shown — never a guess', () => {
    expect(parseExperimentResults('walk_forward', json(walkForward)).kind).toBe('walk_forward');
    expect(parseExperimentResults('sweep', json(sweep)).kind).toBe('sweep');
    expect(parseExperimentResults('sweep', null).kind).toBe('none');
    expect(parseExperimentResults('backtesting', json(sweep))).toEqual({ kind: 'unreadable', message: 'A backtesting operation is not an experiment' });
    expect(parseExperimentResults('sweep', { kind: 'sweep', trials: [] })).toEqual({
      kind: 'unreadable',
      message: 'These sweep results were written by an older version (no schema_version) and cannot be read by this one: rerun it to see them here',
    });
    const renamed = json(walkForward) as unknown as { stitched_metrics: Record<string, unknown> };
    renamed.stitched_metrics.sharpe = renamed.stitched_metrics.sharpe_ratio;
    delete renamed.stitched_metrics.sharpe_ratio;
    expect(parseExperimentResults('walk_forward', renamed)).toEqual({ kind: 'unreadable', message: expect.stringMatching(/stitched_metrics\.sharpe_ratio/) });
  });

  it('results of version 1 (before the experiments shared the child contracts) are refused with that said', () => {
    const v1 = { ...json(sweep), schema_version: 1 };
    let err: unknown;
    try {
      parseOperationResult('sweep', v1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResultVersionError);
    expect(err).toBeInstanceOf(ResultContractError); // the server answers it as a contract mismatch (500 naming it)
    expect((err as Error).message).toBe('These sweep results were written by an older version (schema_version 1) and cannot be read by this one: rerun it to see them here');
    expect(() => parseOperationResult('walk_forward', { ...json(walkForward), schema_version: 3 })).toThrow(/written by a newer version \(schema_version 3; this one reads 2\)/);
  });

  it('a fold whose block is null must say why (the producer cannot write a bare null)', () => {
    const bare = json(walkForward);
    bare.folds[0].oos_metrics = null;
    expect(() => RESULT_CONTRACTS.walk_forward.validate(bare)).toThrow(/folds\.0\.oos_metrics: oos_metrics is null without a reason/);
  });

  it('the child summaries are picks of the child contracts: an undeclared field in them is refused by the producer', () => {
    const extra = json(sweep) as unknown as { trials: { selection_metrics: Record<string, unknown> }[] };
    extra.trials[0].selection_metrics.sharpe = 1;
    expect(() => RESULT_CONTRACTS.sweep.validate(extra)).toThrow(/trials\[0\]\.selection_metrics\.sharpe: not declared in the schema/);
  });
});

describe('side by side', () => {
  it('a walk-forward and a sweep compare on the same descriptive rows', () => {
    const a = compareFacts(op('walk_forward'), parseExperimentResults('walk_forward', walkForward));
    const b = compareFacts(op('sweep'), parseExperimentResults('sweep', sweep));
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(a['Out-of-sample window']).toBe(`3 stitched folds, ${isoDay(walkForward.folds[0].test_start)} → ${isoDay(walkForward.folds[2].test_end)}`);
    expect(b['Out-of-sample window']).toBe('final holdout (trial 1), 2022-06-01 → 2022-12-30');
    expect(a['Cost model']).toBe('fx:EURUSD');
  });

  it('and on the same catalogue rows for their numbers: the presenter’s text, a reason where a row does not apply', () => {
    const s = presentExperimentComparison([
      { name: 'A', typed: { type: 'walk_forward', result: walkForward } },
      { name: 'B', typed: { type: 'sweep', result: sweep } },
      { name: 'C', typed: null, missing: 'These sweep results were written by an older version' },
    ]);
    expect(s.columns).toEqual(['A', 'B', 'C']);
    expect(s.rows.map((r) => r.key)).toEqual([...HEADLINE_KEYS]);
    const row = (k: string) => s.rows.find((r) => r.key === k)!;
    expect(row('total_return_pct').label).toBe('Total return %');
    expect(row('total_return_pct').cells.map((c) => c.text)).toEqual([formatMetric('total_return_pct', walkForward.stitched_metrics!.total_return), formatMetric('total_return_pct', sweep.final!.backtest!.metrics.total_return_pct), '—']);
    expect(row('total_trades').cells[0].value).toBe(walkForward.folds.reduce((a, f) => a + f.oos_metrics!.total_trades, 0));
    expect(row('deflated_sharpe_ratio').cells[0]).toMatchObject({ text: '—', reason: expect.stringMatching(/^n\/a: a walk-forward trains one model per fold/) });
    expect(row('deflated_sharpe_ratio').cells[1].text).toMatch(/^\d+\.\d\d%$/); // a probability, in the catalogue's unit
    expect(row('pbo').cells[1]).toMatchObject({ text: '—', reason: 'PBO needs at least 8 trials with a selection backtest (have 3)' });
    expect(row('profitable_fold_share').cells[1].reason).toMatch(/^n\/a: a sweep has no folds/);
    expect(row('trading_costs').cells[0].text).toBe(formatMetric('trading_costs', walkForward.costs_total!.commission + walkForward.costs_total!.spread_cost + walkForward.costs_total!.slippage_cost, { currency: 'USD' }));
    for (const c of s.rows.flatMap((r) => r.cells)) {
      if (c.text === '—') expect(c.reason, c.path).toBeTruthy();
      expect(c.text).not.toMatch(/\d\.\d{6,}|\de[+-]\d|NaN|999999/);
    }
    expect(row('total_return_pct').cells[2].reason).toBe('These sweep results were written by an older version');
  });
});

describe('text around the numbers', () => {
  it('parameters and dates as the app writes them', () => {
    expect(showParam(0.002797313135871919)).toBe('0.002797');
    expect(showParam(14)).toBe('14');
    expect(showParam([64, 32])).toBe('[64,32]');
    expect(isoDay('2010-01-03T22:00:00.000Z')).toBe('2010-01-03 22:00');
    expect(isoDay('2010-01-04T00:00:00.000Z')).toBe('2010-01-04');
  });

  it('groups the same warning from several folds or trials into one line', () => {
    expect(groupWarnings(['Trial 3: X', 'Trial 1: X', 'Fold 2: Y', 'plain', 'Trial 2: Z', 'Trial 7: X'])).toEqual(['Trials 1, 3, 7: X', 'Fold 2: Y', 'plain', 'Trial 2: Z']);
  });
});
