// KTRDR's fuzzy routes (ktrdr/api/endpoints/fuzzy.py) where the capability exists here. KTRDR keeps one
// global fuzzy configuration per indicator; here fuzzy sets belong to strategies, so a request names
// the strategy (or gives the memberships inline) and the set is looked up by its id or its indicator.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lowerBound, upperBound } from '../../../core/backtest/dates';
import { isoUtc } from '../../../core/bars/time';
import { sliceBars, type BarSeries } from '../../../core/bars/types';
import { parseStrictDate } from '../../../core/bars/user-date';
import { evaluateMembership, MEMBERSHIPS, membershipType } from '../../../core/fuzzy';
import { BAR_COLUMNS, findFuzzySet, fuzzySetSeries, matchingFuzzySets, type BarColumn } from '../../../core/fuzzy/series';
import type { MembershipSpec, StrategyConfig } from '../../../core/strategy/types';
import { InvalidSeriesNameError, SeriesNotFoundError } from '../../../infra/bars';
import { missingDataHint } from '../../../shared/data-hints';
import type { AppContext } from '../../context';
import { HttpError, ValidationError, type FieldProblem } from '../errors';
import { NAME_RE } from '../../../shared/api-schemas';

const membershipInput = z.union([z.array(z.number()).min(2).max(4), z.object({ type: z.string().min(1).max(40), parameters: z.array(z.number()).min(2).max(4) })]);

/** Values per request: enough for any chart; bounded so validating a hostile body stays quick. */
const MAX_POINTS = 50_000;

/**
 * Refuses over-long arrays and wrongly typed entries before the schema walks them: zod reports one
 * issue per bad element, and building 50,000 issues would hold the event loop for half a second.
 */
function checkArrays(body: unknown): void {
  if (!body || typeof body !== 'object') return;
  const problems: { field: string; message: string }[] = [];
  const rules: Array<[string, (x: unknown) => boolean, string]> = [
    ['values', (x) => x === null || typeof x === 'number', 'a number or null'],
    ['dates', (x) => typeof x === 'string', 'a string'],
  ];
  for (const [field, ok, what] of rules) {
    const v = (body as Record<string, unknown>)[field];
    if (!Array.isArray(v)) continue;
    if (v.length > MAX_POINTS) {
      problems.push({ field, message: `at most ${MAX_POINTS} entries (got ${v.length})` });
      continue;
    }
    const bad = v.findIndex((x) => !ok(x));
    if (bad >= 0) problems.push({ field: `${field}.${bad}`, message: `must be ${what}` });
  }
  if (problems.length) throw new ValidationError(problems);
}

const evaluateBody = z.object({
  indicator: z.string().min(1).max(100).describe('A fuzzy set id, or the indicator id a fuzzy set reads'),
  values: z.array(z.number().nullable()).min(1).max(MAX_POINTS),
  dates: z.array(z.string().max(40)).max(MAX_POINTS).optional(),
  strategy_name: z.string().min(1).max(200).regex(NAME_RE, 'letters, digits, _ and - only').optional(),
  memberships: z.record(z.string().min(1).max(60), membershipInput).optional(),
});

/** Inline memberships: [a,b,c] triangular, [a,b,c,d] trapezoidal, or {type, parameters}. */
function inlineMemberships(raw: Record<string, z.infer<typeof membershipInput>>): MembershipSpec[] {
  const problems: { field: string; message: string }[] = [];
  const out: MembershipSpec[] = [];
  for (const [name, m] of Object.entries(raw)) {
    const typeName = Array.isArray(m) ? (m.length === 3 ? 'triangular' : m.length === 4 ? 'trapezoidal' : '') : m.type;
    const parameters = Array.isArray(m) ? m : m.parameters;
    const type = membershipType(typeName);
    if (!type) {
      problems.push({ field: `memberships.${name}`, message: Array.isArray(m) ? 'give 3 (triangular) or 4 (trapezoidal) numbers, or {type, parameters}' : `unknown membership type '${typeName}' (${Object.keys(MEMBERSHIPS).join(', ')})` });
      continue;
    }
    const info = MEMBERSHIPS[type];
    const bad = parameters.length !== info.count ? `${type} takes ${info.params}` : info.check(parameters);
    if (bad) problems.push({ field: `memberships.${name}`, message: bad });
    else out.push({ name, type, parameters });
  }
  if (problems.length) throw new ValidationError(problems);
  return out;
}

/** KTRDR's GET /fuzzy/data answers the most recent bars of a long range, at most this many. */
const MAX_DATA_BARS = 10_000;

const strategyName = z.string().min(1).max(200).regex(NAME_RE, 'letters, digits, _ and - only');
const dataQuery = z.object({
  symbol: z.string().min(1).max(64),
  timeframe: z.string().min(1).max(8),
  indicators: z.string().max(2000).optional().describe('comma-separated fuzzy set ids, indicator ids or indicator types (default: every fuzzy set of the strategy)'),
  start_date: z.string().max(40).optional(),
  end_date: z.string().max(40).optional(),
  strategy_name: strategyName.optional(),
});
const dataBody = z.object({
  symbol: z.string().min(1).max(64),
  timeframe: z.string().min(1).max(8),
  indicators: z.array(z.object({ name: z.string().min(1).max(100), source_column: z.string().max(40).optional() })).min(1).max(50),
  start_date: z.string().max(40).nullish(),
  end_date: z.string().max(40).nullish(),
  strategy_name: strategyName.optional(),
});

/** Request dates: a start day from its first ms, an end day through its last (inclusive). */
function dateBounds(start: string | null | undefined, end: string | null | undefined): { start: number; end: number } {
  const problems: FieldProblem[] = [];
  const parse = (raw: string | null | undefined, side: 'start' | 'end', field: string, dflt: number) => {
    if (!raw) return dflt;
    const r = parseStrictDate(raw, side);
    if (!r.ok) problems.push({ field, message: `invalid date: ${r.message}` });
    return r.ok ? r.ms : dflt;
  };
  const out = { start: parse(start, 'start', 'start_date', -Infinity), end: parse(end, 'end', 'end_date', Infinity) };
  if (!problems.length && out.start > out.end) problems.push({ field: 'end_date', message: 'must not be before start_date' });
  if (problems.length) throw new ValidationError(problems);
  return out;
}

export function fuzzyRoutes(ctx: AppContext) {
  /** A valid strategy's parsed configuration; 404 when it is not there, 400 when it does not parse. */
  const configOf = async (strategyName: string): Promise<StrategyConfig> => {
    const s = await ctx.strategies.loadAsync(strategyName);
    if (!s) throw new HttpError(404, `Strategy '${strategyName}' not found`);
    if (!s.result.strategy) throw new HttpError(400, `Strategy '${strategyName}' is invalid; validate it to see why`);
    return s.result.strategy;
  };

  /**
   * The strategy whose fuzzy sets answer `keys`: the one named, or else the first valid strategy that
   * has a set for every key (a warning says which, as KTRDR keeps one global set per indicator).
   */
  const strategyFor = async (name: string | undefined, keys: string[]): Promise<{ name: string; config: StrategyConfig; note: string | null }> => {
    if (name) return { name, config: await configOf(name), note: null };
    if (!keys.length) throw new ValidationError([{ field: 'strategy_name', message: 'fuzzy sets belong to strategies here: name the strategy, or the indicators to look up across strategies' }]);
    await ctx.strategies.warmAll();
    const names = ctx.strategies.list().filter((x) => x.valid).map((x) => x.name);
    // The strategy that answers the most keys (the first such in the listing); the rest are warnings.
    let best: { name: string; config: StrategyConfig; hits: number } | null = null;
    for (const n of names) {
      const config = await configOf(n);
      const hits = keys.filter((k) => findFuzzySet(config, k)).length;
      if (hits > (best?.hits ?? 0)) best = { name: n, config, hits };
      if (hits === keys.length) break;
    }
    if (!best) throw new HttpError(404, `No valid strategy has fuzzy sets for ${keys.join(', ')}; name one with strategy_name`);
    return { name: best.name, config: best.config, note: `fuzzy sets of strategy '${best.name}' (give strategy_name to choose another)` };
  };

  /** Bars of [start, end] with the history before them that indicators need, and the index where the range starts. */
  const barsFor = (symbol: string, timeframe: string, range: { start: number; end: number }): { bars: BarSeries; from: number; to: number } => {
    let bars: BarSeries;
    try {
      bars = ctx.bars.load(symbol, timeframe, Number.isFinite(range.end) ? { end: range.end } : {}).bars;
    } catch (err) {
      if (err instanceof InvalidSeriesNameError) throw new ValidationError([{ field: 'symbol', message: err.message }]);
      if (err instanceof SeriesNotFoundError) throw new HttpError(404, `No data for ${symbol} ${timeframe}: ${missingDataHint(symbol, timeframe)}`);
      throw err;
    }
    const from = Number.isFinite(range.start) ? lowerBound(bars.time, range.start) : 0;
    const to = upperBound(bars.time, range.end);
    if (to <= from) throw new HttpError(404, `No ${symbol} ${timeframe} bars between the requested dates`);
    return { bars, from, to };
  };

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post('/fuzzy/evaluate', { bodyLimit: 2 * 1024 * 1024, preValidation: async (req) => checkArrays(req.body), schema: { tags: ['fuzzy'], summary: 'Membership degrees of indicator values (a strategy’s fuzzy set, or inline memberships)', body: evaluateBody } }, async (req) => {
      const b = req.body;
      let memberships: MembershipSpec[];
      if (b.memberships) memberships = inlineMemberships(b.memberships);
      else if (b.strategy_name) {
        const config = await configOf(b.strategy_name);
        const id = findFuzzySet(config, b.indicator);
        const set = id ? config.fuzzy_sets[id] : null;
        if (!set) throw new HttpError(404, `Strategy '${b.strategy_name}' has no fuzzy set named or built on '${b.indicator}'`);
        memberships = set.memberships;
      } else {
        throw new ValidationError([{ field: 'strategy_name', message: 'fuzzy sets belong to strategies here: name the strategy (or give `memberships` inline)' }]);
      }
      if (b.dates && b.dates.length !== b.values.length) throw new ValidationError([{ field: 'dates', message: `must have as many entries as values (${b.values.length})` }]);
      const x = Float64Array.from(b.values, (v) => (v === null ? NaN : v));
      const values: Record<string, (number | null)[]> = {};
      for (const m of memberships) values[`${b.indicator}_${m.name}`] = Array.from(evaluateMembership(m.type, m.parameters, x), (v) => (Number.isNaN(v) ? null : v));
      return { success: true, data: { indicator: b.indicator, fuzzy_sets: memberships.map((m) => m.name), values, points: x.length, ...(b.dates ? { dates: b.dates } : {}) } };
    });

    app.get(
      '/fuzzy/sets/:indicator',
      {
        schema: {
          tags: ['fuzzy'],
          summary: 'Fuzzy sets built on an indicator (or with that id), across strategies or in one',
          params: z.object({ indicator: z.string().min(1).max(100) }),
          querystring: z.object({ strategy_name: z.string().min(1).max(200).regex(NAME_RE, 'letters, digits, _ and - only').optional() }),
        },
      },
      async (req) => {
        const key = req.params.indicator;
        if (!req.query.strategy_name) await ctx.strategies.warmAll();
        const names = req.query.strategy_name ? [req.query.strategy_name] : ctx.strategies.list().filter((s) => s.valid).map((s) => s.name);
        const sets = [];
        for (const name of names) {
          const config = await configOf(name);
          for (const id of matchingFuzzySets(config, key)) {
            const f = config.fuzzy_sets[id];
            sets.push({ strategy_name: name, fuzzy_set: f.id, indicator: f.indicator, memberships: f.memberships });
          }
        }
        return { success: true, data: { indicator: key, sets, count: sets.length } };
      },
    );

    // KTRDR's FuzzyOverlayResponse (no success flag): {symbol, timeframe, data:{key:[{set, membership:[{timestamp, value}]}]}, warnings}.
    app.get('/fuzzy/data', { schema: { tags: ['fuzzy'], summary: 'Fuzzy membership series over stored bars (chart overlays): a strategy’s fuzzy sets on its indicators', querystring: dataQuery } }, async (req) => {
      const q = req.query;
      const range = dateBounds(q.start_date, q.end_date);
      const keys = (q.indicators ?? '').split(',').map((k) => k.trim()).filter(Boolean);
      const { config, note } = await strategyFor(q.strategy_name, keys);
      const { bars, from: first, to } = barsFor(q.symbol, q.timeframe, range);
      const from = Math.max(first, to - MAX_DATA_BARS);
      const warnings: string[] = note ? [note] : [];
      if (from > first) warnings.push(`only the most recent ${MAX_DATA_BARS} bars of the range (${to - first} requested)`);
      const wanted = keys.length ? keys : Object.keys(config.fuzzy_sets);
      const data: Record<string, { set: string; membership: { timestamp: string; value: number | null }[] }[]> = {};
      for (const key of wanted) {
        const setId = findFuzzySet(config, key);
        if (!setId) {
          warnings.push(`Unknown indicator '${key}' - skipping (no fuzzy set of that name or indicator)`);
          continue;
        }
        data[key] = fuzzySetSeries(config, setId, bars).map((m) => ({
          set: m.name,
          membership: Array.from({ length: to - from }, (_, k) => ({ timestamp: isoUtc(bars.time[from + k]), value: Number.isFinite(m.values[from + k]) ? m.values[from + k] : null })),
        }));
      }
      return { symbol: q.symbol.toUpperCase(), timeframe: q.timeframe, data, ...(warnings.length ? { warnings } : {}) };
    });

    // KTRDR's POST /fuzzy/data: {success, data:{symbol, timeframe, dates, indicators:{name:{name_set:[...]}}, metadata}}.
    app.post('/fuzzy/data', { schema: { tags: ['fuzzy'], summary: 'Load bars, compute indicators and fuzzify them in one call (columns `<name>_<set>`)', body: dataBody } }, async (req) => {
      const b = req.body;
      const range = dateBounds(b.start_date, b.end_date);
      const bad = b.indicators.map((i, k) => ({ i, k })).filter(({ i }) => i.source_column !== undefined && !(BAR_COLUMNS as readonly string[]).includes(i.source_column.toLowerCase()));
      if (bad.length) throw new ValidationError(bad.map(({ i, k }) => ({ field: `indicators.${k}.source_column`, message: `'${i.source_column}' is not a bar column (${BAR_COLUMNS.join(', ')}); leave it out to compute the fuzzy set's own indicator` })));
      const { config, note } = await strategyFor(b.strategy_name, b.indicators.map((i) => i.name));
      const { bars, from, to } = barsFor(b.symbol, b.timeframe, range);
      const slice = sliceBars(bars, from, to);
      const warnings: string[] = note ? [note] : [];
      const indicators: Record<string, Record<string, (number | null)[]>> = {};
      for (const i of b.indicators) {
        const setId = findFuzzySet(config, i.name);
        if (!setId) {
          warnings.push(`No fuzzy set for '${i.name}' - skipping`);
          continue;
        }
        const source = i.source_column?.toLowerCase() as BarColumn | undefined;
        indicators[i.name] = Object.fromEntries(fuzzySetSeries(config, setId, bars, { source }).map((m) => [`${i.name}_${m.name}`, Array.from(m.values.subarray(from, to), (v) => (Number.isFinite(v) ? v : null))]));
      }
      const dates = Array.from(slice.time, isoUtc);
      return {
        success: true,
        data: { symbol: b.symbol.toUpperCase(), timeframe: b.timeframe, dates, indicators, metadata: { start_date: dates[0] ?? null, end_date: dates[dates.length - 1] ?? null, points: dates.length }, ...(warnings.length ? { warnings } : {}) },
      };
    });
  };
}
