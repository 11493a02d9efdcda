// The result contract (src/shared/results): each producer validates what it writes, each reader
// parses with the same schema, a renamed or undeclared field fails by name, older results are
// upgraded, and KTRDR's placeholders appear only in the one adapter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../src/infra/models/registry';
import { extractTraining } from '../../../src/main/experiments/child-requests';
import { METRICS } from '../../../src/shared/metrics-catalog';
import {
  backtestMetricsSchema,
  backtestResultSchema,
  costBreakdownSchema,
  holdBenchmarkSchema,
  ktrdrBacktestResult,
  operationInfoSchema,
  parseBacktestResult,
  parseOperationResult,
  parsePortfolioResult,
  parseTrainingResult,
  portfolioLegSchema,
  portfolioHoldSchema,
  portfolioResultSchema,
  RESULT_CONTRACTS,
  resultInForm,
  ResultContractError,
  significanceSchema,
  testMetricsSchema,
  trainingMetricsSchema,
  validateBacktestResult,
  validatePortfolioResult,
  validateTrainingResult,
} from '../../../src/shared/results';
import { presentPortfolio } from '../../../src/shared/results/present';
import { producePortfolio, type ProducedPortfolio } from '../../helpers/portfolio-results';
import { emptyProgress, type OperationInfo } from '../../../src/shared/operations';
import { trainingResultOf } from '../../../src/worker/jobs/training';
import { selectBackend } from '../../../src/worker/training/backend';
import { runTrainingPipeline } from '../../../src/worker/training/pipeline';
import { produceBacktest, trainingResultFixture, type ProducedBacktest } from '../../helpers/results';
import { syntheticMatrix } from '../training/helpers';

let bt: ProducedBacktest;
let flat: ProducedBacktest;
let pf: ProducedPortfolio;
const home = mkdtempSync(join(tmpdir(), 'ktrdr-contract-'));
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(pf.home, { recursive: true, force: true });
});
beforeAll(async () => {
  bt = await produceBacktest();
  flat = await produceBacktest({ trades: false });
  pf = await producePortfolio();
});

const clone = <T>(v: T): T => structuredClone(v);

describe('producers validate what they write', () => {
  it('the backtest worker writes a result that parses, with a version and no undeclared field', () => {
    expect(bt.result.schema_version).toBe(RESULT_CONTRACTS.backtesting.version);
    expect(backtestResultSchema.safeParse(bt.result).success).toBe(true);
    expect(validateBacktestResult(clone(bt.result))).toEqual(bt.result);
    expect(bt.result.trade_count).toBeGreaterThan(3);
  });

  it('the training job turns the pipeline’s results into a valid training result (real pipeline run)', async () => {
    const backend = await selectBackend({ force: 'cpu' });
    const m = syntheticMatrix(260, 4, 3, 0.2);
    const labels = Int8Array.from(m.labels);
    const time = Float64Array.from({ length: 260 }, (_, i) => Date.UTC(2020, 0, 1) + i * 86_400_000);
    const { results } = await runTrainingPipeline(
      ModelRegistry.forHome(home),
      {
        strategyName: 'contract',
        strategyYaml: 'name: contract\n',
        symbols: ['AAA'],
        timeframes: ['1d'],
        startDate: '2020-01-01',
        endDate: '2020-12-31',
        featureNames: ['1d_a', '1d_b', '1d_c', '1d_d'],
        model: { type: 'mlp', architecture: { hidden_layers: [8], dropout: 0 } },
        training: { epochs: 3, batch_size: 32, learning_rate: 0.01, seed: 1, labels: { source: 'zigzag' } },
        horizon: 2,
        dataHash: 'h',
        data: [{ symbol: 'AAA', rows: 260, values: m.values, labels, time }],
      },
      backend,
    );
    const r = trainingResultOf(results);
    expect(r.schema_version).toBe(1);
    expect(r.training_metrics.epochs_trained).toBe(3);
    expect(parseTrainingResult(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });

  it('a NaN, a missing field or an undefined value without its reason fails, naming the field', () => {
    const nan = clone(bt.result);
    nan.metrics.sharpe_ratio = Number.NaN;
    expect(() => validateBacktestResult(nan)).toThrow(/metrics\.sharpe_ratio/);
    const bare = clone(bt.result);
    bare.metrics.profit_factor = null;
    bare.metrics.null_reasons = {};
    expect(() => validateBacktestResult(bare)).toThrow(/metrics\.profit_factor: profit_factor is null without a reason/);
    const train = clone(trainingResultFixture()) as Record<string, unknown>;
    delete train.beats_baseline;
    expect(() => validateTrainingResult(train)).toThrow(/beats_baseline/);
  });
});

describe('a renamed result field fails the contract test (the type check fails too: type-rename.test.ts)', () => {
  it('backtest: metrics.sharpe_ratio renamed to metrics.sharpe', () => {
    const r = clone(bt.result) as unknown as { metrics: Record<string, unknown> };
    r.metrics.sharpe = r.metrics.sharpe_ratio;
    delete r.metrics.sharpe_ratio;
    let err: unknown;
    try {
      validateBacktestResult(r);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResultContractError);
    expect((err as ResultContractError).problems.join('\n')).toMatch(/metrics\.sharpe_ratio/);
    // Readers refuse it too: the renderer would otherwise show a blank.
    expect(() => parseBacktestResult(r)).toThrow(/metrics\.sharpe_ratio/);
  });

  it('backtest: a field the schema does not declare is refused by the producer (it would vanish for readers)', () => {
    const r = { ...clone(bt.result), trades_count: 3 };
    expect(() => validateBacktestResult(r)).toThrow(/trades_count: not declared in the schema/);
  });

  it('training: beats_baseline renamed (how it vanished from experiments) fails', () => {
    const r = clone(trainingResultFixture()) as unknown as Record<string, unknown>;
    r.baseline = { ...(r.baseline as object), beats_baseline: r.beats_baseline };
    delete r.beats_baseline;
    expect(() => validateTrainingResult(r)).toThrow(/beats_baseline/);
  });
});

describe('readers', () => {
  it('experiments keep beats_baseline of a training child (it was always null: read from the wrong place)', () => {
    expect(extractTraining(trainingResultFixture()).beats_baseline).toBe(false);
    expect(extractTraining(trainingResultFixture({ beats_baseline: true })).beats_baseline).toBe(true);
    expect(extractTraining(trainingResultFixture({ beats_baseline: null, null_reasons: { beats_baseline: 'no test split' } })).beats_baseline).toBeNull();
  });

  it('refuse a version they do not know', () => {
    expect(() => parseBacktestResult({ ...bt.result, schema_version: 2 })).toThrow(/schema_version/);
  });

  it('parse a result of either kind by the operation type; types without a contract pass as null', () => {
    expect(parseOperationResult('backtesting', bt.result)?.type).toBe('backtesting');
    expect(parseOperationResult('training', trainingResultFixture())?.type).toBe('training');
    expect(parseOperationResult('data_load', { bars_loaded: 3 })).toBeNull();
  });

  it('upgrade a result written before the contract: KTRDR placeholders become null with reasons', () => {
    const legacy = clone(bt.result) as unknown as Record<string, any>;
    delete legacy.schema_version;
    delete legacy.null_reasons;
    legacy.metrics = { ...legacy.metrics, profit_factor: 999_999, losing_trades: 0, avg_loss: 0, largest_loss: 0, avg_loss_holding_period: 0, avg_holding_period: 12, null_reasons: undefined };
    delete legacy.metrics.avg_holding_period_hours;
    legacy.benchmark = { kind: 'buy_and_hold', total_return_pct: 0.01 };
    delete legacy.significance;
    const r = parseBacktestResult(legacy);
    expect(r.metrics.profit_factor).toBeNull();
    expect(r.metrics.null_reasons.profit_factor).toBe('no losing trade: unbounded');
    expect(r.metrics.avg_loss).toBeNull();
    expect(r.metrics.avg_holding_period_hours).toBe(12);
    expect(r.benchmark).toBeNull();
    expect(r.null_reasons.benchmark).toMatch(/not recorded/);
    expect(r.significance).toBeNull();
  });

  it('the operation envelope schema reads what the service serves', () => {
    const info: OperationInfo = {
      operation_id: 'op_x',
      operation_type: 'backtesting',
      parent_id: null,
      status: 'completed',
      created_at: '2024-01-01T00:00:00Z',
      started_at: null,
      completed_at: null,
      updated_at: '2024-01-01T00:00:00Z',
      progress: emptyProgress(),
      metadata: { symbol: null, timeframe: null, start_date: null, end_date: null, parameters: {} },
      error_message: null,
      warnings: [],
      errors: [],
      result_summary: bt.result,
      metrics: { count: 0 },
    };
    expect(operationInfoSchema.parse(JSON.parse(JSON.stringify(info))).operation_type).toBe('backtesting');
    expect(() => operationInfoSchema.parse({ ...info, status: 'done' })).toThrow(/status/);
  });
});

describe('KTRDR conventions live in the one adapter', () => {
  it('the contract form keeps null + reason; the KTRDR form has 0 / 999999 for KTRDR’s own keys', () => {
    const noLoss = clone(bt.result);
    noLoss.metrics.profit_factor = null;
    noLoss.metrics.losing_trades = 0;
    noLoss.metrics.null_reasons = { ...noLoss.metrics.null_reasons, profit_factor: 'no losing trade: unbounded' };
    const k = ktrdrBacktestResult(noLoss).metrics as Record<string, unknown>;
    expect(k.profit_factor).toBe(999_999);
    expect(k.avg_holding_period).toBe(noLoss.metrics.avg_holding_period_hours);
    const flatK = resultInForm('backtesting', flat.result, 'ktrdr') as { metrics: Record<string, unknown>; significance: unknown };
    for (const key of ['sharpe_ratio', 'win_rate', 'profit_factor', 'avg_win', 'calmar_ratio']) expect(flatK.metrics[key], key).toBe(0);
    expect(flatK.significance).toBeNull(); // not a KTRDR field: unchanged
    const flatC = resultInForm('backtesting', flat.result, 'contract') as typeof flat.result;
    expect(flatC.metrics.sharpe_ratio).toBeNull();
    expect(flatC.metrics.null_reasons.sharpe_ratio).toBe('no trades');
  });

  it('no value stored by the worker is a KTRDR placeholder', () => {
    const numbers: number[] = [];
    JSON.stringify(flat.result, (_k, v: unknown) => (typeof v === 'number' && numbers.push(v), v));
    expect(numbers.some((v) => Math.abs(v) === 999_999)).toBe(false);
  });
});

describe('the portfolio variant of the backtest contract', () => {
  it('the portfolio job writes a result that parses, with a version and no undeclared field', () => {
    expect(pf.result.schema_version).toBe(RESULT_CONTRACTS.portfolio.version);
    expect(portfolioResultSchema.safeParse(pf.result).success).toBe(true);
    expect(validatePortfolioResult(clone(pf.result))).toEqual(pf.result);
    expect(pf.result.legs).toHaveLength(3);
    expect(pf.result.trade_count).toBeGreaterThan(3);
  });

  it('every reader gets it through parseOperationResult as the portfolio variant; a single backtest keeps its type and shape', () => {
    const stored = JSON.parse(JSON.stringify(pf.result)) as unknown;
    expect(parseOperationResult('backtesting', stored)).toEqual({ type: 'portfolio', result: pf.result });
    expect(parseOperationResult('backtesting', bt.result)).toEqual({ type: 'backtesting', result: bt.result });
    expect('kind' in bt.result).toBe(false);
    // A portfolio result is not a single backtest's, nor the other way round.
    expect(() => parseBacktestResult(stored)).toThrow(ResultContractError);
    expect(() => parsePortfolioResult(bt.result)).toThrow(/kind/);
  });

  it('a NaN, an undeclared or renamed field, or a null without its reason fails, naming the path', () => {
    const nan = clone(pf.result);
    nan.legs[0].contribution = Number.NaN;
    expect(() => validatePortfolioResult(nan)).toThrow(/legs\.0\.contribution/);
    const bare = clone(pf.result);
    bare.legs[2].null_reasons = {};
    expect(() => validatePortfolioResult(bare)).toThrow(/legs\.2\.win_rate: win_rate is null without a reason/);
    const corr = clone(pf.result);
    corr.correlation.null_reasons = {};
    expect(() => validatePortfolioResult(corr)).toThrow(/correlation\.matrix\.0\.2: correlation EURUSD\/AUDUSD is null without a reason/);
    const extra = clone(pf.result) as unknown as { legs: Record<string, unknown>[] };
    extra.legs[0].pnl = 1;
    expect(() => validatePortfolioResult(extra)).toThrow(/legs\[0\]\.pnl: not declared in the schema/);
    const renamed = clone(pf.result) as unknown as { legs: Record<string, unknown>[] };
    renamed.legs[0].exposure = renamed.legs[0].capital_invested;
    delete renamed.legs[0].capital_invested;
    expect(() => validatePortfolioResult(renamed)).toThrow(/legs\.0\.capital_invested/);
  });

  it('undefined values are null with the reason: the idle leg’s Kelly fraction, win rate and correlations', () => {
    const idle = pf.result.legs[2];
    expect(idle.total_trades).toBe(0);
    expect(idle.kelly_fraction).toBeNull();
    expect(idle.null_reasons.kelly_fraction).toMatch(/no closed trades/);
    expect(idle.win_rate).toBeNull();
    expect(pf.result.correlation.matrix![2]).toEqual([null, null, null]);
  });

  it('the presenter’s leg cells are the values at their paths in the result', () => {
    const legs = presentPortfolio(pf.result).find((x) => x.id === 'legs')!;
    const get = (path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], pf.result);
    for (const r of legs.rows) for (const c of r.cells) expect(c.value, c.path).toEqual(get(c.path) ?? null);
    expect(legs.columns).toEqual(['EURUSD', 'GBPUSD', 'AUDUSD']);
  });

  it('the KTRDR form applies KTRDR’s metric placeholders to a portfolio’s metrics too, and only there', () => {
    const idle = clone(pf.result);
    idle.metrics.sharpe_ratio = null;
    idle.metrics.null_reasons = { ...idle.metrics.null_reasons, sharpe_ratio: 'no trades' };
    const k = resultInForm('backtesting', idle, 'ktrdr') as { kind: string; metrics: Record<string, unknown>; legs: { win_rate: unknown }[] };
    expect(k.kind).toBe('portfolio');
    expect(k.metrics.sharpe_ratio).toBe(0);
    expect(k.legs[2].win_rate).toBeNull(); // not a KTRDR field: unchanged
    expect((resultInForm('backtesting', idle, 'contract') as typeof idle).metrics.sharpe_ratio).toBeNull();
  });
});

describe('the metric catalogue covers every metric a result carries', () => {
  it('each numeric or boolean field of a portfolio leg and its benchmark has a catalogue entry', () => {
    const missing: string[] = [];
    // A leg's time in market is the catalogue's "exposure" (Time in market); a hold's exposure is "capital_invested".
    for (const [name, schema, alias] of [
      ['legs', portfolioLegSchema, { time_in_market: 'exposure' }],
      ['benchmark', portfolioHoldSchema, { exposure: 'capital_invested' }],
    ] as const)
      for (const key of Object.keys(schema.shape)) {
        if (['null_reasons', 'symbol', 'first_bar', 'last_bar', 'clipped', 'costs', 'skipped_entries', 'model_data_range', 'quantities'].includes(key)) continue;
        const k = (alias as Record<string, string>)[key] ?? key;
        if (!METRICS[k]) missing.push(`${name}.${key}`);
      }
    expect(missing).toEqual([]);
  });

  it('each numeric or boolean field of the metric schemas has a catalogue entry (no guessed entry exists)', () => {
    const shapes = {
      metrics: backtestMetricsSchema,
      benchmark: holdBenchmarkSchema,
      costs: costBreakdownSchema,
      significance: significanceSchema,
      training_metrics: trainingMetricsSchema,
      test_metrics: testMetricsSchema,
    };
    const missing: string[] = [];
    for (const [name, schema] of Object.entries(shapes)) {
      for (const key of Object.keys(schema.shape)) {
        if (['null_reasons', 'history', 'per_class', 'confusion_matrix', 'currency', 'model', 'seed', 'quantity'].includes(key)) continue;
        const k = name === 'benchmark' && key === 'exposure' ? 'capital_invested' : key;
        if (!METRICS[k]) missing.push(`${name}.${key}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
