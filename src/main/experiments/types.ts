// What the scheduler needs from an experiment kind (walk_forward, sweep): which child to start next
// from the persisted slots, when it is done, its progress and its results.
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
  /** The validated request, as stored in the parent's metadata.parameters. */
  request: Record<string, any>;
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

/** The result contract of a kind: the scheduler validates every results object against it. */
export interface ResultSchema {
  safeParse(v: unknown): { success: true; data: unknown } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

export interface ExperimentKind {
  /** The zod schema of this kind's results (src/shared/results/{walk-forward,sweep}.ts). */
  schema: ResultSchema;
  /** Warnings a finished child raised that belong on the parent too (e.g. a degenerate training split), as full sentences. */
  slotWarnings(slot: string, data: unknown): string[];
  /** The next child to start, or null when none can start now (waiting on running ones, or done). */
  next(ctx: KindContext): ChildRequest | null;
  /** What of a finished child's results the slot keeps. */
  extract(slot: string, results: Record<string, any>): unknown;
  done(ctx: KindContext): boolean;
  progress(ctx: KindContext): Partial<OperationProgress>;
  /** Results so far (also while running: the UI renders them as they fill in). */
  results(ctx: KindContext): Record<string, unknown>;
  finish(ctx: KindContext): ExperimentEnd;
}
