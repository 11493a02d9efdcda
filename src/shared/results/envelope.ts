// The operation envelope: GET /operations/{id} (`{success, data: OperationInfo}`) and
// GET /operations/{id}/results (`{success, operation_id, operation_type, status, results}`), as zod
// schemas mirroring src/shared/operations.ts. The result inside is parsed by its kind's schema
// (index.ts), not here: the envelope is the same for every kind.
//
// The result form (`?form=`): the KTRDR-compatible routes answer in KTRDR's conventions (0 for an
// undefined ratio, 999999 for an unbounded profit factor) unless the client asks for the contract
// with `?form=contract`, as every workstation reader does (resultsPath below). See ktrdr.ts.
import { z } from 'zod';
import { keyMetricSchema } from '../key-metrics';
import { OPERATION_STATUSES, OPERATION_TYPES, type OperationInfo } from '../operations';

export const RESULT_FORMS = ['ktrdr', 'contract'] as const;
export type ResultForm = (typeof RESULT_FORMS)[number];

/** `?form=` on GET /operations/{id} and /operations/{id}/results; KTRDR's clients send none. */
export const resultFormQuery = z.object({
  form: z.enum(RESULT_FORMS).default('ktrdr').describe('contract: null + null_reasons for undefined values (workstation clients); ktrdr: KTRDR’s 0 / 999999 (default, for KTRDR’s clients)'),
});

/** The path every workstation reader uses for a result: the contract form. */
export function resultsPath(operationId: string): string {
  return `/operations/${encodeURIComponent(operationId)}/results?form=contract`;
}

/** The path of one operation in the contract form (result_summary without KTRDR placeholders). */
export function operationPath(operationId: string): string {
  return `/operations/${encodeURIComponent(operationId)}?form=contract`;
}

const progressSchema = z.looseObject({
  percentage: z.number(),
  current_step: z.string().nullable(),
  message: z.string().nullable(),
  steps_completed: z.number(),
  steps_total: z.number(),
  items_processed: z.number(),
  items_total: z.number().nullable(),
  current_item: z.string().nullable(),
  epoch_index: z.number().nullable(),
  total_epochs: z.number().nullable(),
  context: z.record(z.string(), z.unknown()),
});

export const operationInfoSchema = z.object({
  operation_id: z.string().min(1),
  operation_type: z.enum(OPERATION_TYPES),
  parent_id: z.string().nullable(),
  status: z.enum(OPERATION_STATUSES),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  updated_at: z.string(),
  progress: progressSchema,
  metadata: z.looseObject({ symbol: z.string().nullable(), timeframe: z.string().nullable(), start_date: z.string().nullable(), end_date: z.string().nullable(), parameters: z.record(z.string(), z.unknown()) }),
  error_message: z.string().nullable(),
  warnings: z.array(z.string()),
  errors: z.array(z.string()),
  /** The kind's result (or a summary of it); parse with the kind's schema when it is the result itself. */
  result_summary: z.record(z.string(), z.unknown()).nullable(),
  metrics: z.looseObject({ count: z.number() }),
});

// The schema and the interface describe the same object: a change to one must be made to the other.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;
const _sameShape: SameKeys<z.output<typeof operationInfoSchema>, OperationInfo> = true;
void _sameShape;

export const operationEnvelopeSchema = z.object({ success: z.literal(true), data: operationInfoSchema });

/** One row of GET /operations (OperationSummary in src/shared/operations.ts). */
export const operationSummarySchema = operationInfoSchema
  .pick({ operation_id: true, operation_type: true, parent_id: true, status: true, created_at: true, started_at: true, completed_at: true, progress: true, metadata: true, error_message: true })
  .extend({
    progress_percentage: z.number(),
    current_step: z.string().nullable(),
    symbol: z.string().nullable(),
    duration_seconds: z.number().nullable(),
    /** A finished run's headline numbers (shared/key-metrics.ts). */
    key_metrics: z.array(keyMetricSchema).optional(),
  });

/** GET /operations. */
export const operationListSchema = z.object({ success: z.literal(true), data: z.array(operationSummarySchema), total_count: z.number().int(), active_count: z.number().int() });

/** GET /operations/{id}/results: the result is left unparsed here (index.ts parses it by kind). */
export const operationResultsResponseSchema = z.object({
  success: z.literal(true),
  operation_id: z.string(),
  operation_type: z.enum(OPERATION_TYPES),
  status: z.enum(OPERATION_STATUSES),
  results: z.unknown(),
});
export type OperationResultsResponse = z.output<typeof operationResultsResponseSchema>;
