// KTRDR's fuzzy routes (ktrdr/api/endpoints/fuzzy.py) where the capability exists here. KTRDR keeps one
// global fuzzy configuration per indicator; here fuzzy sets belong to strategies, so a request names
// the strategy (or gives the memberships inline) and the set is looked up by its id or its indicator.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { evaluateMembership, MEMBERSHIPS, membershipType } from '../../../core/fuzzy';
import type { FuzzySetConfig, MembershipSpec } from '../../../core/strategy/types';
import type { AppContext } from '../../context';
import { HttpError, ValidationError } from '../errors';
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

export function fuzzyRoutes(ctx: AppContext) {
  const setsOf = async (strategyName: string): Promise<FuzzySetConfig[]> => {
    const s = await ctx.strategies.loadAsync(strategyName);
    if (!s) throw new HttpError(404, `Strategy '${strategyName}' not found`);
    if (!s.result.strategy) throw new HttpError(400, `Strategy '${strategyName}' is invalid; validate it to see why`);
    return Object.values(s.result.strategy.fuzzy_sets);
  };
  const matches = (set: FuzzySetConfig, key: string) => set.id === key || set.indicator_id === key || set.indicator === key;

  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.post('/fuzzy/evaluate', { bodyLimit: 2 * 1024 * 1024, preValidation: async (req) => checkArrays(req.body), schema: { tags: ['fuzzy'], summary: 'Membership degrees of indicator values (a strategy’s fuzzy set, or inline memberships)', body: evaluateBody } }, async (req) => {
      const b = req.body;
      let memberships: MembershipSpec[];
      if (b.memberships) memberships = inlineMemberships(b.memberships);
      else if (b.strategy_name) {
        const set = (await setsOf(b.strategy_name)).find((f) => matches(f, b.indicator));
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
        for (const name of names)
          for (const f of await setsOf(name)) if (matches(f, key)) sets.push({ strategy_name: name, fuzzy_set: f.id, indicator: f.indicator, memberships: f.memberships });
        return { success: true, data: { indicator: key, sets, count: sets.length } };
      },
    );
  };
}
