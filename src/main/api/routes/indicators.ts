// Indicator catalogue and on-demand computation (KTRDR shapes).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkEpochMs, parseStrictDate } from '../../../core/bars/user-date';
import type { BarSeries } from '../../../core/bars/types';
import { getIndicator, INDICATORS, resolveParams } from '../../../core/indicators/registry';
import type { IndicatorDefinition, ParamValue } from '../../../core/indicators/types';
import { InvalidSeriesNameError, SeriesNotFoundError } from '../../../infra/bars';
import type { AppContext } from '../../context';
import { badRequest, notFound, ValidationError, type FieldProblem } from '../errors';

function describe(def: IndicatorDefinition) {
  return {
    id: def.type,
    name: def.name,
    description: def.description,
    type: def.category,
    category: def.category,
    aliases: def.aliases ?? [],
    parameters: def.params.map((p) => ({
      name: p.name,
      type: p.type,
      description: p.description,
      default: p.default,
      min_value: p.min ?? null,
      max_value: p.max ?? null,
      options: p.choices ?? null,
    })),
    outputs: def.outputs,
    notes: def.notes ?? null,
  };
}

const dateString = z.string().max(40).superRefine((s, c) => {
  const r = parseStrictDate(s);
  if (!r.ok) c.addIssue({ code: 'custom', message: r.message });
});
/** `side` 'end': a YYYY-MM-DD end date covers its whole day (inclusive, like every route). */
const strictMs = (s: string, side: 'instant' | 'end' = 'instant') => (parseStrictDate(s, side) as { ms: number }).ms;
const inlineBars = z
  .object({
    dates: z.array(z.union([z.string(), z.number()])).min(1),
    open: z.array(z.number()).optional(),
    high: z.array(z.number()).optional(),
    low: z.array(z.number()).optional(),
    close: z.array(z.number()),
    volume: z.array(z.number()).optional(),
  })
  .refine((b) => [b.open, b.high, b.low, b.volume].every((c) => c === undefined || c.length === b.dates.length) && b.close.length === b.dates.length, {
    message: 'every column must have as many values as dates',
  });

const calculateBody = z
  .object({
    symbol: z.string().min(1).max(40).optional(),
    timeframe: z.string().min(1).max(10).optional(),
    indicators: z
      .array(
        z.object({
          type: z.string().min(1).optional(),
          id: z.string().min(1).optional(),
          parameters: z.record(z.string(), z.unknown()).default({}),
          output_name: z.string().min(1).max(100).optional(),
        }),
      )
      .min(1)
      .max(50),
    start_date: dateString.optional(),
    end_date: dateString.optional(),
    bars: inlineBars.optional(),
  })
  .refine((b) => b.bars || (b.symbol && b.timeframe), { message: 'give symbol and timeframe (stored bars) or inline bars' });

function barsFromBody(b: z.infer<typeof inlineBars>, symbol: string, timeframe: string): BarSeries {
  const time = new Float64Array(b.dates.length);
  for (let i = 0; i < b.dates.length; i++) {
    const d = b.dates[i];
    const r = typeof d === 'number' ? checkEpochMs(d) : parseStrictDate(d);
    if (!r.ok) throw new ValidationError([{ field: `bars.dates.${i}`, message: `every date must be ISO 8601 or UTC ms in 1900–2200: ${r.message}` }]);
    time[i] = r.ms;
  }
  for (let i = 1; i < time.length; i++)
    if (!(time[i] > time[i - 1])) throw new ValidationError([{ field: 'bars.dates', message: 'dates must be strictly ascending' }]);
  const close = Float64Array.from(b.close);
  const col = (c?: number[]) => (c ? Float64Array.from(c) : Float64Array.from(close));
  return { symbol, timeframe, time, open: col(b.open), high: col(b.high), low: col(b.low), close, volume: b.volume ? Float64Array.from(b.volume) : new Float64Array(time.length) };
}

function defaultName(def: IndicatorDefinition, params: Record<string, ParamValue>): string {
  const nums = def.params.filter((p) => p.type === 'int' || p.type === 'float').map((p) => params[p.name]);
  return [def.type, ...nums].join('_');
}

export function indicatorsRoutes(ctx: AppContext) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    for (const path of ['/indicators', '/indicators/'])
      app.get(path, { schema: { tags: ['indicators'], summary: 'Indicator catalogue with parameters and outputs', hide: path === '/indicators' } }, async () => ({
        success: true,
        data: INDICATORS.map(describe),
        error: null,
      }));

    app.post(
      '/indicators/calculate',
      {
        schema: {
          tags: ['indicators'],
          summary: 'Compute indicators over stored bars (symbol + timeframe) or inline bars',
          querystring: z.object({ page: z.coerce.number().int().min(1).default(1), page_size: z.coerce.number().int().min(1).max(10_000).default(1000) }),
          body: calculateBody,
        },
      },
      async (req) => {
        const body = req.body;
        const symbol = body.symbol ?? 'INLINE';
        const timeframe = body.timeframe ?? '';
        const start = body.start_date ? strictMs(body.start_date) : undefined;
        const end = body.end_date ? strictMs(body.end_date, 'end') : undefined;
        let bars: BarSeries;
        if (body.bars) bars = barsFromBody(body.bars, symbol, timeframe);
        else {
          try {
            // Everything up to the end: indicators need the history before start_date for their warm-up.
            bars = ctx.bars.load(symbol, timeframe, end === undefined ? {} : { end }).bars;
          } catch (err) {
            if (err instanceof SeriesNotFoundError) throw notFound(err.message);
            if (err instanceof InvalidSeriesNameError) throw badRequest(err.message);
            throw err;
          }
        }

        const problems: FieldProblem[] = [];
        const warnings: string[] = [];
        const jobs: { def: IndicatorDefinition; params: Record<string, ParamValue>; name: string }[] = [];
        body.indicators.forEach((spec, i) => {
          const type = spec.type ?? spec.id;
          if (!type) return void problems.push({ field: `indicators.${i}`, message: 'give type (or id)' });
          const def = getIndicator(type);
          if (!def) return void problems.push({ field: `indicators.${i}.type`, message: `Unknown indicator type '${type}'` });
          const { params, problems: pp } = resolveParams(def, spec.parameters);
          for (const p of pp) {
            if (p.severity === 'error') problems.push({ field: `indicators.${i}.parameters.${p.param}`, message: p.message });
            else warnings.push(`indicators[${i}]: ${p.message}`);
          }
          jobs.push({ def, params, name: spec.output_name ?? defaultName(def, params) });
        });
        if (problems.length) throw new ValidationError(problems);

        let from = 0;
        if (start !== undefined) while (from < bars.time.length && bars.time[from] < start) from++;
        const total = bars.time.length - from;
        const { page, page_size } = req.query;
        const pageFrom = from + (page - 1) * page_size;
        const pageTo = Math.min(bars.time.length, pageFrom + page_size);
        const out: Record<string, (number | null)[]> = {};
        for (const job of jobs) {
          const series = job.def.compute(bars, job.params);
          const multi = job.def.outputs.length > 1;
          for (const o of job.def.outputs) {
            const v = series[o];
            const key = multi ? `${job.name}.${o}` : job.name;
            out[key] = Array.from(v.subarray(Math.min(pageFrom, v.length), pageTo), (x) => (Number.isFinite(x) ? x : null));
          }
        }
        const dates = Array.from(bars.time.subarray(Math.min(pageFrom, bars.time.length), pageTo), (t) => new Date(t).toISOString().replace('.000Z', 'Z'));
        const totalPages = Math.max(1, Math.ceil(total / page_size));
        return {
          success: true,
          dates,
          indicators: out,
          warnings,
          metadata: {
            symbol,
            timeframe,
            start_date: dates[0] ?? null,
            end_date: dates[dates.length - 1] ?? null,
            points: dates.length,
            total_items: total,
            total_pages: totalPages,
            current_page: page,
            page_size,
            has_next: page < totalPages,
            has_prev: page > 1,
          },
        };
      },
    );
  };
}
