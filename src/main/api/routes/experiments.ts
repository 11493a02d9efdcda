// Experiments: walk-forward validation and parameter sweeps (parent operations whose children are
// ordinary trainings and backtests), plus KTRDR's parent/child paths: GET /operations/{id}/children
// and /retry (POST /operations/{id}/resume is routes/resume.ts, which calls resumeExperiment for
// experiments). Everything checkable is checked before the parent exists.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { gridOrder } from '../../../core/experiments/samplers';
import { checkPaths, parseSpace } from '../../../core/experiments/space';
import { formatWindow, overlappingTestWindows, parseWindow, planWalkForward, windowLength } from '../../../core/experiments/windows';
import { timeframeMs } from '../../../core/timeframes';
import { checkExperimentBacktest, experimentBacktestFields, SWEEP_OBJECTIVES, sweepStartBody, walkForwardStartBody } from '../../../shared/experiment-requests';
import { isParentType, isTerminal } from '../../../shared/operations';
import { costOverrides, instrumentFor } from '../../../core/instruments';
import { checkTrainingData, parseDateBound, parseForTraining } from '../../../infra/models/training-inputs';
import type { AppContext } from '../../context';
import type { ExperimentScheduler } from '../../experiments/scheduler';
import type { SweepPlan } from '../../experiments/sweep';
import type { WalkForwardPlan } from '../../experiments/walk-forward';
import { HttpError, ValidationError } from '../errors';
import { locateStrategy } from './strategy-lookup';

// The shared bodies (REST + MCP), with the cost overrides checked as strictly as POST /backtests/start does.
const backtestBody = experimentBacktestFields.extend({ costs: costOverrides(true).nullish() }).superRefine(checkExperimentBacktest).prefault({});
const walkForwardBody = walkForwardStartBody.extend({ backtest: backtestBody });
const sweepBody = sweepStartBody.extend({ backtest: backtestBody });

const idParams = z.object({ operation_id: z.string().min(1).max(200) });
const iso = (ms: number) => new Date(ms).toISOString();

/** POST /operations/{id}/resume for an experiment (routes/resume.ts dispatches by operation type): finished children are kept, the rest rerun. */
export function resumeExperiment(ctx: AppContext, id: string) {
  const info = scheduler(ctx).resume(id);
  return { success: true, data: { operation_id: id, status: info.status, resumed_from: { checkpoint_type: 'experiment_state', created_at: info.created_at, epoch: null } } };
}

function scheduler(ctx: AppContext): ExperimentScheduler {
  if (!ctx.experiments) throw new HttpError(503, 'Experiments are not available in this server');
  return ctx.experiments;
}

/** Strategy, symbols, timeframes, dates and data: what both experiment kinds check first. */
async function prepare(ctx: AppContext, b: z.infer<typeof walkForwardBody> | z.infer<typeof sweepBody>) {
  const start = parseDateBound(b.start_date, false);
  const end = parseDateBound(b.end_date, true);
  const problems = [];
  if (start === 'invalid' || start === null) problems.push({ field: 'start_date', message: `'${b.start_date}' is not a date (YYYY-MM-DD or ISO 8601)` });
  if (end === 'invalid' || end === null) problems.push({ field: 'end_date', message: `'${b.end_date}' is not a date (YYYY-MM-DD or ISO 8601)` });
  if (problems.length) throw new ValidationError(problems);
  if ((start as number) >= (end as number)) throw new ValidationError([{ field: 'end_date', message: `must be after start_date (${b.start_date})` }]);
  const file = await locateStrategy(ctx, b.strategy_name);
  const parsed = parseForTraining(file.text, b.strategy_name, { symbols: b.symbols ?? undefined, timeframes: b.timeframes ?? undefined }, file.parsed);
  if (!('strategy' in parsed)) throw new HttpError(400, `Strategy ${b.strategy_name} is not valid: ${parsed.errors.join('; ')}`, { errors: parsed.errors });
  const s = parsed.strategy;
  const symbols = s.training_data.symbols.list;
  const timeframes = s.training_data.timeframes.list;
  const base = s.training_data.timeframes.base_timeframe ?? timeframes[0];
  if (!symbols.length) throw new HttpError(400, `No symbols: the request names none and strategy ${b.strategy_name} has no training_data.symbols`);
  const dataProblems = checkTrainingData(ctx.bars, symbols, timeframes, start as number, end as number);
  if (dataProblems.length) throw new HttpError(dataProblems.some((p) => p.status === 404) ? 404 : 400, dataProblems.map((p) => p.message).join('; '));
  const barMs = timeframeMs(base);
  if (barMs === null) throw new ValidationError([{ field: 'timeframes', message: `'${base}' is not a timeframe` }]);
  const legs = b.backtest.portfolio ? portfolioLegs(ctx, b.backtest.portfolio.symbols ?? symbols, base, start as number, end as number) : null;
  const symbol = legs ? legs.join(',') : (b.backtest.symbol ?? symbols[0]);
  if (!legs && !symbols.includes(symbol)) throw new ValidationError([{ field: 'backtest.symbol', message: `must be one of the trained symbols (${symbols.join(', ')})` }]);
  // Windows are planned on the backtested bars: a portfolio's steps are the union of its legs' bar times.
  const times = legs ? unionTimes(legs.map((l) => ctx.bars.load(l, base, { start: start as number, end: end as number }).bars.time)) : ctx.bars.load(symbol, base, { start: start as number, end: end as number }).bars.time;
  return { file, symbols, timeframes, base, symbol, legs, times, barMs, start: start as number, end: end as number };
}

/**
 * The legs of an experiment's portfolio backtests, checked before the experiment exists: data for each
 * over the range at the base timeframe (the error names the symbol), one account currency.
 */
function portfolioLegs(ctx: AppContext, requested: string[], base: string, start: number, end: number): string[] {
  const legs = requested.map((x) => x.toUpperCase());
  const problems = checkTrainingData(ctx.bars, legs, [base], start, end);
  if (problems.length) throw new HttpError(problems.some((p) => p.status === 404) ? 404 : 400, `backtest.portfolio.symbols: ${problems.map((p) => p.message).join('; ')}`);
  const currencies = [...new Set(legs.map((l) => instrumentFor(l).currency))];
  if (currencies.length > 1)
    throw new ValidationError([{ field: 'backtest.portfolio.symbols', message: `the legs are quoted in different currencies (${legs.map((l) => `${l}: ${instrumentFor(l).currency}`).join(', ')}); one cash account needs one currency` }]);
  return legs;
}

/** The request's backtest section as its children use it: a portfolio's legs resolved (the trained symbols by default). */
function backtestSection(bt: z.infer<typeof backtestBody>, p: { legs: string[] | null }) {
  return bt.portfolio && p.legs ? { ...bt, portfolio: { ...bt.portfolio, symbols: p.legs } } : bt;
}

/** Sorted distinct times of several series. */
function unionTimes(series: Float64Array[]): Float64Array {
  return Float64Array.from(new Set(series.flatMap((t) => Array.from(t)))).sort();
}

const modelName = (strategy: string, tag: string) => `${strategy.replace(/[^A-Za-z0-9_-]/g, '_')}-${tag}-${randomBytes(4).toString('hex')}`;

/** What both kinds record first in their parameters: the strategy, its data and range, a fresh model name. */
function requestBase(b: { strategy_name: string; start_date: string; end_date: string }, p: Awaited<ReturnType<typeof prepare>>, tag: 'wf' | 'sweep') {
  return {
    strategy_name: b.strategy_name,
    model_name: modelName(b.strategy_name, tag),
    symbols: p.symbols,
    timeframes: p.timeframes,
    base_timeframe: p.base,
    backtest_symbol: p.symbol,
    start_date: b.start_date,
    end_date: b.end_date,
  };
}

export function experimentsRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/experiments/walk-forward/start',
      { schema: { tags: ['experiments'], summary: 'Start a walk-forward validation: per fold, train then backtest the next, later window', body: walkForwardBody } },
      async (req) => {
        const b = req.body;
        const train = parseWindow(b.train_window);
        const test = parseWindow(b.test_window);
        const step = b.step === null || b.step === undefined ? null : parseWindow(b.step);
        const bad = [];
        const hint = 'a duration ("3y", "6M", "30d", "2w", "12h") or a bar count (500 or "500b")';
        if (!train) bad.push({ field: 'train_window', message: `must be ${hint}` });
        if (!test) bad.push({ field: 'test_window', message: `must be ${hint}` });
        if (b.step !== null && b.step !== undefined && !step) bad.push({ field: 'step', message: `must be ${hint}` });
        if (bad.length) throw new ValidationError(bad);
        // Overlapping test windows would be stitched twice (inflating the stitched Sharpe): refused.
        if (step && test && step.kind === test.kind && windowLength(step) < windowLength(test)) {
          throw new ValidationError([{ field: 'step', message: `${formatWindow(step)} is shorter than test_window (${formatWindow(test)}): test windows would overlap and their bars count twice in the stitched equity; use a step of at least ${formatWindow(test)}` }]);
        }
        const p = await prepare(ctx, b);
        const folds = planWalkForward(p.times, p.barMs, { train: train!, test: test!, step, anchored: b.anchored, embargoBars: b.embargo_bars, rangeStart: p.start, rangeEnd: p.end + 1 });
        const overlap = overlappingTestWindows(folds);
        if (overlap) {
          const [a, z] = overlap;
          throw new ValidationError([{ field: 'step', message: `test windows overlap (fold ${a.index + 1} tests until ${iso(a.test_end)}, fold ${z.index + 1} from ${iso(z.test_start)}): the step must be at least the test window` }]);
        }
        if (!folds.length) {
          throw new ValidationError([
            { field: 'train_window', message: `no fold fits: ${p.times.length} ${p.symbol} ${p.base} bars between ${b.start_date} and ${b.end_date} cannot hold a ${formatWindow(train!)} training window, ${b.embargo_bars} embargo bars and a ${formatWindow(test!)} test window` },
          ]);
        }
        const s = scheduler(ctx);
        const request = {
          ...requestBase(b, p, 'wf'),
          train_window: b.train_window,
          test_window: b.test_window,
          step: b.step ?? null,
          anchored: b.anchored,
          embargo_bars: b.embargo_bars,
          backtest: backtestSection(b.backtest, p),
          max_parallel: b.max_parallel ?? ctx.operations.maxWorkers,
          folds: folds.length,
        };
        const info = s.start(
          'walk_forward',
          { symbol: p.symbol, timeframe: p.base, start_date: b.start_date, end_date: b.end_date, strategy_name: b.strategy_name, parameters: request },
          request.max_parallel,
          (id) => {
            const plan: WalkForwardPlan = {
              strategy_path: s.writeFile(id, 'strategy.yaml', p.file.text),
              strategy_yaml: p.file.text,
              folds: folds.map((f) => ({
                index: f.index,
                train_start: iso(f.train_start),
                train_end: iso(f.train_end),
                test_start: iso(f.test_start),
                test_end: iso(f.test_end),
                train_bars: f.train.end - f.train.start,
                test_bars: f.test.end - f.test.start,
              })),
            };
            s.slots.record(id, '_plan', null, 'data', plan);
          },
        );
        const data = { operation_id: info.operation_id, status: 'started', folds: folds.length, children_planned: folds.length * (b.backtest.in_sample ? 3 : 2), max_parallel: request.max_parallel };
        return { success: true, data, ...data, message: `Walk-forward of ${b.strategy_name} started: ${folds.length} folds on ${p.symbol} ${p.base}` };
      },
    );

    app.post(
      '/experiments/sweeps/start',
      { schema: { tags: ['experiments'], summary: 'Start a parameter sweep: trials trained on the training window and ranked on the selection window; the chosen one is evaluated once on an untouched final holdout', body: sweepBody } },
      async (req) => {
        const b = req.body;
        const { space, problems } = parseSpace(b.space);
        if (problems.length) throw new ValidationError(problems);
        if (SWEEP_OBJECTIVES[b.objective].source === 'selection' && b.selection === 0) throw new ValidationError([{ field: 'selection', message: `objective ${b.objective} is measured on the selection window: it needs selection > 0` }]);
        let grid: ReturnType<typeof gridOrder> | undefined;
        if (b.sampler === 'grid') {
          try {
            grid = gridOrder(space, b.seed);
          } catch (err) {
            throw new ValidationError([{ field: 'space', message: (err as Error).message }]);
          }
        }
        const p = await prepare(ctx, b);
        const pathProblems = checkPaths(p.file.text, space);
        if (pathProblems.length) throw new ValidationError(pathProblems);
        // Training window → (embargo) → selection window → (embargo) → final holdout, in time order.
        const n = p.times.length;
        const holdoutBars = Math.floor(n * b.holdout);
        const selectionBars = Math.floor(n * b.selection);
        const selectionStart = n - holdoutBars - (holdoutBars ? b.embargo_bars : 0) - selectionBars;
        const trainBars = selectionStart - (selectionBars ? b.embargo_bars : 0);
        if (trainBars < 50) throw new ValidationError([{ field: 'start_date', message: `only ${trainBars} training bars are left after the selection window (${selectionBars}), the final holdout (${holdoutBars}) and the embargo: widen the range` }]);
        if (b.selection > 0 && selectionBars < 10) throw new ValidationError([{ field: 'selection', message: `leaves only ${selectionBars} selection bars: widen the range or raise the share` }]);
        if (b.holdout > 0 && holdoutBars < 10) throw new ValidationError([{ field: 'holdout', message: `leaves only ${holdoutBars} holdout bars: widen the range or raise the share` }]);
        const windowOf = (from: number, bars: number) => ({ start: bars ? iso(p.times[from]) : null, end: bars ? iso(p.times[from + bars - 1]) : null, bars });
        const trials = grid ? Math.min(b.trials, grid.length) : b.trials;
        const warnings = grid && grid.length < b.trials ? [`The grid has ${grid.length} points: running ${grid.length} trials, not ${b.trials}`] : [];
        const s = scheduler(ctx);
        const request = {
          ...requestBase(b, p, 'sweep'),
          space: b.space,
          sampler: b.sampler,
          trials,
          objective: b.objective,
          seed: b.seed,
          holdout: b.holdout,
          selection: b.selection,
          embargo_bars: b.embargo_bars,
          backtest: backtestSection(b.backtest, p),
          max_parallel: b.max_parallel ?? ctx.operations.maxWorkers,
          ...(b.tpe_startup_trials ? { tpe_startup_trials: b.tpe_startup_trials } : {}),
        };
        const info = s.start(
          'sweep',
          { symbol: p.symbol, timeframe: p.base, start_date: b.start_date, end_date: b.end_date, strategy_name: b.strategy_name, parameters: request },
          request.max_parallel,
          (id) => {
            const plan: SweepPlan = {
              strategy_yaml: p.file.text,
              strategy_path: s.writeFile(id, 'strategy.yaml', p.file.text),
              train: windowOf(0, trainBars),
              selection: windowOf(selectionStart, selectionBars),
              holdout: windowOf(n - holdoutBars, holdoutBars),
              ...(grid ? { grid: grid.slice(0, trials) } : {}),
            };
            s.slots.record(id, '_plan', null, 'data', plan);
          },
        );
        const data = { operation_id: info.operation_id, status: 'started', trials, max_parallel: request.max_parallel, warnings };
        return { success: true, data, ...data, message: `Sweep of ${b.strategy_name} started: ${trials} ${b.sampler} trials, objective ${b.objective}` };
      },
    );

    app.get(
      '/experiments',
      {
        schema: {
          tags: ['experiments'],
          summary: 'Walk-forwards and sweeps, newest first',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50), offset: z.coerce.number().int().min(0).default(0) }),
        },
      },
      async (req) => {
        const wf = ctx.operations.list({ operation_type: 'walk_forward', limit: req.query.limit + req.query.offset, offset: 0 });
        const sw = ctx.operations.list({ operation_type: 'sweep', limit: req.query.limit + req.query.offset, offset: 0 });
        const items = [...wf.items, ...sw.items].sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(req.query.offset, req.query.offset + req.query.limit);
        return { success: true, data: items, total_count: wf.total + sw.total };
      },
    );

    app.get(
      '/experiments/:operation_id',
      { schema: { tags: ['experiments'], summary: 'An experiment: the operation, its results so far (live while it runs) and its children', params: idParams } },
      async (req) => {
        const id = req.params.operation_id;
        const op = ctx.operations.get(id);
        if (!isParentType(op.operation_type)) throw new HttpError(404, `Operation ${id} is a ${op.operation_type}, not an experiment`);
        const stored = isTerminal(op.status) ? ctx.operations.results(id).results : null;
        const results = stored && Object.keys(stored).length ? stored : scheduler(ctx).liveResults(id);
        const children = ctx.operations.list({ parent_id: id, limit: 1000, offset: 0 }).items.reverse();
        return { success: true, data: { operation: op, results, children } };
      },
    );

    app.get(
      '/operations/:operation_id/children',
      { schema: { tags: ['operations'], summary: "An operation's children, oldest first (KTRDR's OperationListResponse)", params: idParams } },
      async (req) => {
        const id = req.params.operation_id;
        ctx.operations.get(id); // 404 when unknown
        const { items, total } = ctx.operations.list({ parent_id: id, limit: 1000, offset: 0 });
        const data = items.reverse();
        return { success: true, data, operations: data, total_count: total, active_count: data.filter((c) => c.status === 'pending' || c.status === 'running').length };
      },
    );

    app.post(
      '/operations/:operation_id/retry',
      { schema: { tags: ['operations'], summary: 'Start a new operation with the same parameters as a failed or cancelled one', params: idParams } },
      async (req) => {
        const id = req.params.operation_id;
        const op = ctx.operations.get(id);
        if (op.status !== 'failed' && op.status !== 'cancelled') throw new HttpError(400, `Operation ${id} cannot be retried (status: ${op.status})`);
        const s = scheduler(ctx);
        const fresh = s.retry(id);
        return { success: true, data: fresh, operation_id: fresh.operation_id, retried_from: id };
      },
    );
  };
}
