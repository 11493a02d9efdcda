// GET /schemas/strategy: the strategy file's structure as JSON Schema (from the parser's own zod
// schema), the rules the schema cannot say, and a minimal example — what an agent or an editor
// needs to write a strategy that validates. Served to agents as the MCP resource ktrdr://strategy-schema.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { INDICATORS } from '../../../core/indicators/registry';
import { strategySchema } from '../../../core/strategy/schema';
import type { AppContext } from '../../context';

const RULES = [
  'Strategy files are YAML (KTRDR v3). Validate with POST /strategies/validate {yaml} before saving: every problem comes with line:column.',
  'indicators: a map id → {type, ...params}; `type` is one of GET /indicators (parameters and outputs listed there).',
  'fuzzy_sets: a map id → {indicator: <indicator id or id.output>, <membership name>: [a, b, c] (triangular) or {type, parameters}}.',
  'nn_inputs: which fuzzy sets (or raw indicators) feed the model, per timeframe; model inputs are named <tf>_<fuzzy_set>_<membership>.',
  'training_data: symbols and timeframes to train on; the request to POST /trainings/start may override both.',
  'Models are saved under the strategy file name (not the YAML `name:`), so a backtest finds the model by the same name.',
  'Labels look forward (zigzag / triple_barrier / forward_return); features never see a future bar; splits are chronological with an embargo.',
];

export function schemasRoutes(ctx: AppContext) {
  let cached: unknown = null;
  return async (app: FastifyInstance) => {
    app.get('/schemas/strategy', { schema: { tags: ['strategies'], summary: 'Strategy file structure (JSON Schema), rules and a minimal example' } }, async () => {
      cached ??= z.toJSONSchema(strategySchema, { unrepresentable: 'any', io: 'input' });
      let example: string | null = null;
      try {
        example = ctx.strategies.load('minimal')?.yaml ?? null;
      } catch {
        example = null;
      }
      return { success: true, data: { json_schema: cached, rules: RULES, indicator_types: INDICATORS.map((d) => d.type), example_yaml: example } };
    });
  };
}
