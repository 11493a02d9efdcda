// What the scheduler needs from an experiment kind (walk_forward, sweep): which child to start next
// from the persisted slots, when it is done, its progress and its results.
import { z } from 'zod';
import { sweepStartBody, walkForwardStartBody } from '../../shared/experiment-requests';
import type { OperationProgress } from '../../shared/operations';
import type { SlotRecord, SlotStatus } from './slot-store';

export interface ChildRequest {
  slot: string;
  type: 'training' | 'backtesting';
  params: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface KindContext {
  parentId: string;
  /** The request as stored in the parent's metadata.parameters (each kind reads it with its schema below). */
  request: Record<string, unknown>;
  slots: Map<string, SlotRecord>;
  /** Slots whose child is running now → child id. */
  running: Map<string, string>;
  home: string;
  /** Writes a slot (once) and updates `slots`. */
  record(slot: string, childId: string | null, status: SlotStatus, data: unknown): void;
  /** Percentage (0–100) of a running child, for the parent's progress. */
  childPercentage(childId: string): number;
}

export type ExperimentEnd = { status: 'completed'; results: Record<string, unknown>; summary: Record<string, unknown> } | { status: 'failed'; message: string };

export interface ExperimentKind {
  /**
   * The producer side of the kind's result contract (validateWalkForwardResult, validateSweepResult):
   * the scheduler validates every results object with it before serving or storing it.
   */
  validate(results: unknown): unknown;
  /** Warnings a finished child raised that belong on the parent too (e.g. a degenerate training split), as full sentences. */
  slotWarnings(slot: string, data: unknown): string[];
  /** The next child to start, or null when none can start now (waiting on running ones, or done). */
  next(ctx: KindContext): ChildRequest | null;
  /**
   * What of a finished child's stored result the slot keeps, read through the child's result
   * contract; a result that does not match throws, and the scheduler fails that slot with the reason.
   */
  extract(slot: string, results: unknown): unknown;
  done(ctx: KindContext): boolean;
  progress(ctx: KindContext): Partial<OperationProgress>;
  /** Results so far (also while running: the UI renders them as they fill in). */
  results(ctx: KindContext): Record<string, unknown>;
  finish(ctx: KindContext): ExperimentEnd;
}

/** What the routes add to a request before storing it (src/main/api/routes/experiments.ts requestBase). */
const stored = {
  model_name: z.string(),
  symbols: z.array(z.string()),
  timeframes: z.array(z.string()),
  base_timeframe: z.string(),
  backtest_symbol: z.string(),
  max_parallel: z.number().int().optional(),
};

/** A walk-forward parent's stored request. */
export const walkForwardRequestSchema = walkForwardStartBody.extend(stored);
export type WalkForwardRequest = z.output<typeof walkForwardRequestSchema>;

/** A sweep parent's stored request. */
export const sweepRequestSchema = sweepStartBody.extend(stored);
export type SweepRequest = z.output<typeof sweepRequestSchema>;

/** A stored request read with its kind's schema; a request this version cannot read says so. */
export function readRequest<S extends z.ZodType>(schema: S, request: unknown): z.output<S> {
  const r = schema.safeParse(request);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  throw new Error(`the experiment's stored request cannot be read by this version (${first ? `${first.path.map(String).join('.') || '(root)'}: ${first.message}` : 'invalid'}): retry it`);
}
